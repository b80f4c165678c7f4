"""Provisions that a later provision changed in substance, read from
``knowledge/changes.yaml``.

The Pháp điển keeps some articles in an earlier wording although a later act, also in the
knowledge base, moved the task they describe to another body (reporting to Bộ Tư pháp, now
to Văn phòng Chính phủ). Such a change is not marked on the article itself, so it is kept as
data that an administrator can extend, and every answer that quotes the earlier words quotes
the later ones beside them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from retrieval.domain.errors import DocumentError
from retrieval.domain.models import Passage
from retrieval.domain.text import nfc, split_sentences

log = logging.getLogger(__name__)


class Change(BaseModel):
    """One change: the articles of ``document`` that still say ``says``, and the article
    ``by`` that says ``now`` (its words ``quote``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: str
    provisions: list[str]
    says: str
    now: str
    by: str
    quote: str


def load_changes(path: Path) -> list[Change]:
    """The changes file; none when there is no file."""
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(nfc(path.read_text(encoding="utf-8"))) or []
        if not isinstance(data, list):
            raise TypeError("a list of changes")
        return [Change.model_validate(item) for item in data]
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise DocumentError("changes_invalid", origin=str(path)) from exc


def provision_id(passage: Passage) -> str | None:
    """ "… › Điều 44.5.NĐ.35. Chế độ thông tin, báo cáo" → "Điều 44.5.NĐ.35"."""
    heading = passage.section.rsplit(" › ", 1)[-1]
    m = re.match(r"(Điều [\w.]+?)\.?\s", heading + " ")
    return m.group(1) if m else None


@dataclass(frozen=True)
class Superseded:
    """A change found in the served index: the later article's passage and the sentence of
    it that is quoted."""

    change: Change
    later: Passage
    quote: str

    def concerns(self, passage: Passage) -> bool:
        """Whether ``passage`` is one of the earlier articles and still says the old words."""
        return (
            passage.doc_id == self.change.document
            and provision_id(passage) in self.change.provisions
            and self.change.says in passage.text
        )


def resolve(
    changes: list[Change], passages_of_document: Callable[[str], list[Passage]]
) -> list[Superseded]:
    """The changes whose later article (and words) the index holds; the others are logged
    and left out, so that an answer never quotes words that are not there."""
    out = []
    for change in changes:
        found = None
        for p in passages_of_document(change.document):
            if provision_id(p) != change.by:
                continue
            for sentence in split_sentences(p.text):
                if change.quote in sentence:
                    found = (p, sentence)
                    break
            if found:
                break
        if found is None:
            log.warning("changes.yaml: không thấy %s, hoặc lời trích, trong chỉ mục", change.by)
            continue
        out.append(Superseded(change, found[0], found[1]))
    return out
