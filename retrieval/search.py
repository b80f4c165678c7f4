"""Hybrid search: BM25 over FTS5 fused with FAISS dense search, then de-duplication.

User text never reaches FTS5 as query syntax: every term is a quoted string built from
syllables, so quotes, AND, NEAR(, * and - are plain words.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from retrieval.accents import restore_accents
from retrieval.embedding import Encoder
from retrieval.index import IndexVersion, current_version_dir
from retrieval.intent import question_kinds
from retrieval.models import DocumentMeta, Hit, Passage
from retrieval.settings import Settings
from retrieval.text import STOPWORDS, bigrams, expand_abbreviations, fold, has_diacritics, syllables

MAX_QUERY_TERMS = 48
#: From this many passages on, lexical queries keep only their most selective terms: terms in
#: more than ``MAX_DF_SHARE`` of the passages weigh nothing in FTS5's BM25 (its IDF is clamped
#: to ~0 at half the corpus) but make it score most of the corpus, and at most
#: ``LARGE_QUERY_TERMS`` of the rarest column:term pairs are kept. Smaller corpora (the
#: curated knowledge base) are searched with every term, as before.
LARGE_CORPUS = 5_000
MAX_DF_SHARE = 0.5
LARGE_QUERY_TERMS = 16


@dataclass
class SearchFilters:
    kinds: set[str] | None = None
    doc_ids: set[str] | None = None
    years: set[int] | None = None

    def accepts(self, passage: Passage, doc: DocumentMeta) -> bool:
        if self.kinds and passage.kind not in self.kinds:
            return False
        if self.doc_ids and passage.doc_id not in self.doc_ids:
            return False
        if self.years and (doc.issued is None or doc.issued.year not in self.years):
            return False
        return True

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.doc_ids or self.years)


@dataclass
class QuestionTerms:
    """A question's content syllables with their IDF, its syllable pairs (both folded), and
    the syllables the index has never seen."""

    weights: dict[str, float]
    pairs: list[str]
    unknown: list[str]


@dataclass
class SearchResult:
    hits: list[Hit]
    confidence: float
    coverage: float = 0.0
    dense_top: float = 0.0
    unknown_terms: list[str] = field(default_factory=list)


def query_terms(question: str) -> tuple[list[str], list[str]]:
    """Content syllables and bigrams of a question, both with their accents as typed."""
    toks = syllables(expand_abbreviations(question))
    words = [t for t in toks if fold(t) not in STOPWORDS]
    pairs = [
        b
        for b, (x, y) in zip(bigrams(toks), zip(toks, toks[1:], strict=False), strict=True)
        if not (fold(x) in STOPWORDS and fold(y) in STOPWORDS)
    ]
    return list(dict.fromkeys(words)), list(dict.fromkeys(pairs))


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts_terms(question: str) -> list[tuple[str, str]]:
    """(column, term) pairs of a question: exact terms on ``lex``, folded on ``folded``."""
    words, pairs = query_terms(question)
    terms = (pairs + words)[:MAX_QUERY_TERMS]
    parts = [("lex", t) for t in terms]
    parts += [("folded", f) for f in dict.fromkeys(fold(t) for t in terms)]
    return parts


def match_string(terms: list[tuple[str, str]]) -> str:
    return " OR ".join(f"{col}:{_quote(t)}" for col, t in terms)


def fts_query(question: str) -> str:
    """An FTS5 MATCH string of quoted terms only: exact terms on ``lex``, folded on ``folded``."""
    return match_string(fts_terms(question))


@lru_cache(maxsize=8192)
def _folded_syllables(text: str) -> tuple[str, ...]:
    """Accent-folded syllables of a passage; cached, as the best passages recur."""
    return tuple(fold(t) for t in syllables(text))


@lru_cache(maxsize=8192)
def _shingles(text: str) -> frozenset[str]:
    """Folded syllable triples; cached, as each candidate is compared with every kept hit."""
    toks = [fold(t) for t in syllables(text)]
    return frozenset(" ".join(toks[i : i + 3]) for i in range(max(len(toks) - 2, 1)))


def near_duplicate(a: str, b: str, threshold: float = 0.6) -> bool:
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) >= threshold


class ReadWriteLock:
    """Readers (searches) share the live index; a version swap waits for them and has it alone.

    Closing the old version while a search still reads it would fail that search. Waiting
    swaps go first: new searches queue behind them, and a swap lasts well under a second.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            try:
                while self._writing or self._readers:
                    self._cond.wait()
            finally:
                self._waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class Searcher:
    """Searches the live index version; picks up a newer version between questions."""

    def __init__(self, settings: Settings, encoder: Encoder) -> None:
        self.settings = settings
        self.encoder = encoder
        self.version = IndexVersion.open_current(settings)
        self.version.check_model(encoder.name, encoder.dimension)
        self._swap = ReadWriteLock()
        self._load_caches()

    def _load_caches(self) -> None:
        self.documents = {d.id: d for d in self.version.store.documents()}
        self.accent_forms = self.version.store.accent_forms()
        self.total = max(self.version.manifest.passage_count, 1)
        self._df: dict[str, int] = {}

    def reload_if_changed(self) -> bool:
        """Switch to a newer published version; returns True when it did."""
        folder = current_version_dir(self.settings.index_root)
        if folder is None or folder == self.version.folder:
            return False
        fresh = IndexVersion(folder)
        fresh.check_model(self.encoder.name, self.encoder.dimension)
        # Searches in flight finish on the old version before it is closed.
        with self._swap.writing():
            old, self.version = self.version, fresh
            self._load_caches()
        old.close()
        return True

    def passages(self, ids: list[int]) -> list[tuple[Passage, DocumentMeta]]:
        """Passages of the live version by id, with their documents, in the order given;
        ids the version does not have are skipped. Safe while a new version is swapped in."""
        with self._swap.reading():
            found = self.version.store.passages(ids)
            documents = self.documents
        return [
            (found[pid], documents[found[pid].doc_id])
            for pid in ids
            if pid in found and found[pid].doc_id in documents
        ]

    def doc_freq(self, folded_term: str) -> int:
        return self.column_freq("folded", folded_term)

    def column_freq(self, column: str, term: str) -> int:
        """How many passages have ``term`` in ``column``; cached for the version's lifetime."""
        key = f"{column}:{term}"
        if key not in self._df:
            store = self.version.store
            with store._lock:
                row = store.db.conn.execute(
                    "SELECT count(*) FROM passage_fts WHERE passage_fts MATCH ?",
                    (f"{column}:{_quote(term)}",),
                ).fetchone()
            self._df[key] = int(row[0])
        return self._df[key]

    def selective_terms(self, terms: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """At scale, the terms that can change a BM25 ranking, rarest first (see
        ``LARGE_CORPUS``); every term of a small corpus."""
        if self.total < LARGE_CORPUS:
            return terms
        freq = {t: self.column_freq(*t) for t in terms}
        ranked = sorted((t for t in terms if freq[t] > 0), key=freq.__getitem__)
        kept = [t for t in ranked if freq[t] <= MAX_DF_SHARE * self.total]
        return (kept or ranked[:2])[:LARGE_QUERY_TERMS]

    def lexical(self, question: str, limit: int) -> list[tuple[int, float]]:
        """BM25 candidates from FTS5, best first.

        At scale, two stages: first only the passages that contain the question's rarest term
        (FTS5 walks that short posting list and seeks in the others), scored by BM25 over all
        the kept terms; the full OR query runs only when that finds too few."""
        terms = self.selective_terms(fts_terms(question))
        store = self.version.store
        if self.total >= LARGE_CORPUS and len(terms) > 1:
            rarest = terms[0]
            narrow = f"{rarest[0]}:{_quote(rarest[1])} AND ({match_string(terms)})"
            found = store.lexical_search(narrow, limit)
            if len(found) >= limit:
                return found
        return store.lexical_search(match_string(terms), limit)

    def idf(self, folded_term: str) -> float:
        df = self.doc_freq(folded_term)
        return math.log(1 + (self.total - df + 0.5) / (df + 0.5))

    def question_terms(self, question: str) -> QuestionTerms:
        """The question's side of the coverage score, computed once per question."""
        words_typed, pairs_typed = query_terms(question)
        words = list(dict.fromkeys(fold(w) for w in words_typed))
        return QuestionTerms(
            weights={w: self.idf(w) for w in words},
            pairs=list(dict.fromkeys(fold(p) for p in pairs_typed)),
            unknown=[w for w in words if self.doc_freq(w) == 0],
        )

    @staticmethod
    def coverage(terms: QuestionTerms, passage_text: str) -> float:
        """How much of the question the passage contains, in [0, 1]: the IDF-weighted share
        of its content syllables, averaged with the share of its syllable pairs. Pairs keep
        "thủ đô nước Pháp" from matching a passage on "thủ tục" and "pháp luật"."""
        if not terms.weights:
            return 0.0
        toks = _folded_syllables(passage_text)
        present = set(toks)
        total = sum(terms.weights.values()) or 1.0
        single = sum(v for w, v in terms.weights.items() if w in present) / total
        if not terms.pairs:
            return single
        pair_set = set(bigrams(toks))
        double = sum(p in pair_set for p in terms.pairs) / len(terms.pairs)
        return (single + double) / 2

    def dense_text(self, question: str) -> str:
        """The question as the dense model should read it: with its accents restored."""
        if has_diacritics(question):
            return question
        return restore_accents(question, self.accent_forms)

    def search(
        self, question: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> SearchResult:
        with self._swap.reading():
            return self._search(question, k, filters)

    def _search(self, question: str, k: int | None, filters: SearchFilters | None) -> SearchResult:
        k = k or self.settings.top_k
        filters = filters or SearchFilters()
        n = self.settings.candidates * (4 if filters.active else 1)
        lexical = self.lexical(question, n)
        dense = self.version.dense_search(self.encoder.encode_query(self.dense_text(question)), n)

        rrf: dict[int, float] = {}
        lex_rank = {pid: r for r, (pid, _) in enumerate(lexical, 1)}
        dense_rank = {pid: r for r, (pid, _) in enumerate(dense, 1)}
        dense_score = dict(dense)
        for ranks in (lex_rank, dense_rank):
            for pid, r in ranks.items():
                rrf[pid] = rrf.get(pid, 0.0) + 1.0 / (self.settings.rrf_k + r)
        ordered = sorted(rrf, key=rrf.__getitem__, reverse=True)
        passages = self.version.store.passages(ordered)
        wanted = question_kinds(question)
        if wanted:
            # A third ranked list: the candidates of the kind the question names, in fused order.
            matching = [pid for pid in ordered if pid in passages and passages[pid].kind in wanted]
            for r, pid in enumerate(matching, 1):
                rrf[pid] += self.settings.kind_weight / (self.settings.rrf_k + r)
            ordered = sorted(rrf, key=rrf.__getitem__, reverse=True)
        hits: list[Hit] = []
        for pid in ordered:
            p = passages.get(pid)
            if p is None:
                continue
            doc = self.documents[p.doc_id]
            if not filters.accepts(p, doc):
                continue
            if any(near_duplicate(p.text, h.passage.text) for h in hits):
                continue
            hits.append(
                Hit(
                    passage=p,
                    document=doc,
                    score=rrf[pid],
                    lexical_rank=lex_rank.get(pid),
                    dense_rank=dense_rank.get(pid),
                    dense_score=dense_score.get(pid),
                )
            )
            if len(hits) >= k:
                break
        return self._judge(question, hits, dense)

    def _judge(
        self, question: str, hits: list[Hit], dense: list[tuple[int, float]]
    ) -> SearchResult:
        """How well the evidence covers the question, in [0, 1]."""
        dense_top = dense[0][1] if dense else 0.0
        terms = self.question_terms(question)
        best_cov = max(
            (self.coverage(terms, f"{h.passage.section}\n{h.passage.text}") for h in hits[:3]),
            default=0.0,
        )
        unknown = terms.unknown if hits else []
        dense_part = min(max((dense_top - 0.78) / 0.12, 0.0), 1.0)
        confidence = 0.5 * best_cov + 0.5 * dense_part
        return SearchResult(hits, confidence, best_cov, dense_top, unknown)
