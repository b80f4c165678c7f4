"""An answer as plain text, as a person reads it in a terminal (and as ``--json`` carries it
in its ``answer`` field): the direct answer first, then the list or the grouped evidence,
then the sources, each once."""

from __future__ import annotations

from retrieval.cli import texts
from retrieval.domain import messages, naming
from retrieval.domain.models import Answer, Citation, Note, Snippet


def citation_line(c: Citation, same_document_as_previous: bool = False) -> str:
    """'Title — số 76/NQ-CP — ngày 15/07/2021 — mục: … — trích … — nguồn: …'; a citation
    from the document named just above says so instead of repeating it."""
    doc = c.hit.document
    name = texts.SAME_DOCUMENT if same_document_as_previous else naming.document_label(doc)
    parts = [name, naming.passage_place(c.hit.passage)]
    if doc.source and not same_document_as_previous:
        parts.append(f"nguồn: {doc.source}")
    return " — ".join(parts)


def _text(snippet: Snippet) -> str:
    return snippet.text


def _note_lines(notes: list[Note], indent: str) -> list[str]:
    lines = []
    for note in notes:
        line = f"{indent}⚠️ {messages.note_text(note)}"
        if note.quote:
            line += f" «{note.quote}»" + (f" [{note.citation}]" if note.citation else "")
        lines.append(line)
    return lines


def render_text(answer: Answer) -> str:
    if answer.problem is not None:
        return messages.question_problem(answer.problem)
    if answer.reason == "missing_fact":
        lines = [messages.missing_fact(m.what, m.value) for m in answer.missing]
        if answer.related:
            lines += ["", messages.RELATED]
            for c in answer.related:
                lines.append(
                    f"  • {naming.document_label(c.hit.document)} — {c.hit.passage.section}"
                )
        return "\n".join(lines)
    if answer.abstained:
        return f"{messages.ABSTAIN}\n{messages.ASK_HINT}"
    notes = {c.number: c.notes for c in answer.citations}
    lines: list[str] = []
    if answer.english:
        lines += [messages.ENGLISH_NOTE, ""]
    if answer.lead is not None:
        lines.append(f"{_text(answer.lead.snippet)} [{answer.lead.citation}]")
        lines += _note_lines(notes.get(answer.lead.citation, []), "  ")
        lines.append("")
    if answer.listing is not None:
        for n, item in enumerate(answer.listing.items, 1):
            label = (
                f"{item.label}."
                if item.label and item.label.isdigit()
                else (f"{item.label})" if item.label and len(item.label) == 1 else f"{n}.")
            )
            text = _text(item.snippet)
            if item.label and text.lower().startswith(item.label.lower()):
                label = ""  # "Thứ nhất, …" and "1. …" already carry their label
            lines.append(f"  {label} {text} [{item.citation}]".replace("   ", "  "))
        lines.append("")
    for group in answer.groups:
        lines.append(f"{naming.kind_label(group.kind)}:")
        for bullet in group.bullets:
            lines.append(f"  • {_text(bullet.snippet)} [{bullet.citation}]")
            lines += _note_lines(notes.get(bullet.citation, []), "    ")
        lines.append("")
    lines.append(f"{messages.SOURCES}:")
    previous = None
    for c in answer.citations:
        same = c.hit.document.id == previous
        lines.append(f"[{c.number}] {citation_line(c, same)}")
        previous = c.hit.document.id
    return "\n".join(lines).rstrip()
