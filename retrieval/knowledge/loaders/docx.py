"""Word (.docx): paragraphs and tables in order; headings marked as Markdown headings.

A DOCX is a zip: its central directory is checked (``limits.check_zip``) before python-docx
unpacks and parses anything.
"""

from __future__ import annotations

import io
import re
from typing import Any

from retrieval.domain.errors import LoaderError
from retrieval.knowledge.loaders import limits
from retrieval.knowledge.loaders.base import Extracted, cause, title_hint


class DocxStrategy:
    suffixes = (".docx",)

    def extract(self, data: bytes) -> Extracted:
        import docx  # python-docx; imported here so that the other formats do not need it
        from docx.table import Table

        if not data.startswith(b"PK"):
            raise LoaderError("file_corrupt", kind="DOCX")
        try:
            limits.check_zip(data)
            document = docx.Document(io.BytesIO(data))
        except LoaderError:
            raise
        except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds here
            raise LoaderError("file_corrupt", kind="DOCX", cause=cause(exc)) from exc
        # Style names looked up once: python-docx's ``paragraph.style`` searches the styles
        # part for every paragraph (90% of the time on a long file).
        styles = {s.style_id: s.name or "" for s in document.styles}
        lines: list[str] = []
        chars = 0
        for block in document.iter_inner_content():
            read = _table(block) if isinstance(block, Table) else [_paragraph(block, styles)]
            lines.extend(read)
            chars += sum(map(len, read))
            limits.check_length(chars)  # counted as it is read: a long file stops early
        return Extracted("\n".join(lines), hints=title_hint(document.core_properties.title))


def _paragraph(paragraph: Any, styles: dict[str, str]) -> str:
    """A paragraph's text; a Word heading as a Markdown heading of its level."""
    text = paragraph.text.strip()
    style = styles.get(paragraph._p.style or "", "")  # no style: Normal, not a heading
    if text and (m := re.fullmatch(r"Heading (\d)", style)):
        text = f"{'#' * min(int(m.group(1)), 6)} {text}"
    return text


def _table(table: Any) -> list[str]:
    """A header table (issuer | motto) row by row as "left | right"; cells with several
    paragraphs column by column, so that each column's lines stay in order."""
    lines: list[str] = []
    for row in table.rows:
        cells: list[Any] = []
        for cell in row.cells:  # a merged cell repeats: keep it once
            if not any(cell._tc is c._tc for c in cells):
                cells.append(cell)
        texts = [[p.text.strip() for p in c.paragraphs if p.text.strip()] for c in cells]
        if all(len(t) <= 1 for t in texts):
            lines.append(" | ".join(t[0] for t in texts if t))
        else:
            for t in texts:
                lines.extend(t)
    return lines
