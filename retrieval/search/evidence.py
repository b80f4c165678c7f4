"""Whether the passages found answer the question: how much of it they contain, how close
they are in meaning, and which facts named by the question none of them holds.

The decision to refuse follows the evidence, not word overlap alone:
- a strong semantic match (of a passage, or of one of its sentences) rescues a question that
  shares few words with the text (a paraphrase, an abbreviation, a question in English);
- a question that names a specific fact (a document, a year, a province, a percentage, a
  person) that no passage found contains is told that the knowledge base has no such fact,
  whatever else matches.

The constants are calibrated by ``scripts/calibrate_abstention.py`` on questions of our own
(``tests/data``), answerable and near-domain, and on the shared questions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Literal, NamedTuple

from retrieval.domain.models import DocumentMeta, Hit
from retrieval.domain.text import (
    SYLLABLE,
    bigrams,
    fold,
    has_diacritics,
    nfc,
    split_clauses,
    split_sentences,
    syllables,
    tone_key,
)
from retrieval.search.query import NamedDocument, Query, names_period

#: Passage similarity (e5-small, cosine) below LOW says nothing; above HIGH it is as good as
#: an exact match.
DENSE_LOW, DENSE_HIGH = 0.80, 0.90
#: A sentence this close to the question answers it, even with few words in common.
SENTENCE_RESCUE = 0.885
#: How many of the best passages are read for the question's words: the one that says it
#: in other words ("trùng lắp" for "chồng chéo") may rank fourth or fifth.
COVERED = 5
#: IDF weights are clipped, so that documents added later (which change every frequency)
#: move a question's confidence little.
IDF_RANGE = (1.0, 5.0)
#: The two words of a question's pair count as together when the second follows within
#: this many words: "nhận quà" is in "nhận tiền hoặc quà biếu".
PAIR_WINDOW = 3

What = Literal["document", "year", "place", "figure", "person", "procedure"]


@dataclass
class Missing:
    """A fact the question names that no passage found contains."""

    what: What
    value: str


@dataclass
class Evidence:
    confidence: float
    coverage: float
    dense: float
    sentence: float
    missing: list[Missing] = field(default_factory=list)


class _Read:
    """A text's syllables as coverage reads them: where a question's word is (remembered:
    a text is read for question after question), the set of its folded syllables and of
    their pairs (worked out when first asked). ``folded`` is given by each kind."""

    __slots__ = ("_present", "_pairs", "_memo")
    folded: tuple[str, ...]

    def __init__(self) -> None:
        self._present: frozenset[str] | None = None
        self._pairs: frozenset[str] | None = None
        self._memo: dict[str, list[int]] = {}

    @property
    def present(self) -> frozenset[str]:
        """The folded syllables, as a set."""
        if self._present is None:
            self._present = frozenset(self.folded)
        return self._present

    @property
    def pairs(self) -> frozenset[str]:
        """The folded syllables' pairs ("cai_cach")."""
        if self._pairs is None:
            self._pairs = frozenset(bigrams(list(self.folded)))
        return self._pairs

    def positions(self, word: str) -> list[int]:
        """Where ``word`` occurs: by its spelling when it has accents ("quà" is not "qua"),
        in any spelling when it has none (typed on a phone without tone marks)."""
        where = self._memo.get(word)
        if where is None:
            where = self._memo[word] = self._find(word)
        return where

    def __len__(self) -> int:
        return len(self.folded)

    def _find(self, word: str) -> list[int]:
        raise NotImplementedError


class _Tokens(_Read):
    """A text's syllables, indexed folded; a spelling is looked for among the syllables of
    its folded form (tone placement aside). Most of a question's words are not in most
    texts: a word is looked for only in a text whose set of syllables has it."""

    __slots__ = ("syllables", "folded", "_where")

    def __init__(self, syllables: tuple[str, ...], folded: tuple[str, ...]) -> None:
        super().__init__()
        self.syllables = syllables
        self.folded = folded
        self._where: dict[str, list[int]] = {}

    def _at(self, folded: str) -> list[int]:
        where = self._where.get(folded)
        if where is None:
            where = []
            if folded in self.present:  # tuple.index: a scan in C from one match to the next
                index, at = self.folded.index, -1
                try:
                    while True:
                        at = index(folded, at + 1)
                        where.append(at)
                except ValueError:
                    pass
            self._where[folded] = where
        return where

    def _find(self, word: str) -> list[int]:
        spelled, folded, key = _lookup(word)
        where = self._at(folded)
        if spelled and where:
            return [i for i in where if tone_key(self.syllables[i]) == key]
        return where


