"""Quiz wording: shortening at word boundaries, normalising for comparison, numbers and dates."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from retrieval.domain.naming import ELLIPSIS
from retrieval.domain.text import fold, nfc, split_sentences, syllables

ORDINAL_WORDS = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười"]

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_LEADING_ZERO = re.compile(r"\b0+(\d)")
_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DMY_WORDS = re.compile(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w/])0*(\d+)(?![\w/])")


def sentence_case(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def strip_end(text: str) -> str:
    return text.strip().rstrip(" .;:,")


def norm(text: str) -> str:
    """Lower case, NFC, punctuation and "…" as spaces, no leading zeros: for "occurs in"."""
    text = nfc(text).lower().replace(ELLIPSIS, " ")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return " " + " ".join(_LEADING_ZERO.sub(r"\1", text).split()) + " "


def occurs(needle: str, haystack: str) -> bool:
    """Whether ``needle`` (minus any "…") occurs in ``haystack`` as whole words."""
    n = norm(needle)
    return n.strip() != "" and n in norm(haystack)


def dates_in(text: str) -> set[dt.date]:
    """Every valid date written as d/m/yyyy or "ngày d tháng m năm yyyy"."""
    out: set[dt.date] = set()
    for m in [*_DMY.finditer(text), *_DMY_WORDS.finditer(text)]:
        try:
            out.add(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        except ValueError:
            continue
    return out


def numbers_in(text: str) -> list[int]:
    """Whole numbers standing alone (not parts of "76/NQ-CP" or "15/7/2021")."""
    return [int(m.group(1)) for m in _NUMBER.finditer(text)]


def ordinal_word(n: int) -> str:
    return ORDINAL_WORDS[n - 1] if 1 <= n <= len(ORDINAL_WORDS) else str(n)


@lru_cache(maxsize=4096)
def folded_bigrams(text: str) -> frozenset[str]:
    """Accent-folded pairs of neighbouring syllables."""
    toks = [fold(s) for s in syllables(text)]
    return frozenset(f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False))


def overlap(a: str, b: str, common: frozenset[str] = frozenset()) -> float:
    """Share of ``a``'s informative word pairs found in ``b`` (1.0 when ``a`` has none)."""
    pairs = folded_bigrams(a) - common
    if not pairs:
        return 1.0
    return len(pairs & folded_bigrams(b)) / len(pairs)


_LINE_ENUM = re.compile(r"^(?:\d{1,2}\.|[a-zđ]\)|-)\s+")


def clauses(text: str) -> list[str]:
    """A passage's statements: lines without their "1." / "a)" marks, split at sentence ends
    and at ";"."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _LINE_ENUM.sub("", line.strip())
        for sentence in split_sentences(line):
            out.extend(c.strip() for c in sentence.split("; ") if c.strip())
    return out
