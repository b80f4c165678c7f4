"""Choosing the words an answer quotes: the sentences of a passage that answer the question,
whole, in their order, a gap marked "…", cut (when too long) only between clauses and never
through the words that match the question.

Sentences are scored as passages are found: the same vocabulary, accent folding and IDF
weights (``search.evidence.coverage``), and the sentence's own vector against the question's.
A question about a date or a number prefers the sentences that hold one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from retrieval.domain.models import Hit, Passage, Snippet
from retrieval.domain.naming import ELLIPSIS
from retrieval.domain.text import (
    fold,
    has_diacritics,
    split_clauses,
    syllables,
    tone_key,
)
from retrieval.knowledge.boilerplate import is_furniture
from retrieval.knowledge.structure import Unit, passage_units
from retrieval.search.evidence import Span, coverage, syllable_spans, word_in
from retrieval.search.query import Query

#: Longest sentence shown whole; a longer one is cut between clauses around what matches.
SENTENCE_BUDGET = 360
#: A second sentence joins the first when it scores at least this share of it.
SECOND_SENTENCE = 0.8
BULLET_BUDGET = 520
#: The sentence that announces a list, shown before one of its items.
OPENER_BUDGET = 200

_DATE = re.compile(
    r"\b(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?\b"
    r"|\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\b"
    r"|\b(?:tháng\s+\d{1,2}\s+)?năm\s+\d{4}\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = "một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mười hai"
#: A figure's units; "tháng" and "năm" followed by a number are a date ("22 tháng 4 năm
#: 2021"), and "một bộ phận" is not a count of ministries.
_UNITS = (
    r"lần|ngày làm việc|ngày|tháng(?!\s+\d)|năm(?!\s+\d)|giờ|tuần|nội dung|lĩnh vực|"
    r"thủ tục hành chính|thủ tục|giải pháp|quan điểm|bài học|nhiệm vụ|tỉnh|bộ(?! phận)|"
    r"phần trăm|%|đồng|triệu đồng|tỷ đồng"
)
_FIGURE = re.compile(
    rf"(?<![-–/])\b(?:không quá |quá |tối đa |chậm nhất (?:là |trước )?|trước |sau |trong )?"
    rf"(?:\d+(?:[.,]\d+)?|{_NUMBER_WORDS})\s*(?:{_UNITS})\b"
    r"|\bthứ\s+\d+/\d+\b|\b\d+/\d+\s+(?:tỉnh|bộ)\b|\b\d+(?:[.,]\d+)?\s*%",
    re.IGNORECASE,
)


#: What a rule allows or forbids: the answer to "có được … không?".
_RULING = re.compile(
    r"\b(?:nghiêm cấm|cấm|không được|được phép|không phải|có quyền|có trách nhiệm|bắt buộc)\b",
    re.IGNORECASE,
)
#: A cause or a purpose: the answer to "vì sao …?".
_REASON = re.compile(
    r"\b(?:vì|bởi|do đó|do vậy|nguyên nhân|lý do|để|nhằm|mặc dù|tồn tại|hạn chế)\b",
    re.IGNORECASE,
)
#: "… tại Hải Phòng", "ở Thành phố Hồ Chí Minh": a place named after "tại" or "ở".
_PLACE = re.compile(r"\b(?:tại|ở)\s+((?:[A-ZĐ][^\W\d_]*\s?){1,4})")


@dataclass
class Sentence:
    """A sentence of a cited passage, and how well it answers."""

    passage: Passage
    unit: Unit
    text: str
    lexical: float
    dense: float
    score: float
    furniture: bool
    #: The sentence that announces the list this sentence is an item of, when in the passage.
    opener: Unit | None = None

    @property
    def opens_list(self) -> bool:
        return self.unit.opens_list


def _ramp(x: float, low: float, high: float) -> float:
    return min(max((x - low) / (high - low), 0.0), 1.0)


def figures(text: str, query: Query) -> list[tuple[int, int]]:
    """Spans of the dates or figures a question about "khi nào / bao nhiêu / mấy" asks for."""
    spans: list[tuple[int, int]] = []
    if "date" in query.wants:
        spans += [m.span() for m in _DATE.finditer(text)]
    if query.wants & {"number", "duration", "percent", "money"} or query.expected_count:
        spans += [m.span() for m in _FIGURE.finditer(text)]
    if "place" in query.wants:
        spans += [m.span(1) for m in _PLACE.finditer(text)]
    if query.years and spans:
        # "năm 2018 xếp thứ mấy?": the figure of the clause about 2018, not of 2016 or 2019
        clauses = [
            (a, b) for a, b in split_clauses(text) if any(y in text[a:b] for y in query.years)
        ]
        near = [s for s in spans if any(a <= s[0] < b for a, b in clauses)]
        spans = near or spans
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def focus(query: Query, passages: list[Passage]) -> dict[str, float]:
    """How much each word of the question singles out a passage among those found: a word
    in every one ("hồ sơ" of "… nhận quà … khi giải quyết hồ sơ") is the topic they share;
    a word in one ("quà") is what the question is about. The weight of a word in ``n`` of
    ``N`` passages is multiplied by 1 + ln((N + 1) / (n + 0.5))."""
    texts = [(p.section, p.text) for p in passages]
    out = {}
    for w in query.words:
        n = sum(word_in(w, t) for t in texts)
        out[w] = 1.0 + math.log((len(texts) + 1) / (n + 0.5))
    return out


def read_sentences(
    query: Query,
    hit: Hit,
    vectors: list[tuple[int, int, np.ndarray]],
    query_vector: np.ndarray | None,
    idf: Callable[[str], float],
    weights: dict[str, float] | None = None,
) -> list[Sentence]:
    """The sentences of a hit's passage (not its heading or status line), scored."""
    passage = hit.passage
    by_start = {start: vec for start, _, vec in vectors}
    # A sentence is read under its heading: "Tiếp tục xây dựng nền hành chính …" answers
    # "mục tiêu chung" because it stands under "II. MỤC TIÊU CHUNG".
    heading = passage.section.rsplit(" › ", 1)[-1]
    out = []
    units = passage_units(passage.text)
    openers = list_openers(units)
    for unit in units:
        if unit.role != "sentence":
            continue
        text = unit.text(passage.text)
        if not any(c.isalnum() for c in text):
            continue  # a stray "." left between two items is not a sentence
        # An item is read with the sentence that announces its list: "d) Nhận tiền hoặc quà
        # biếu …" is about "cán bộ, công chức" because "1. Nghiêm cấm cán bộ, công chức …
        # thực hiện các hành vi sau:" says so.
        opener = openers.get(unit.start)
        context = (heading,) if opener is None else (heading, opener.text(passage.text))
        # the sentence is read from its passage's syllables, cut once for all its sentences
        where = Span(passage.text, unit.start, unit.end)
        lexical = coverage(query, idf, (*context, where), weights)
        vec = by_start.get(unit.start)
        dense = (
            float(np.dot(vec, query_vector))
            if vec is not None and query_vector is not None
            else 0.0
        )
        score = 0.5 * lexical + 0.5 * _ramp(dense, 0.78, 0.92)
        if (
            figures(text, query)
            or ("permission" in query.wants and _RULING.search("\n".join((*context, text))))
            or ("reason" in query.wants and _REASON.search(text))
            or query.defined_in(text)
        ):
            score += 0.15
        if query.kinds and passage.kind in query.kinds:
            score += 0.1  # "mục tiêu …?": a sentence under "II. MỤC TIÊU CHUNG"
        if text.rstrip().endswith(":"):
            score *= 0.6  # "… như sau:" alone, without its list, answers nothing
        furniture = is_furniture(text)
        if furniture:
            score *= 0.3
        out.append(Sentence(passage, unit, text, lexical, dense, score, furniture, opener))
    return out