@lru_cache(maxsize=65_536)
def _lookup(word: str) -> tuple[bool, str, str]:
    """How a question's word is looked up: by its spelling (tone key), or folded as typed."""
    if has_diacritics(word):
        return True, fold(word), tone_key(word)
    return False, word, word


def _tokens(text: str) -> _Tokens:
    """A text's tokens: those of ``_located`` (one object, so a passage read for the evidence
    check is read for the answer's sentences with what it has already looked up), or, for a
    text that cannot be sliced by position, cut apart."""
    located = _located(text)
    return located[2] if located is not None else _cut(text)


@lru_cache(maxsize=1024)
def _cut(text: str) -> _Tokens:
    toks = tuple(syllables(text))
    # Folding keeps a syllable's letters apart from its marks, so the folded text has the same
    # syllables, found in one pass; a text where it does not (stray combining marks) is
    # folded syllable by syllable.
    folded = tuple(SYLLABLE.findall(fold(nfc(text))))
    if len(folded) != len(toks):
        folded = tuple(fold(t) for t in toks)
    return _Tokens(toks, folded)


class Span(NamedTuple):
    """``text[start:end]``, a sentence of a passage: read from the passage's syllables,
    which are cut once, instead of being cut again for each of its sentences."""

    text: str
    start: int
    end: int

    def __str__(self) -> str:
        return self.text[self.start : self.end]


@lru_cache(maxsize=8192)
def _located(text: str) -> tuple[tuple[int, ...], tuple[int, ...], _Tokens] | None:
    """Where each syllable of ``text`` starts and ends, and its tokens; None when its
    syllables cannot be sliced by position (not NFC, or folding changes its length)."""
    lowered = text.lower()
    folded = fold(text)
    if not (len(lowered) == len(folded) == len(text)) or not unicodedata.is_normalized("NFC", text):
        return None
    spans = [m.span() for m in SYLLABLE.finditer(lowered)]
    starts = tuple(a for a, _ in spans)
    ends = tuple(b for _, b in spans)
    return (
        starts,
        ends,
        _Tokens(tuple(lowered[a:b] for a, b in spans), tuple(folded[a:b] for a, b in spans)),
    )


class _Window(_Read):
    """Syllables ``i`` to ``j`` of a text's tokens: a sentence read within its passage, whose
    words are looked for once for all its sentences."""

    __slots__ = ("base", "i", "j")

    def __init__(self, base: _Tokens, i: int, j: int) -> None:
        super().__init__()
        self.base, self.i, self.j = base, i, j

    @property
    def folded(self) -> tuple[str, ...]:
        return self.base.folded[self.i : self.j]

    def __len__(self) -> int:
        return self.j - self.i

    def _find(self, word: str) -> list[int]:
        where, i = self.base.positions(word), self.i
        return [p - i for p in where[bisect_left(where, i) : bisect_left(where, self.j)]]


class _Chain(_Read):
    """Texts read one after the other (a heading, then a sentence), each keeping what it has
    looked up: a heading shared by many sentences is read once."""

    __slots__ = ("parts", "offsets")

    def __init__(self, parts: list[_Tokens | _Window]) -> None:
        super().__init__()
        self.parts = parts
        self.offsets: list[int] = []
        at = 0
        for part in parts:
            self.offsets.append(at)
            at += len(part)

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(chain.from_iterable(p.folded for p in self.parts))

    @property
    def present(self) -> frozenset[str]:
        if self._present is None:
            self._present = frozenset().union(*(p.present for p in self.parts))
        return self._present

    def _find(self, word: str) -> list[int]:
        out: list[int] = []
        for part, offset in zip(self.parts, self.offsets, strict=True):
            out += [p + offset for p in part.positions(word)]
        return out


