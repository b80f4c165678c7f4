"""Lexical search: BM25 over the index's FTS5 table, or its tantivy index at scale, with
queries built from syllables.

User text never reaches FTS5 as query syntax: every term is a quoted string built from
syllables, so quotes, AND, NEAR(, * and - are plain words (tantivy gets term queries).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from retrieval.domain.text import bigrams, fold, has_diacritics, is_stopword, syllables
from retrieval.index.store import Store
from retrieval.index.tantivy_index import TantivyIndex, has_tantivy

LexicalEngine = Literal["auto", "fts5", "tantivy"]

MAX_QUERY_TERMS = 48
#: From this many passages on, lexical queries keep only their most selective terms: terms in
#: more than ``MAX_DF_SHARE`` of the passages weigh nothing in FTS5's BM25 (its IDF is clamped
#: to ~0 at half the corpus) but make it score most of the corpus, and at most
#: ``LARGE_QUERY_TERMS`` of the rarest column:term pairs are kept. Smaller corpora (the
#: curated knowledge base) are searched with every term, as before.
LARGE_CORPUS = 5_000
MAX_DF_SHARE = 0.5
LARGE_QUERY_TERMS = 16
#: At scale, tantivy lets terms in more than this share of the passages only add to the
#: score of passages that have a rarer term of the question (``TantivyIndex.search``): the
#: same scores for those, without walking posting lists of 100,000s of passages.
COMMON_SHARE = 0.1


def query_terms(question: str) -> tuple[list[str], list[str]]:
    """Content syllables and bigrams of a question (abbreviations already spelled out by
    ``query.analyse``), both with their accents as typed or restored."""
    toks = syllables(question)
    words = [t for t in toks if not is_stopword(t)]
    pairs = [
        b
        for b, (x, y) in zip(bigrams(toks), zip(toks, toks[1:], strict=False), strict=True)
        if not (is_stopword(x) and is_stopword(y))
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


class Lexical:
    """BM25 candidates from one version's store; document frequencies cached for its life.

    The engine is the version's tantivy index when it has one (large corpora, see
    ``retrieval.index.tantivy_index``), else the store's FTS5 table; ``engine`` forces one
    (the benchmark compares them on the same version)."""

    def __init__(self, store: Store, total: int, engine: LexicalEngine = "auto") -> None:
        self.store = store
        self.total = max(total, 1)
        self._df: dict[str, int] = {}
        self.tantivy: TantivyIndex | None = None
        folder = Path(store.path).parent
        if engine == "tantivy" or (engine == "auto" and has_tantivy(folder)):
            self.tantivy = TantivyIndex(folder)
        self.engine = "tantivy" if self.tantivy is not None else "fts5"

    def column_freq(self, column: str, term: str) -> int:
        """How many passages have ``term`` in ``column``."""
        key = f"{column}:{term}"
        if key not in self._df:
            if self.tantivy is not None:
                self._df[key] = self.tantivy.doc_freq(column, term)
            else:
                self._df[key] = self.store.term_count(f"{column}:{_quote(term)}")
        return self._df[key]

    def doc_freq(self, word: str) -> int:
        """Passages with ``word``: spelled as given when it has accents, in any spelling when
        it has none."""
        if has_diacritics(word):
            return self.column_freq("lex", word.lower())
        return self.column_freq("folded", word)

    def split_common(
        self, terms: list[tuple[str, str]]
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """At scale, the terms in at most ``COMMON_SHARE`` of the passages, and the others;
        every term is rare in a small corpus, or when none is."""
        if self.total < LARGE_CORPUS:
            return terms, []
        limit = COMMON_SHARE * self.total
        is_rare = [self.column_freq(*t) <= limit for t in terms]
        rare = [t for t, r in zip(terms, is_rare, strict=True) if r]
        common = [t for t, r in zip(terms, is_rare, strict=True) if not r]
        return (rare, common) if rare else (terms, [])

    def selective_terms(self, terms: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """At scale, the terms that can change a BM25 ranking, rarest first (see
        ``LARGE_CORPUS``); every term of a small corpus."""
        if self.total < LARGE_CORPUS:
            return terms
        freq = {t: self.column_freq(*t) for t in terms}
        ranked = sorted((t for t in terms if freq[t] > 0), key=freq.__getitem__)
        kept = [t for t in ranked if freq[t] <= MAX_DF_SHARE * self.total]
        return (kept or ranked[:2])[:LARGE_QUERY_TERMS]

    def search(self, question: str, limit: int) -> list[tuple[int, float]]:
        """BM25 candidates, best first.

        At scale, two stages: first only the passages that contain the question's rarest term
        (FTS5 walks that short posting list and seeks in the others), scored by BM25 over all
        the kept terms; the full OR query runs only when that finds too few."""
        terms = self.selective_terms(fts_terms(question))
        if self.tantivy is not None:  # block-max WAND: one query, no stages needed
            rare, common = self.split_common(terms)
            return self.tantivy.search(rare, limit, common)
        if self.total >= LARGE_CORPUS and len(terms) > 1:
            rarest = terms[0]
            narrow = f"{rarest[0]}:{_quote(rarest[1])} AND ({match_string(terms)})"
            found = self.store.lexical_search(narrow, limit)
            if len(found) >= limit:
                return found
        return self.store.lexical_search(match_string(terms), limit)
