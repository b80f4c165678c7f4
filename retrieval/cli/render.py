"""An answer as plain text, as a person reads it in a terminal (and as ``--json`` carries it
in its ``answer`` field)."""

from __future__ import annotations

from retrieval.cli import texts
from retrieval.domain import messages, naming
from retrieval.domain.models import Answer, Citation


def citation_line(c: Citation) -> str:
    """'Title — số 76/NQ-CP — ngày 15/07/2021 — mục: … — trích … — nguồn: …'."""
    doc = c.hit.document
    parts = [naming.document_label(doc), naming.passage_place(c.hit.passage)]
    if doc.source:
        parts.append(f"nguồn: {doc.source}")
    return " — ".join(parts)


def render_text(answer: Answer) -> str:
    if answer.problem is not None:
        return messages.question_problem(answer.problem)
    if answer.abstained:
        return f"{messages.ABSTAIN}\n{messages.ASK_HINT}"
    lines: list[str] = []
    for kind, cites in answer.grouped():
        lines.append(f"{naming.kind_label(kind)}:")
        for c in cites:
            lines.append(f"  • {' '.join(c.excerpt)} [{c.number}]")
        lines.append("")
    lines.append(texts.SOURCES)
    for c in answer.citations:
        lines.append(f"[{c.number}] {citation_line(c)}")
        if warning := naming.validity_note(c.hit.passage, c.hit.document):
            lines.append(f"    ⚠️ {warning}")
    return "\n".join(lines)