def _span_tokens(span: Span) -> _Tokens | _Window:
    """The tokens of a span, as ``_tokens`` of its text gives them."""
    located = _located(span.text)
    if located is not None:
        starts, ends, tokens = located
        i, j = bisect_left(starts, span.start), bisect_left(starts, span.end)
        # the span cuts no syllable: the one before it ends before it, its last one within it
        if (i == 0 or ends[i - 1] <= span.start) and (j == 0 or ends[j - 1] <= span.end):
            return _Window(tokens, i, j)
    return _cut(str(span))


def syllable_spans(text: str, folded: set[str], spelled: set[str]) -> list[tuple[int, int]]:
    """Where in ``text`` a syllable is, folded, one of ``folded``, or is spelled as one of
    ``spelled`` (tone keys, ``domain.text.tone_key``)."""
    located = _located(text)
    if located is None:
        return [
            m.span()
            for m in SYLLABLE.finditer(text)
            if tone_key(m.group(0)) in spelled or fold(m.group(0)) in folded
        ]
    starts, ends, tokens = located
    by_spelling = {fold(k) for k in spelled}  # a spelling is looked at only where it may be
    return [
        (starts[i], ends[i])
        for i, f in enumerate(tokens.folded)
        if f in folded or (f in by_spelling and tone_key(tokens.syllables[i]) in spelled)
    ]


def _expanded(query: Query, part: str | Span) -> str | Span:
    """A part with the question's abbreviations spelled out; a sentence of a passage that
    has none stays where it is (``Span``)."""
    if isinstance(part, Span):
        if query.expand(part.text) == part.text:
            return part
        part = str(part)
    return query.expand(part)


@lru_cache(maxsize=8192)
def _joined(parts: tuple[str | Span, ...]) -> _Tokens | _Window | _Chain:
    """The tokens of ``parts`` read one after the other, as of the parts joined by newlines
    (a syllable never spans one): a heading or a document's title, shared by many texts, is
    cut once."""
    cut = [_span_tokens(p) if isinstance(p, Span) else _tokens(p) for p in parts]
    return cut[0] if len(cut) == 1 else _Chain(cut)


def word_in(word: str, text: str | tuple[str, ...]) -> bool:
    """Whether a question's ``word`` occurs in ``text`` or its parts (see
    ``_Tokens.positions``)."""
    return bool(_joined((text,) if isinstance(text, str) else text).positions(word))


def evidence_parts(hit: Hit) -> tuple[str, str, str]:
    """What a hit says, with the document it belongs to: its title, number, issuer and
    summary name what the passage itself may only call "Nghị định này", "tỉnh" or leave to
    an earlier paragraph ("Thủ tướng nhấn mạnh …"); then its section, then its text."""
    doc = hit.document
    head = " ".join(x for x in (doc.title, doc.number or "", doc.issuer or "", doc.summary) if x)
    return head, hit.passage.section, hit.passage.text


def evidence_text(hit: Hit) -> str:
    return "\n".join(evidence_parts(hit))


class _Terms(NamedTuple):
    """What ``coverage`` reads of a question, whatever the text: each word's weight, each
    pair's, and each phrase of the question that has synonyms (its syllables, folded) with
    the folded syllables and syllable pairs of every other form."""

    weights: dict[str, float]
    pair_weights: list[float]
    synonyms: list[tuple[frozenset[str], list[tuple[list[str], frozenset[str]]]]]


def _terms(query: Query, idf: Callable[[str], float]) -> _Terms:
    """``_Terms`` of ``query``, worked out once (a question is read against ~25 texts)."""
    key = ("coverage", idf)
    terms = query.memo.get(key)
    if terms is None:
        weights = {w: min(max(idf(w), IDF_RANGE[0]), IDF_RANGE[1]) for w in query.words}
        synonyms = []
        for phrase, others in query.synonyms.items():
            forms = []
            for other in others:
                toks = [fold(t) for t in syllables(other)]
                forms.append((toks, frozenset(bigrams(toks))))
            synonyms.append((frozenset(fold(t) for t in syllables(phrase)), forms))
        terms = query.memo[key] = _Terms(weights, _pair_weights(query, weights), synonyms)
    return terms


