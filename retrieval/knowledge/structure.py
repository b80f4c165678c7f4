"""The inner structure of a passage: its heading and status lines, its sentences, the items of
its lists and the sentences that open them.

Excerpts, lists and sentence vectors all read a passage through these units, so that an
answer never starts in the middle of a sentence, never loses the items of an enumeration and
always knows which line an item label ("1.", "b)", "Thứ ba,") belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from retrieval.domain.text import sentence_spans, split_clauses

CONTINUED = " (tiếp theo)"

Role = Literal["heading", "status", "sentence"]

#: The label that opens an item: "1.", "2)", "a)", "đ)", "Thứ nhất,", "- ", "+ ".
_ITEM = re.compile(
    r"^(?:(?P<num>\d{1,2})[.)]|(?P<letter>[a-zđ])\)|(?P<ord>Thứ\s+(?:nhất|hai|ba|tư|năm|sáu|bảy|"
    r"tám|chín|mười))\s*[,:.]|(?P<dash>[-–+•]))\s+",
    re.IGNORECASE,
)
_ARTICLE_HEAD = re.compile(r"^Điều\s+[\dA-Za-zĐđ.]+\.?\s")
_STATUS = re.compile(r"^\((?:Điều|Khoản|Điểm|Chương|Mục)\s[^)]*\)$")
#: A sentence that announces a list: it ends with a colon, or names what follows.
_OPENS = re.compile(
    r"(?:[:：]\s*$|\b(?:đó là|bao gồm|gồm|như sau|sau đây|cụ thể(?: là| như)?|như)\s*:)",
    re.IGNORECASE,
)
#: "… đó là: A; B; C và D." — where the items of an inline list start.
_INLINE_OPEN = re.compile(
    r"\b(?:đó là|bao gồm|gồm|như|sau đây|cụ thể(?: là)?|là)\s*:\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class Unit:
    """One line of a passage's head, or one sentence of its body, by offsets in its text."""

    start: int
    end: int
    role: Role
    line: int
    #: The item label when this sentence opens an item ("1", "a", "Thứ nhất").
    item: str | None = None
    #: Whether this sentence announces a list ("… gồm:", "đó là:").
    opens_list: bool = False

    def text(self, passage_text: str) -> str:
        return passage_text[self.start : self.end]


def item_label(line: str) -> str | None:
    """The enumerator that opens ``line`` ("1", "a", "Thứ nhất", "-"), or None."""
    m = _ITEM.match(line)
    if m is None:
        return None
    label = m.group("num") or m.group("letter") or m.group("ord") or m.group("dash")
    return " ".join(label.split())


def is_heading_line(line: str) -> bool:
    return bool(_ARTICLE_HEAD.match(line)) or line.endswith(CONTINUED)


def is_status_line(line: str) -> bool:
    return bool(_STATUS.match(line)) and "hiệu lực" in line


def passage_units(text: str) -> list[Unit]:
    """The units of a passage, in order."""
    return list(_units(text))


@lru_cache(maxsize=8192)
def _units(text: str) -> tuple[Unit, ...]:
    """Remembered by text: excerpts, lists and the answer read the same passages' units
    several times a question, and the questions of a day return to the same passages."""
    units: list[Unit] = []
    offset = 0
    for n, line in enumerate(text.split("\n")):
        stripped = line.strip()
        lead = len(line) - len(line.lstrip())
        base = offset + lead
        if stripped:
            if n == 0 and is_heading_line(stripped):
                units.append(Unit(base, base + len(stripped), "heading", n))
            elif n <= 1 and is_status_line(stripped):
                units.append(Unit(base, base + len(stripped), "status", n))
            else:
                label = item_label(stripped)
                for i, (a, b) in enumerate(sentence_spans(stripped)):
                    sentence = stripped[a:b]
                    units.append(
                        Unit(
                            base + a,
                            base + b,
                            "sentence",
                            n,
                            item=label if i == 0 else None,
                            opens_list=bool(_OPENS.search(sentence)),
                        )
                    )
        offset += len(line) + 1
    return tuple(units)


def inline_items(sentence: str) -> tuple[int, list[tuple[int, int]]] | None:
    """An enumeration written inside one sentence ("… 6 nội dung, đó là: A; B; C và D."):
    the end of its opening words and the (start, end) of each item; None when the sentence
    holds no such list. Items are separated by ";" (the last two may be joined by "và")."""
    m = _INLINE_OPEN.search(sentence)
    if m is None or ";" not in sentence[m.end() :]:
        return None
    body_start = m.end()
    spans: list[tuple[int, int]] = []
    start = body_start
    for sep in re.finditer(r";\s*", sentence[body_start:]):
        spans.append((start, body_start + sep.start()))
        start = body_start + sep.end()
    end = len(sentence.rstrip().rstrip(".;"))
    spans.append((start, end))
    # "… tài chính công và Xây dựng, phát triển …": a capital after "và" starts the last item.
    last_start, last_end = spans[-1]
    joined = re.search(r"\s+và\s+(?=[A-ZĐ])", sentence[last_start:last_end])
    if joined:
        spans[-1] = (last_start, last_start + joined.start())
        spans.append((last_start + joined.end(), last_end))
    return m.end(), [(a, b) for a, b in spans if sentence[a:b].strip()]


#: A sentence longer than this is read in windows of whole clauses: a question that
#: paraphrases one clause of a long sentence matches that clause, not the whole sentence.
WINDOW = 240


def sentence_windows(text: str) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of every sentence of a passage's body; a long sentence also
    as windows of consecutive clauses of at most about ``WINDOW`` characters (the whole
    sentence says what it is about, a window what one clause says)."""
    out: list[tuple[int, int]] = []
    for unit in passage_units(text):
        if unit.role != "sentence":
            continue
        out.append((unit.start, unit.end))
        if unit.end - unit.start <= WINDOW:
            continue
        clauses = split_clauses(text[unit.start : unit.end])
        start = end = None
        for a, b in clauses:
            a, b = unit.start + a, unit.start + b
            if start is None:
                start, end = a, b
            elif b - start <= WINDOW:
                end = b
            else:
                out.append((start, end))
                start, end = a, b
        if start is not None:
            out.append((start, end))
    return out
