"""What is being served: the model and the index version, for health checks and metrics."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ValidationError

from retrieval.index.versions import read_manifest
from retrieval.service.answering import AnsweringService


class ServingStatus(BaseModel):
    model: str
    backend: str
    dimension: int
    index_version: str
    #: When the version was built (None when its manifest cannot be read any more).
    index_built_at: dt.datetime | None = None
    passages: int | None = None
    documents: int | None = None

    def index_age_seconds(self, now: dt.datetime | None = None) -> float | None:
        if self.index_built_at is None:
            return None
        built = self.index_built_at
        if built.tzinfo is None:
            built = built.replace(tzinfo=dt.UTC)
        return ((now or dt.datetime.now(dt.UTC)) - built).total_seconds()


def serving_status(answering: AnsweringService) -> ServingStatus:
    """Cheap (one small JSON file read): meant to be called on every health check."""
    encoder = answering.encoder
    version = answering.index_version()
    status = ServingStatus(
        model=encoder.name,
        backend=encoder.backend,
        dimension=encoder.dimension,
        index_version=version,
    )
    try:
        manifest = read_manifest(answering.settings.index_root / version)
    except (OSError, ValidationError):  # pruned by a newer run, not yet picked up
        return status
    status.index_built_at = manifest.built_at
    status.passages = manifest.passage_count
    status.documents = manifest.document_count
    return status