def _focused(
    query: Query, terms: _Terms, focus: dict[str, float]
) -> tuple[dict[str, float], list[float]]:
    """The weights multiplied by ``focus``: worked out once for the sentences of an answer,
    which share it (the memo holds ``focus`` itself, so its id is not another's)."""
    key = ("focus", id(focus), id(terms))
    kept = query.memo.get(key)
    if kept is None or kept[0] is not focus or kept[1] is not terms:
        weights = {w: x * focus.get(w, 1.0) for w, x in terms.weights.items()}
        kept = query.memo[key] = (focus, terms, weights, _pair_weights(query, weights))
    return kept[2], kept[3]


def _pair_weights(query: Query, weights: dict[str, float]) -> list[float]:
    # A pair weighs what its words weigh: "nhận quà" says more than "giải quyết".
    return [(weights.get(a, 1.0) + weights.get(b, 1.0)) / 2 for a, b in query.pairs]


def coverage(
    query: Query,
    idf: Callable[[str], float],
    text: str | tuple[str | Span, ...],
    focus: dict[str, float] | None = None,
) -> float:
    """How much of the question ``text`` (or its parts, read as joined by newlines: a
    heading and a sentence) contains, in [0, 1]: the IDF-weighted share of its
    content words, averaged with the share of its word pairs (near each other, in order). A
    word counts as present when a synonym of the phrase it belongs to is there ("chồng chéo"
    ↔ "trùng lắp"). Pairs keep
    "thủ đô nước Pháp" from matching a passage on "thủ tục" and "pháp luật". ``focus``
    multiplies a word's weight (see ``answer.excerpts.focus``)."""
    if not query.words:
        return 0.0
    parts = (text,) if isinstance(text, str) else text
    tokens = _joined(tuple(_expanded(query, p) for p in parts))
    terms = _terms(query, idf)
    by_synonym: set[str] = set()
    for phrase, forms in terms.synonyms:
        for toks, pairs in forms:
            if (
                toks
                and all(t in tokens.present for t in toks)
                and (len(toks) == 1 or pairs <= tokens.pairs)
            ):
                by_synonym |= phrase
                break
    where = {w: tokens.positions(w) for w in query.words}
    covered = {w for w in query.words if where[w] or fold(w) in by_synonym}
    weights, pair_weights = terms.weights, terms.pair_weights
    if focus:
        weights, pair_weights = _focused(query, terms, focus)
    total = sum(weights.values()) or 1.0
    single = sum(weights[w] for w in covered) / total
    if not query.pairs:
        return single

    def pair_present(a: str, b: str) -> bool:
        if by_synonym and {fold(a), fold(b)} <= by_synonym:
            return True
        before = where[a] if a in where else tokens.positions(a)
        if not before:
            return False
        after = where[b] if b in where else tokens.positions(b)
        if not after:
            return False
        following = set(after)
        return any(i + gap in following for i in before for gap in range(1, PAIR_WINDOW + 1))

    double = sum(
        x for (a, b), x in zip(query.pairs, pair_weights, strict=True) if pair_present(a, b)
    ) / sum(pair_weights)
    return (single + double) / 2


def _ramp(x: float, low: float, high: float) -> float:
    return min(max((x - low) / (high - low), 0.0), 1.0)


def confidence(cover: float, dense: float, sentence: float) -> float:
    """Words and meaning, half each; a very close sentence alone is enough."""
    base = 0.5 * cover + 0.5 * _ramp(dense, DENSE_LOW, DENSE_HIGH)
    rescue = 0.7 * _ramp(sentence, SENTENCE_RESCUE - 0.02, SENTENCE_RESCUE + 0.02)
    return max(base, rescue)


# -- facts the question names -----------------------------------------------------------------
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|phần trăm)")
_MONEY = re.compile(r"\d[\d.,]*\s*(?:đồng|triệu|tỷ|nghìn|ngàn)\b", re.I)
_SURNAMES = (
    "Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Trương|Đinh|"
    "Đoàn|Lưu|Mai|Tô|Hà|Chu|Lâm|Thái|Tạ|Cao|Vương|Triệu"
)
_PERSON = re.compile(rf"\b(?:{_SURNAMES})(?:\s[A-ZĐ][a-zà-ỹđ]+){{1,3}}\b")


_FIGURE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:%|lần|ngày|tháng|năm|giờ|tuần|tỉnh|thủ tục|nội dung|lĩnh vực|"
    r"đồng|triệu|tỷ|người|văn bản|cơ quan)\b|\b\d+/\d+\b|\b(?:một|hai|ba|bốn|năm|sáu|bảy|"
    r"tám|chín|mười|06|05|07)\s+(?:lần|ngày|tháng|nội dung|lĩnh vực|bài học|quan điểm|"
    r"giải pháp)\b",
    re.IGNORECASE,
)


