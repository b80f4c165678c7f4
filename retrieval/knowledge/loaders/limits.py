"""What a file may cost before it is refused, each checked before the work it bounds.

A hostile upload must not take the bot down (issue 15): a 177 KB DOCX that unpacks to 50 MB of
XML took 93 s and 0.9 GB, and would have made 30,834 passages; a YAML alias bomb of 483 bytes
took 858 MB. Each limit below is checked on something cheap (the zip's central directory, a
PDF's page count, the extracted text) before the expensive step it protects (python-docx,
text extraction, header detection, reflow and chunking). They are constants, not settings:
they protect the process, and a real document is far below every one of them. The upload
size itself (``upload_max_bytes``) stays a setting. The front-matter limits live with the one
front-matter reader, ``retrieval.knowledge.frontmatter``, which the knowledge folder shares.
"""

from __future__ import annotations

import io
import zipfile

from retrieval.domain.errors import LoaderError
from retrieval.knowledge.frontmatter import MAX_FRONT_MATTER_BYTES, MAX_FRONT_MATTER_DEPTH

#: Characters of extracted text, which bound the passages a document makes. The largest
#: knowledge document (phap-dien-44-5) has 122,509 characters and makes 122 passages; ten
#: times that, rounded up, is 1.5 million characters: 1,614 passages measured on 1.48 million
#: characters of its words in random sentences (the DOCX bomb of issue 15 offered 30,834).
#: Past that a document is a book or a bomb: split it.
MAX_TEXT_CHARS = 1_500_000
#: Characters in one line (one paragraph) of extracted text. The knowledge base's longest
#: paragraph has 2,464; twenty times that. A longer "line" is not prose but a dump (base64,
#: minified data, one paragraph with no breaks), which makes one giant passage.
MAX_LINE_CHARS = 50_000
#: Passages one document may make, counted by chunking it (a second or two at worst) before
#: anything is embedded (about 15 passages a second on 2 cores: 5,000 is some six minutes).
#: ``MAX_TEXT_CHARS`` alone does not bound them: 1.5 million characters of one-line articles
#: ("Điều 1. …") made 49,104 passages. The largest knowledge document makes 122.
MAX_PASSAGES = 5_000
#: Pages of a PDF, read from the page tree before any text is extracted: about 3,000
#: characters a page, so ``MAX_TEXT_CHARS`` is some 500 pages (measured: 480 full pages,
#: 3.5 s and 100 MB to extract).
MAX_PDF_PAGES = 500
#: Members of a zip container (DOCX). A Word file has 10 to 30 parts, a few hundred with
#: many pictures.
MAX_ZIP_MEMBERS = 1_000
#: Bytes of a zip container once unpacked, from its central directory: python-docx reads
#: every part into memory. A 20 MB upload of pictures unpacks to about 20 MB.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
#: Bytes of its XML parts once unpacked, which python-docx parses into trees of about 15
#: times their size (measured: 20 MB of WordprocessingML, 330 MB at the peak; 30 MB, 470 MB).
#: ``MAX_TEXT_CHARS`` of text is 2 MB of bare XML, about 16 MB with a run per word.
MAX_XML_BYTES = 32 * 1024 * 1024
#: Unpacked/packed ratio of one member over ``RATIO_FROM_BYTES``. WordprocessingML packs 3 to
#: 11 times in the tests' files; a bomb packs hundreds of times (the 177 KB DOCX above: 290).
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
#: Bytes a central-directory entry may take on average (46, a name and extra fields):
#: a directory larger than ``MAX_ZIP_MEMBERS`` of these is refused before ``zipfile`` makes
#: an object for each of its entries, whatever count the end record declares.
_ENTRY_BYTES = 1024

__all__ = [
    "MAX_FRONT_MATTER_BYTES",
    "MAX_FRONT_MATTER_DEPTH",
    "MAX_LINE_CHARS",
    "MAX_PASSAGES",
    "MAX_PDF_PAGES",
    "MAX_RATIO",
    "MAX_TEXT_CHARS",
    "MAX_UNPACKED_BYTES",
    "MAX_XML_BYTES",
    "MAX_ZIP_MEMBERS",
    "check_length",
    "check_pages",
    "check_passages",
    "check_text",
    "check_zip",
]


def check_zip(data: bytes) -> None:
    """Refuse a zip container (DOCX) that has too many members, unpacks too large (all of it,
    or its XML), or packs a member suspiciously well. Only the central directory is read,
    and its size is checked before ``zipfile`` reads it. A file that is not a zip raises
    ``zipfile.BadZipFile``."""
    fp = io.BytesIO(data)
    end = zipfile._EndRecData(fp)  # the end-of-directory record: entry count and size
    if end is None:
        raise zipfile.BadZipFile("no end-of-central-directory record")
    declared = max(end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE] // _ENTRY_BYTES)
    if declared > MAX_ZIP_MEMBERS:
        raise LoaderError("file_zip_members", count=declared, limit=MAX_ZIP_MEMBERS)
    with zipfile.ZipFile(fp) as archive:
        members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise LoaderError("file_zip_members", count=len(members), limit=MAX_ZIP_MEMBERS)
    unpacked = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.lower().endswith((".xml", ".rels")))
    for size, limit in ((unpacked, MAX_UNPACKED_BYTES), (xml, MAX_XML_BYTES)):
        if size > limit:
            raise LoaderError("file_zip_too_large", size_bytes=size, limit_bytes=limit)
    for m in members:
        if m.file_size > RATIO_FROM_BYTES and m.file_size > MAX_RATIO * m.compress_size:
            ratio = m.file_size // max(m.compress_size, 1)
            raise LoaderError(
                "file_zip_ratio", member=m.filename[:100], ratio=ratio, limit=MAX_RATIO
            )


def check_pages(pages: int) -> None:
    """Refuse a PDF of more than ``MAX_PDF_PAGES`` pages."""
    if pages > MAX_PDF_PAGES:
        raise LoaderError("file_pdf_too_many_pages", pages=pages, limit=MAX_PDF_PAGES)


def check_text(text: str) -> None:
    """Refuse extracted text too long for a document, or with a line too long for prose."""
    check_length(len(text))
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise LoaderError(
                "file_line_too_long", line=number, chars=len(line), limit=MAX_LINE_CHARS
            )


def check_passages(count: int) -> None:
    """Refuse a document that makes more than ``MAX_PASSAGES`` passages."""
    if count > MAX_PASSAGES:
        raise LoaderError("file_too_many_passages", count=count, limit=MAX_PASSAGES)


def check_length(chars: int) -> None:
    """Refuse text of ``chars`` characters (or more, when counted as it is extracted)."""
    if chars > MAX_TEXT_CHARS:
        raise LoaderError("file_text_too_long", chars=chars, limit=MAX_TEXT_CHARS)
