"""The part every file type shares: what a strategy returns, and how it becomes a ``Document``.

A strategy turns bytes into plain text, one paragraph (or printed line) per line, plus the
hints the format itself carries (an HTML title, PDF properties). ``to_document`` reads the
official header (``retrieval.knowledge.header``), drops it from the body, rejoins hard-wrapped
lines and validates the result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import ValidationError

from retrieval.domain.errors import LoaderError
from retrieval.domain.models import Document
from retrieval.domain.text import clean, is_all_caps
from retrieval.knowledge.header import build_meta, detect, normalise_kind, parse_date


@dataclass
class Extracted:
    """What a strategy read: text with one paragraph or printed line per line, and hints."""

    text: str
    hints: dict[str, Any] = field(default_factory=dict)
    #: Printed lines (PDF, plain text) are rejoined into paragraphs.
    wrapped: bool = False
    #: Front matter of a Markdown file, which wins over what is detected.
    front: dict[str, Any] | None = None
    #: A Markdown file whose front matter is complete, read as ``load_knowledge_dir`` does.
    document: Document | None = None


class Strategy(Protocol):
    """One file type: bytes → ``Extracted``; a refusal is a ``LoaderError`` with a code."""

    suffixes: ClassVar[tuple[str, ...]]

    def extract(self, data: bytes) -> Extracted: ...


def cause(exc: BaseException) -> str:
    """An exception as "Type: message", cut short: a fact for logs, not a sentence."""
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def title_hint(title: object) -> dict[str, Any]:
    """A title from file properties, unless it is the name an editor wrote there itself."""
    text = " ".join(str(title or "")[:1000].split())
    junk = re.match(r"(Microsoft Word|Untitled|Document\d*$)", text) or re.search(
        r"\.(docx?|pdf|rtf|odt)$", text, re.IGNORECASE
    )
    return {"title": text} if len(text) >= 3 and not junk else {}


_STRUCTURAL = re.compile(
    r"^(#{1,6}\s|[-–•+*]\s|\d{1,3}(\.\d{1,3})*[.)]\s|[a-zđ]\)\s|[IVXLC]{1,6}[.)]\s|"
    r"(Điều|Chương|CHƯƠNG|Phần|PHẦN|Mục|MỤC)\s|Thứ\s+(nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b|"
    r"Căn cứ|Nơi nhận|Kính gửi|\|)"
)


def join_soft_wraps(markdown: str) -> str:
    """Markdown's soft line breaks as spaces: in a paragraph, a single newline is not a new
    paragraph (a line that opens an item, a heading or a table row still is)."""
    out: list[str] = []
    for raw in markdown.split("\n"):
        line = raw.strip()
        if line and out and out[-1] and not out[-1].startswith("#") and not _STRUCTURAL.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def reflow(text: str) -> str:
    """Rejoin lines that a printer or a PDF wrapped: a line runs on when it is long, does
    not end a sentence and the next line does not open an item or a heading."""
    out: list[str] = []
    last = ""  # the previous physical line
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            out.append("")
            last = ""
            continue
        runs_on = (
            out
            and out[-1]
            and not is_all_caps(last)
            and not is_all_caps(line)
            and not _STRUCTURAL.match(line)
            and (
                len(last) >= 40
                and last[-1] not in ".:;!?…"
                or line[0].islower()
                and last[-1] not in ":;"
            )
        )
        if runs_on:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        last = line
    return "\n".join(out)


def to_document(stem: str, ex: Extracted, overrides: Mapping[str, Any] | None = None) -> Document:
    """``Extracted`` → ``Document``: the header detected and dropped, lines rejoined, the
    front matter and ``overrides`` winning over what is detected. ``stem`` (the file name
    without its suffix) is the id of last resort."""
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    if ex.document is not None:
        if not overrides:
            return ex.document
        if "kind" in overrides:
            overrides["kind"] = normalise_kind(str(overrides["kind"]))[0]
        if "issued" in overrides:
            overrides["issued"] = parse_date(overrides["issued"]) or overrides["issued"]
        meta = ex.document.model_dump(exclude={"body"}) | overrides
        return _validate({**meta, "body": ex.document.body})
    text = clean(ex.text)
    detected = detect(text)
    lines = text.split("\n")[detected.header_lines :]
    hints = dict(ex.hints)
    if not detected.header_lines and ex.wrapped:
        lines, hints["title"] = _leading_title(lines, hints.get("title"))
    body = "\n".join(lines)
    body = reflow(body) if ex.wrapped else body
    body = "\n".join(line for line in clean(body).split("\n") if line)
    if not body:
        raise LoaderError("file_no_text")
    given = {**(ex.front or {}), **overrides}
    meta = build_meta(detected, stem=stem, body=body, given=given, hints=hints)
    return _validate({**meta, "body": body})


def _leading_title(lines: list[str], title: str | None) -> tuple[list[str], str | None]:
    """A Markdown "# Title" first line is the title (and leaves the body); a short first line
    of plain text that does not end a sentence is taken as the title too, but stays."""
    i = next((i for i, line in enumerate(lines) if line.strip()), None)
    if i is None or title:
        return lines, title
    first = lines[i].strip()
    if m := re.match(r"#\s+(.+)", first):
        return lines[:i] + lines[i + 1 :], m.group(1).strip()
    rest = any(line.strip() for line in lines[i + 1 :])
    if rest and 3 <= len(first) <= 150 and first[-1] not in ".:;,":
        return lines, first
    return lines, None


def _validate(fields: dict[str, Any]) -> Document:
    """A ``Document``, or ``file_invalid_fields`` naming each bad field with a short preview
    of its value (``values``)."""
    try:
        return Document(**fields)
    except ValidationError as exc:
        names = [".".join(str(x) for x in e["loc"]) for e in exc.errors()]
        values = {n: v for n in names if (v := preview(fields.get(n))) is not None}
        raise LoaderError("file_invalid_fields", fields=names, values=values) from exc


def preview(value: object, limit: int = 80) -> str | None:
    """A scalar as short text for a message; ``None`` for anything else (a list, a mapping:
    their text could be anything), so that no unvalidated value is turned into text whole."""
    if isinstance(value, str):
        text = " ".join(value[: limit * 4].split())
    elif isinstance(value, bool | int | float | dt.date):
        text = str(value)[:limit]
    else:
        return None
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"