def _label_kind(label: str | None) -> str | None:
    if label is None:
        return None
    if label.isdigit():
        return "number"
    if len(label) == 1 and label.isalpha():
        return "letter"
    return "dash" if len(label) == 1 else "ordinal"


def list_openers(units: list[Unit]) -> dict[int, Unit]:
    """For each sentence of a list item (by its start), the sentence that opened its list
    in the same passage. An opener that is itself an item ("1. … các hành vi sau:") rules
    the items of another kind ("a)", "b)") until the next item of its own kind."""
    out: dict[int, Unit] = {}
    opener: Unit | None = None
    opener_kind: str | None = None
    current_item_line = -1
    for unit in units:
        if unit.role != "sentence":
            continue
        kind = _label_kind(unit.item)
        if unit.item is not None:
            current_item_line = unit.line
            if opener is not None and opener_kind is not None and kind == opener_kind:
                opener = None
        elif unit.line != current_item_line and opener is not None and not unit.opens_list:
            opener = None  # the text goes on after the list
        if opener is not None and unit is not opener and unit.line == current_item_line:
            out[unit.start] = opener
        if unit.opens_list:
            opener, opener_kind = unit, kind
    return out


def matched_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the question's words (or their synonyms) occur in ``text``."""
    spelled = {tone_key(w) for w in query.words if has_diacritics(w)}
    folded = {w for w in query.words if not has_diacritics(w)}
    for others in query.synonyms.values():
        folded |= {fold(t) for o in others for t in syllables(o)}
    return syllable_spans(text, folded, spelled)