def figures_in(text: str) -> bool:
    """Whether ``text`` states a figure: a count, a duration, a rank, a date."""
    return _FIGURE.search(text) is not None


@dataclass(frozen=True)
class Catalogue:
    """The titles and numbers of every document of a version, folded and in ``_canon`` form:
    what a document a question names is looked for in when no passage found names it. Made
    once per version, when it is opened (50,000 documents at 1M passages: ~0.5 s)."""

    folded: str
    canon: str

    @classmethod
    def of(cls, documents: list[DocumentMeta]) -> Catalogue:
        folded = fold(" ".join(f"{d.title} {d.number or ''}" for d in documents))
        return cls(folded, _canon(folded))


def _canon(text: str) -> str:
    """Letters and digits only, folded: "61/2018/NĐ-CP" and "61/2018/ND-CP" agree."""
    return re.sub(r"[^0-9a-z]", "", fold(text))


_KIND_CODES = {"nghi dinh": "nd", "nghi quyet": "nq", "quyet dinh": "qd", "thong tu": "tt"}


def document_named(doc: NamedDocument, folded: str, canon: str) -> bool:
    """Whether the document a question names appears in the evidence (``folded`` and its
    ``canon`` form)."""
    if doc.kind == "luat":
        words = re.sub(r"[^\w ]", " ", folded)
        return f"luat {doc.name}" in " ".join(words.split()) and doc.year in folded
    if doc.code:
        return _canon(f"{doc.number}{doc.year}{doc.code}") in canon
    if doc.year:
        return _canon(f"{doc.number}{doc.year}") in canon
    spelled = (
        _canon(f"{doc.kind}{doc.number}") in canon or _canon(f"{doc.kind}so{doc.number}") in canon
    )
    code = _KIND_CODES.get(doc.kind)
    by_number = code is not None and re.search(
        rf"(?<![\d]){re.escape(doc.number)}/\d{{4}}/{code}\b", folded
    )
    return spelled or bool(by_number)


def names_any(documents: list[NamedDocument], hit: Hit) -> bool:
    """Whether ``hit`` (its text or its document) is one of the ``documents`` a question
    names."""
    folded = fold(evidence_text(hit))
    canon = _canon(folded)
    return any(document_named(doc, folded, canon) for doc in documents)


#: The passages that answer: those covering at least this share of the best coverage.
ANSWERING = 0.8
#: A figure answers "bao nhiêu / mấy" only in a sentence that covers this much of the question.
FIGURE_SENTENCE = 0.35


def states_figure(query: Query, text: str, idf: Callable[[str], float]) -> bool:
    """Whether a sentence of ``text`` states a figure and is about what the question asks."""
    return any(
        figures_in(sentence) and coverage(query, idf, sentence) >= FIGURE_SENTENCE
        for sentence in split_sentences(text)
    )


def _figure_answers(query: Query, hits: list[Hit], idf: Callable[[str], float]) -> bool:
    return any(states_figure(query, h.passage.text, idf) for h in hits)


_DATES = re.compile(
    r"\b(?:ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?|\b\d{1,2}/\d{1,2}/\d{4}\b"
    r"|\btháng\s+\d{1,2}(?:\s*/\s*|\s+năm\s+)\d{4}",
    re.IGNORECASE,
)


def _figure_in_year(hits: list[Hit], year: str) -> bool:
    """Whether a clause of ``hits`` names ``year`` on its own (not as the end of a period
    "2016 – 2020", nor in a date) and states a figure beside it: "năm 2019 xếp thứ 55/63"."""
    for h in hits:
        for sentence in split_sentences(h.passage.text):
            if year not in sentence:
                continue
            for a, b in split_clauses(sentence):
                clause = _DATES.sub(" ", sentence[a:b])
                for m in re.finditer(year, clause):
                    before, after = clause[: m.start()], clause[m.end() :]
                    if re.search(r"\d\s*[–-]\s*$", before) or re.match(r"\s*[–-]\s*\d", after):
                        continue  # a period, not the year asked about
                    if figures_in(before + " " + after):
                        return True
    return False


