"""Answers, passages and document lists as Telegram HTML, split to fit in messages."""

from __future__ import annotations

import bisect
import html
import itertools
import re
from collections.abc import Iterable

from retrieval.domain import messages, naming
from retrieval.domain.models import (
    Answer,
    Citation,
    DocumentMeta,
    ListItem,
    Note,
    Passage,
    Snippet,
)
from retrieval.domain.text import utf16_len

#: Telegram's limit for one message's text, in UTF-16 code units as Telegram counts them
#: (an emoji is often two).
MAX_MESSAGE = 4096
MAX_QUESTION_SHOWN = 300


def esc(text: str) -> str:
    """Escape text for Telegram HTML (``<``, ``>``, ``&``)."""
    return html.escape(text, quote=False)


def _link(url: str | None, label: str) -> str | None:
    if not url or not re.match(r"^https?://\S+$", url):
        return None
    return f'<a href="{html.escape(url, quote=True)}">{esc(label)}</a>'


def doc_line(doc: DocumentMeta) -> str:
    """'<b>Title</b> — số 76/NQ-CP — ngày 15/07/2021'."""
    return " — ".join([f"<b>{esc(doc.title)}</b>", *map(esc, naming.document_facts(doc))])


def citation_html(c: Citation, same_document_as_previous: bool = False) -> str:
    """One numbered source. On a phone the title is long: a citation from the same document
    as the one above it says so instead of repeating the title, number and date."""
    doc = "<i>cùng văn bản trên</i>" if same_document_as_previous else doc_line(c.hit.document)
    line = f"[{c.number}] {doc} — {esc(naming.passage_place(c.hit.passage))}"
    if not same_document_as_previous and (link := _link(c.hit.document.source, "nguồn")):
        line += f" — {link}"
    return line


def question_html(question: str) -> str:
    return f"❓ <b>Câu hỏi:</b> <i>{esc(naming.shorten(question, MAX_QUESTION_SHOWN))}</i>"


def snippet_html(snippet: Snippet) -> str:
    """Quoted words, escaped, with the figure asked for in bold."""
    out, pos = [], 0
    for a, b in snippet.bold:
        out.append(esc(snippet.text[pos:a]))
        out.append(f"<b>{esc(snippet.text[a:b])}</b>")
        pos = b
    out.append(esc(snippet.text[pos:]))
    return "".join(out)


def notes_html(notes: list[Note], indent: str = "") -> list[str]:
    lines = []
    for note in notes:
        line = f"{indent}⚠️ <i>{esc(messages.note_text(note))}</i>"
        if note.quote:
            line += f" «{esc(note.quote)}»" + (f" [{note.citation}]" if note.citation else "")
        lines.append(line)
    return lines


def _item_html(item: ListItem, n: int) -> str:
    prefix = naming.item_prefix(item.label, n, item.snippet.text)
    return f"{esc(prefix)}{snippet_html(item.snippet)} [{item.citation}]"


def render_answer(answer: Answer, *, title: str | None = None) -> str:
    """The whole answer as one HTML string; paragraphs are separated by blank lines: the
    direct answer first, then the list or the grouped evidence, then the sources."""
    if answer.problem is not None:
        return esc(messages.question_problem(answer.problem))
    head = question_html(answer.question)
    if title:
        head += f"\n<i>{esc(title)}</i>"
    if answer.reason == "missing_fact":
        lines = [esc(messages.missing_fact(m.what, m.value)) for m in answer.missing]
        if answer.related:
            lines += ["", f"<i>{esc(messages.RELATED)}</i>"]
            lines += [
                f"• {doc_line(c.hit.document)} — {esc(c.hit.passage.section)}"
                for c in answer.related
            ]
        return f"{head}\n\n" + "\n".join(lines)
    if answer.abstained:
        return f"{head}\n\n{esc(messages.ABSTAIN)}\n\n💡 {esc(messages.ASK_HINT)}"
    notes = {c.number: c.notes for c in answer.citations}
    noted: set[int] = set()

    def notes_of(number: int, indent: str = "") -> list[str]:
        """A citation's warnings, under the first words quoted from it."""
        if number in noted:
            return []
        noted.add(number)
        return notes_html(notes.get(number, []), indent)

    paragraphs = [head]
    if answer.english:
        paragraphs.append(f"<i>{esc(messages.ENGLISH_NOTE)}</i>")
    if answer.listing is not None and answer.listing.counted:
        count = f"<b>{len(answer.listing.items)}</b>"
        paragraphs.append(f"🔢 {esc(messages.LIST_COUNT).replace('{n}', count)}")
    if answer.lead is not None:
        lines = [f"📌 {snippet_html(answer.lead.snippet)} [{answer.lead.citation}]"]
        lines += notes_of(answer.lead.citation)
        paragraphs.append("\n".join(lines))
    if answer.listing is not None:
        lines = []
        for n, item in enumerate(answer.listing.items, 1):
            lines.append(_item_html(item, n))
            lines += notes_of(item.citation, "    ")
        paragraphs.append("\n".join(lines))
    for group in answer.groups:
        lines = [f"<b>{esc(naming.kind_label(group.kind))}</b>"]
        for bullet in group.bullets:
            lines.append(f"• {snippet_html(bullet.snippet)} [{bullet.citation}]")
            lines += notes_of(bullet.citation, "    ")
        paragraphs.append("\n".join(lines))
    sources = [f"📚 <b>{esc(messages.SOURCES)}</b>"]
    previous = None
    for c in answer.citations:
        sources.append(citation_html(c, same_document_as_previous=c.hit.document.id == previous))
        previous = c.hit.document.id
    paragraphs.append("\n".join(sources))
    return "\n\n".join(paragraphs)


