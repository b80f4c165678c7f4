"""PDF: the text layer page by page, without page numbers and running heads.

The page count is checked before any text is extracted, and the text's length while it is.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from retrieval.domain.errors import LoaderError
from retrieval.domain.text import fold, nfc
from retrieval.knowledge.loaders import limits
from retrieval.knowledge.loaders.base import Extracted, cause, title_hint

#: Fewer letters than this in the whole file: no text layer, a scan.
MIN_LETTERS = 40


class PdfStrategy:
    suffixes = (".pdf",)

    def extract(self, data: bytes) -> Extracted:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError

        if b"%PDF-" not in data[:1024]:
            raise LoaderError("file_corrupt", kind="PDF")
        logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not for admins
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise LoaderError("file_pdf_password")
            limits.check_pages(_declared_pages(reader))  # before the page tree is walked
            limits.check_pages(len(reader.pages))
            pages: list[str] = []
            chars = 0
            for page in reader.pages:
                pages.append(page.extract_text() or "")
                chars += len(pages[-1])
                limits.check_length(chars)
            hints = title_hint(reader.metadata.title if reader.metadata else None)
        except LoaderError:
            raise
        except DependencyError as exc:
            raise LoaderError("file_pdf_needs_cryptography") from exc
        except Exception as exc:  # noqa: BLE001 - a broken file can fail anywhere in pypdf
            raise LoaderError("file_corrupt", kind="PDF", cause=cause(exc)) from exc
        if not pages:
            raise LoaderError("file_corrupt", kind="PDF", cause="no pages")
        if sum(c.isalpha() for p in pages for c in p) < MIN_LETTERS:
            raise LoaderError("file_pdf_scanned")
        return Extracted("\n".join(_drop_page_furniture(pages)), hints=hints, wrapped=True)


def _declared_pages(reader: Any) -> int:
    """The page tree's own count (/Count), read without walking the tree; 0 if unreadable
    (the walk then counts)."""
    try:
        count = reader.trailer["/Root"]["/Pages"]["/Count"]
        return int(count) if isinstance(count, int) else 0
    except (KeyError, TypeError, ValueError):
        return 0


_PAGE_NUMBER = re.compile(r"^(trang\s*)?-?\s*\d{1,4}\s*(/\s*\d{1,4})?\s*-?$")


def _drop_page_furniture(pages: list[str]) -> list[str]:
    """Page numbers, and running headers or footers ("CÔNG BÁO/Số 551 + 552/Ngày 17-7-2021"):
    a line at the top or bottom of a page that recurs, digits aside, on most pages."""
    split = [[ln.strip() for ln in nfc(p).splitlines() if ln.strip()] for p in pages]

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line)

    edges: dict[str, int] = {}
    for lines in split:
        for k in {key(ln) for ln in (*lines[:2], *lines[-2:])}:
            edges[k] = edges.get(k, 0) + 1
    needed = max(3, (len(split) + 1) // 2)
    repeated = {k for k, n in edges.items() if n >= needed}
    out: list[str] = []
    for lines in split:
        for i, line in enumerate(lines):
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (key(line) in repeated or _PAGE_NUMBER.match(fold(line))):
                continue
            out.append(line)
    return out
