"""The list of documents ``/vanban`` shows: each with its id (what ``/xoa``, ``cchc reindex
--remove`` and quiz topics take), kind, number, date and, for documents that have one, its
validity."""

from __future__ import annotations

from collections.abc import Iterable

from bot import texts
from bot.render import _link, esc
from retrieval.domain import naming
from retrieval.domain.models import DocumentMeta


def document_entry(n: int, doc: DocumentMeta) -> str:
    """One document: its title, then id · kind · number · date · validity, then its source."""
    facts = [texts.VANBAN_ID.format(doc_id=esc(doc.id)), esc(doc.kind)]
    if doc.number:
        facts.append(texts.VANBAN_NUMBER.format(number=esc(doc.number)))
    facts.append(texts.VANBAN_DATE.format(date=naming.document_date(doc) or texts.VANBAN_NO_DATE))
    if (validity := naming.validity(doc)) is not None:
        mark = "" if doc.in_force else "⚠️ "
        facts.append(texts.VANBAN_VALIDITY.format(validity=mark + esc(validity)))
    lines = [f"<b>{n}. {esc(doc.title)}</b>", " · ".join(facts)]
    if link := _link(doc.source, texts.VANBAN_SOURCE):
        lines.append(link)
    return "\n".join(lines)


def document_list(docs: Iterable[DocumentMeta]) -> str:
    """Every document, numbered, and a line on what the ids are for."""
    entries = [document_entry(n, doc) for n, doc in enumerate(docs, 1)]
    if not entries:
        return texts.NO_DOCS
    return "\n\n".join([*entries, texts.VANBAN_IDS_HINT])
