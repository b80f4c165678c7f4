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
    noted: set[int] = set()

    def notes_of(number: int, indent: str) -> list[str]:
        """A citation's warnings, under the first words quoted from it."""
        if number in noted:
            return []
        noted.add(number)
        return _note_lines(notes.get(number, []), indent)

    lines: list[str] = []
    if answer.english:
        lines += [messages.ENGLISH_NOTE, ""]
    if answer.lead is not None:
        lines.append(f"{_text(answer.lead.snippet)} [{answer.lead.citation}]")
        lines += notes_of(answer.lead.citation, "  ")
        lines.append("")
    if answer.listing is not None:
        for n, item in enumerate(answer.listing.items, 1):
            text = _text(item.snippet)
            prefix = naming.item_prefix(item.label, n, item.snippet.text)
            lines.append(f"  {prefix}{text} [{item.citation}]")
            lines += notes_of(item.citation, "    ")
        lines.append("")
    for group in answer.groups:
        lines.append(f"{naming.kind_label(group.kind)}:")
        for bullet in group.bullets:
            lines.append(f"  • {_text(bullet.snippet)} [{bullet.citation}]")
            lines += notes_of(bullet.citation, "    ")
        lines.append("")
    lines.append(f"{messages.SOURCES}:")
    previous = None
    for c in answer.citations:
        same = c.hit.document.id == previous
        lines.append(f"[{c.number}] {citation_line(c, same)}")
        previous = c.hit.document.id
    return "\n".join(lines).rstrip()
