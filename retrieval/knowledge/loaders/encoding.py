"""Bytes → text for the text formats: a BOM, a declared charset, UTF-16, UTF-8, Windows-1258."""

from __future__ import annotations

import codecs

from retrieval.domain.errors import LoaderError
from retrieval.domain.text import nfc

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes → NFC text: a BOM, else the declared charset, else UTF-8, else Windows-1258.

    Windows-1258 writes most tone marks as combining characters, hence the NFC. Raises
    ``LoaderError("file_unknown_encoding")`` for bytes that are not text in any of them.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return nfc(data.decode(codec))
            except UnicodeDecodeError as exc:
                raise LoaderError("file_unknown_encoding") from exc
    candidates = [declared] if declared else []
    if data.count(0) > len(data) // 4:  # UTF-16 without a BOM: every other byte is 0
        candidates.append("utf-16-le" if data[1::2].count(0) > data[::2].count(0) else "utf-16-be")
    candidates += ["utf-8", "cp1258"]
    for codec in candidates:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\x00" not in text:
            return nfc(text)
    text = data.decode("cp1258", errors="replace")
    if "\x00" in text or text.count("\ufffd") > max(3, len(text) // 100):
        raise LoaderError("file_unknown_encoding")
    return nfc(text)
