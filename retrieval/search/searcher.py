"""Hybrid search: BM25 (``lexical``) fused with FAISS dense search, then de-duplication
and the evidence judgement that decides whether to answer."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from retrieval.config import Settings
from retrieval.domain.accents import restore_accents
from retrieval.domain.models import Document, DocumentMeta, Hit, Passage, SearchFilters
from retrieval.domain.text import (
    bigrams,
    fold,
    has_diacritics,
    syllables,
)
from retrieval.embedding.encoder import Encoder
from retrieval.index.versions import IndexVersion, current_version_dir
from retrieval.search.intent import question_kinds
from retrieval.search.lexical import Lexical, query_terms


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
        self.lexical = Lexical(self.version.store, self.total)

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

    def corpus(self) -> tuple[str, list[Document], list[Passage]]:
        """The live version's name, its documents with their bodies, and its passages."""
        with self._swap.reading():
            return (self.version.folder.name, *self.version.corpus())

    def idf(self, folded_term: str) -> float:
        df = self.lexical.doc_freq(folded_term)
        return math.log(1 + (self.total - df + 0.5) / (df + 0.5))

    def question_terms(self, question: str) -> QuestionTerms:
        """The question's side of the coverage score, computed once per question."""
        words_typed, pairs_typed = query_terms(question)
        words = list(dict.fromkeys(fold(w) for w in words_typed))
        return QuestionTerms(
            weights={w: self.idf(w) for w in words},
            pairs=list(dict.fromkeys(fold(p) for p in pairs_typed)),
            unknown=[w for w in words if self.lexical.doc_freq(w) == 0],
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
        lexical = self.lexical.search(question, n)
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