_AT_PLACE = re.compile(r"\b(?:tại|ở)\s+[A-ZĐ]")


def _names_a_place(query: Query, texts: list[str]) -> bool:
    joined = "\n".join(texts)
    return bool(query.vocabulary.places_in(joined)) or _AT_PLACE.search(joined) is not None


def missing_facts(
    query: Query,
    hits: list[Hit],
    catalogue: Catalogue,
    idf: Callable[[str], float],
    covers: list[float] | None = None,
) -> list[Missing]:
    """The documents, years, places, figures and people the question names that the passages
    that answer it do not contain (a document may also be in the knowledge base's list of
    documents). A fact found only in a passage about something else does not count: "năm
    2022" in a report of 2022 does not answer who led a ranking in 2022. ``covers``: the
    coverage of the first hits, when the caller has it."""
    if not hits:
        return []
    if covers is None:
        covers = [coverage(query, idf, evidence_parts(h)) for h in hits[:3]]
    covers = covers[:3]
    answering = [h for h, c in zip(hits[:3], covers, strict=False) if c >= ANSWERING * max(covers)]
    texts = [evidence_text(h) for h in answering]
    folded = fold("\n".join(texts))
    everywhere = fold("\n".join(evidence_text(h) for h in hits))
    years_known = " ".join(str(h.document.issued.year) for h in answering if h.document.issued)
    out: list[Missing] = []
    canon = _canon(everywhere) if query.documents else ""
    for doc in query.documents:
        if not document_named(doc, everywhere, canon) and not document_named(
            doc, catalogue.folded, catalogue.canon
        ):
            out.append(Missing("document", doc.text))
    figure_asked = bool(query.wants & {"number", "duration", "percent", "money"})
    for year in query.years:
        if year in query.period_years:
            # "giai đoạn 2011-2020": named by a passage found, or the document it belongs to
            if not any(names_period(everywhere, p) for p in query.periods if year in p):
                out.append(Missing("year", year))
            continue
        if year not in folded and year not in years_known:
            out.append(Missing("year", year))
        elif figure_asked and not _figure_in_year(answering, year):
            # "thứ mấy năm 2020?": a ranking of 2016–2019 does not answer it
            out.append(Missing("year", year))
    for place in query.places:
        if fold(place) not in folded:
            out.append(Missing("place", place))
    if "place" in query.wants and not query.places and not _names_a_place(query, texts):
        out.append(Missing("place", ""))  # "tỉnh nào …?" that no passage names a place for
    if query.procedure and query.procedure not in " ".join(folded.split()):
        out.append(Missing("procedure", query.procedure))
    joined = "\n".join(texts)
    if "percent" in query.wants and not _PERCENT.search(joined):
        out.append(Missing("figure", "percent"))
    elif "money" in query.wants and not _MONEY.search(joined):
        out.append(Missing("figure", "money"))
    elif query.wants & {"number", "duration"} and not _figure_answers(query, answering, idf):
        # "bao nhiêu / mấy / bao lâu" that no sentence about the question's subject answers
        out.append(Missing("figure", "number"))
    if "person" in query.wants and not _PERSON.search(joined):
        out.append(Missing("person", ""))
    return out


def judge(
    query: Query,
    hits: list[Hit],
    idf: Callable[[str], float],
    catalogue: Catalogue,
    dense_top: float,
    sentence_top: float,
) -> Evidence:
    """The evidence for answering ``query`` from its best ``hits``."""
    covers = [coverage(query, idf, evidence_parts(h)) for h in hits[:COVERED]]
    cover = max(covers, default=0.0)
    return Evidence(
        confidence=confidence(cover, dense_top, sentence_top) if hits else 0.0,
        coverage=cover,
        dense=dense_top,
        sentence=sentence_top,
        missing=missing_facts(query, hits[:5], catalogue, idf, covers),
    )


def idf_of(total: int, doc_freq: Callable[[str], int]) -> Callable[[str], float]:
    """A word's IDF in one index version (remembered: the version does not change)."""

    @lru_cache(maxsize=65_536)
    def idf(term: str) -> float:
        df = doc_freq(term)
        return math.log(1 + (total - df + 0.5) / (df + 0.5))

    return idf