def trim(
    text: str, query: Query, budget: int = SENTENCE_BUDGET, keep_start: bool = False
) -> tuple[str, int]:
    """``text`` cut between clauses to about ``budget`` characters, keeping the clause that
    matches the question best; from the sentence's start when that clause is near enough
    (always with ``keep_start``: a list item is known by its opening words), otherwise
    around it. Returns the text (with "…" where cut) and the offset in ``text`` of its first
    kept character."""
    if len(text) <= budget:
        return text, 0
    clauses = split_clauses(text)
    hits = matched_spans(text, query) + figures(text, query)
    weight = [sum(1 for a, _ in hits if s <= a < e) for s, e in clauses]
    best = 0 if keep_start else max(range(len(clauses)), key=lambda i: (weight[i], -i))
    lo = 0 if clauses[best][1] <= budget else best
    hi = max(lo, best)
    while True:
        grown = False
        for cand in (hi + 1, lo - 1):  # prefer what follows: a clause explains the one before
            if 0 <= cand < len(clauses):
                a = clauses[min(lo, cand)][0]
                b = clauses[max(hi, cand)][1]
                if b - a <= budget:
                    lo, hi = min(lo, cand), max(hi, cand)
                    grown = True
                    break
        if not grown:
            break
    start, end = clauses[lo][0], clauses[hi][1]
    cut = text[start:end].strip()
    if end < len(text):
        cut = cut.rstrip(" ,;:") + ELLIPSIS
    if start > 0:
        cut = ELLIPSIS + cut
    return cut, start


def around(text: str, phrase: str, budget: int) -> str:
    """``text`` cut between clauses to about ``budget`` characters around ``phrase``."""
    at = text.find(phrase)
    if at < 0 or len(text) <= budget:
        return text
    clauses = split_clauses(text)
    first = next(i for i, (a, b) in enumerate(clauses) if a <= at < b or at < a)
    lo = hi = first
    while hi + 1 < len(clauses) and clauses[hi + 1][1] - clauses[lo][0] <= budget:
        hi += 1
    while lo > 0 and clauses[hi][1] - clauses[lo - 1][0] <= budget:
        lo -= 1
    start, end = clauses[lo][0], clauses[hi][1]
    cut = text[start:end].strip()
    if end < len(text):
        cut = cut.rstrip(" ,;:") + ELLIPSIS
    if start > 0:
        cut = ELLIPSIS + cut
    return cut


def snippet(sentences: list[Sentence], query: Query, budget: int = BULLET_BUDGET) -> Snippet:
    """Sentences (already in reading order) as one snippet: trimmed each, joined with a
    space when they follow each other and with "…" across a gap; figures in bold."""
    parts: list[str] = []
    bold: list[tuple[int, int]] = []
    previous: Sentence | None = None
    length = 0
    first = sentences[0] if sentences else None
    if (
        first is not None
        and first.opener is not None
        and all(s.unit != first.opener for s in sentences)
    ):
        # An item is shown under the words that announce it: "Nghiêm cấm … các hành vi sau:
        # … d) Nhận tiền hoặc quà biếu …".
        opener = first.opener.text(first.passage.text)
        text, _ = trim(opener, query, OPENER_BUDGET)
        parts.append(text)
        length = len(text)
        previous = Sentence(first.passage, first.opener, opener, 0.0, 0.0, 0.0, False)
    for s in sentences:
        room = max(budget - length, 120)
        text, _ = trim(s.text, query, min(SENTENCE_BUDGET, room) if len(sentences) > 1 else room)
        if previous is not None:
            adjacent = previous.passage.id == s.passage.id and _next_to(previous.unit, s.unit)
            parts.append(" " if adjacent else f" {ELLIPSIS} ")
        offset = sum(map(len, parts))
        bold += [(offset + a, offset + b) for a, b in figures(text, query)]
        parts.append(text)
        length = sum(map(len, parts))
        previous = s
    return Snippet(text="".join(parts), bold=bold)


def _next_to(a: Unit, b: Unit) -> bool:
    """Whether sentence ``b`` directly follows sentence ``a`` in the passage."""
    return b.line == a.line or b.line == a.line + 1 and b.start - a.end <= 2


def best_sentences(sentences: list[Sentence], limit: int = 2) -> list[Sentence]:
    """The best sentence, and the next best when nearly as good, in reading order."""
    ranked = sorted((s for s in sentences if not s.furniture), key=lambda s: s.score, reverse=True)
    if not ranked:
        return []
    chosen = [ranked[0]]
    for s in ranked[1:limit]:
        if s.score >= SECOND_SENTENCE * ranked[0].score:
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.unit.start)