def render_passages(items: Iterable[tuple[int, Passage, DocumentMeta]]) -> str:
    """The full text of cited passages, each under its citation number and source."""
    paragraphs = []
    for number, passage, doc in items:
        lines = [f"[{number}] {doc_line(doc)}", f"<i>mục: {esc(passage.section)}</i>"]
        if link := _link(doc.source, "nguồn"):
            lines[-1] += f" — {link}"
        if warning := naming.validity_note(passage, doc):
            lines.append(f"⚠️ <i>{esc(warning)}</i>")
        lines.append(f"<blockquote>{esc(passage.text.strip())}</blockquote>")
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def render_documents(docs: Iterable[DocumentMeta], *, detailed: bool) -> str:
    """The knowledge base's documents: short for /start, with number and status for /vanban."""
    out = []
    for n, doc in enumerate(docs, 1):
        date = naming.document_date(doc) or "chưa rõ ngày"
        if not detailed:
            out.append(f"• {esc(doc.title)} ({date})")
            continue
        lines = [f"<b>{n}. {esc(doc.title)}</b>"]
        status = esc(doc.status)
        if doc.status != "còn hiệu lực":
            status = f"⚠️ {status}"
            if doc.replaced_by:
                status += f", thay thế bởi {esc(doc.replaced_by)}"
        lines.append(f"Số: {esc(doc.number or '—')} · Ngày: {date} · Hiệu lực: {status}")
        if link := _link(doc.source, "Xem nguồn"):
            lines.append(link)
        out.append("\n".join(lines))
    return ("\n" if not detailed else "\n\n").join(out)


def to_plain(text: str) -> str:
    """HTML → plain text, for when Telegram refuses the markup."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


# -- splitting ----------------------------------------------------------------------------
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")


def _scan(text: str) -> tuple[list[bool], list[tuple[str, ...]]]:
    """For each position: may we cut here, and which opening tags are open there."""
    n = len(text)
    safe = [True] * (n + 1)
    open_at: list[tuple[str, ...]] = [()] * (n + 1)
    stack: list[tuple[str, str]] = []  # (name, full opening tag)
    current: tuple[str, ...] = ()
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        token = m.group()
        for i in range(start, end):
            open_at[i] = current
        if token.startswith("<") and len(token) > 1 or token.startswith("&") and len(token) > 1:
            for i in range(start + 1, end):
                safe[i] = False
        if token.startswith("<") and (tag := _TAG.match(token)):
            closing, name = tag.group(1), tag.group(2).lower()
            if closing:
                for j in range(len(stack) - 1, -1, -1):
                    if stack[j][0] == name:
                        del stack[j:]
                        break
            elif not token.endswith("/>") and name != "br":
                stack.append((name, token))
            current = tuple(t for _, t in stack)
        open_at[end] = current
    return safe, open_at


def _closing(opening: tuple[str, ...]) -> str:
    names = [(_TAG.match(t).group(2).lower()) for t in opening]  # type: ignore[union-attr]
    return "".join(f"</{name}>" for name in reversed(names))


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split HTML into messages of at most ``limit`` UTF-16 code units, tags included (more
    than Telegram counts, which is the text once parsed: a safe side).

    Cuts at a blank line when it can, else at a line break, else at a space, never inside a
    tag or an entity. Tags open at a cut are closed at the end of one part
    and reopened at the start of the next, so every part is valid on its own.
    """
    text = text.strip()
    if utf16_len(text) <= limit:
        return [text] if text else []
    safe, open_at = _scan(text)
    n = len(text)
    #: units[i]: UTF-16 code units in text[:i]
    units = [0, *itertools.accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]
    parts: list[str] = []
    pos = 0
    while pos < n:
        prefix = "".join(open_at[pos])
        room = limit - utf16_len(prefix)
        if units[n] - units[pos] <= room:
            parts.append(prefix + text[pos:])
            break
        # the furthest position whose text from ``pos`` fits in ``room``
        end = max(pos + 1, bisect.bisect_right(units, units[pos] + room) - 1)

        def fits(c: int, pos: int = pos, room: int = room) -> bool:
            return safe[c] and units[c] - units[pos] + utf16_len(_closing(open_at[c])) <= room

        cut = None
        for sep in ("\n\n", "\n", " "):
            c = text.rfind(sep, pos + 1, end + 1)
            while c > pos and not fits(c):
                c = text.rfind(sep, pos + 1, c)
            if c > pos and units[c] - units[pos] > room // 4:
                cut = c
                break
        if cut is None:
            cut = end
            while cut > pos + 1 and not fits(cut):
                cut -= 1
        parts.append(prefix + text[pos:cut] + _closing(open_at[cut]))
        pos = cut
        while pos < n and text[pos] in " \n":
            pos += 1
    return [p.strip() for p in parts if to_plain(p).strip()]
