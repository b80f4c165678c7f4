"""The lexical index of large corpora: tantivy (the Rust engine, through its official Python
bindings), beside the SQLite store of a version, in ``lexical.tantivy/``.

It holds the same two fields as the store's FTS5 table, made by the same function
(``store.lexical_fields``: syllables and syllable bigrams, as written and accent-folded), cut
into the same tokens as FTS5's ``unicode61`` tokenizer with ``_`` as a token character (runs of
letters, digits and ``_``, so ``76/nq-cp`` is ``76 nq cp``). A query is the same (field, term)
pairs as the FTS5 query, OR-ed; the folded field weighs 0.7 as in ``bm25(passage_fts, 1.0,
0.7)``; a term of several tokens must match all of them. Tantivy scores BM25 with block-max
WAND, which skips the blocks of long posting lists that cannot reach the top k: the cost that
made FTS5 slow at a million passages. See docs/PERFORMANCE.md for the comparison.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from retrieval.atomic import FILE_MODE, private_dir

TANTIVY_DIR = "lexical.tantivy"
#: Under ``CCHC_LEXICAL_ENGINE=auto``, from this many passages on a new version's lexical
#: index is tantivy instead of FTS5 (the default engine is tantivy at every size).
TANTIVY_FROM = 50_000
ANALYZER = "cchc_terms"
#: The token pattern of FTS5's ``unicode61`` with ``tokenchars '_'``.
TOKEN = re.compile(r"\w+")
FIELDS = ("lex", "folded")
#: The folded field's weight, as in ``Store.lexical_search``.
WEIGHTS = {"lex": 1.0, "folded": 0.7}


def _analyzer():
    import tantivy

    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN.pattern)).build()


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=False, indexed=False, fast=True)
    for name in FIELDS:
        # Frequencies without positions: BM25 needs no more, and the index stays small.
        builder.add_text_field(name, tokenizer_name=ANALYZER, index_option="freq")
    return builder.build()


def uses_tantivy(engine: str, passages: int) -> bool:
    """Whether a version of ``passages`` gets a tantivy index (and no FTS5 rows) under the
    ``CCHC_LEXICAL_ENGINE`` setting ``engine``."""
    return engine == "tantivy" or (engine == "auto" and passages >= TANTIVY_FROM)


def has_tantivy(folder: Path) -> bool:
    return (Path(folder) / TANTIVY_DIR / "meta.json").is_file()


def engine_matches(folder: Path, engine: str, passages: int) -> bool:
    """Whether the version in ``folder`` has the lexical index ``engine`` gives it."""
    return has_tantivy(folder) == uses_tantivy(engine, passages)


class TantivyWriter:
    """Adds passages' lexical fields; ``close()`` commits and merges into few segments."""

    def __init__(self, folder: Path, heap_mb: int = 512, threads: int = 0) -> None:
        import tantivy

        self.path = Path(folder) / TANTIVY_DIR
        shutil.rmtree(self.path, ignore_errors=True)
        private_dir(self.path)  # 0700: nothing tantivy writes in it is reachable by others
        self.index = tantivy.Index(_schema(), path=str(self.path), reuse=False)
        self.index.register_tokenizer(ANALYZER, _analyzer())
        self.writer = self.index.writer(heap_size=heap_mb * 2**20, num_threads=threads)
        self._document = tantivy.Document
        #: Time spent in ``add`` and ``close``, for the benchmark.
        self.seconds = 0.0

    def add(self, rows: Iterable[tuple[int, str, str]]) -> None:
        """(passage id, lex, folded) rows, as ``store.lexical_fields`` makes them."""
        t0 = time.perf_counter()
        doc = self._document
        for pid, lex, folded in rows:
            self.writer.add_document(doc(id=pid, lex=lex, folded=folded))
        self.seconds += time.perf_counter() - t0

    def close(self) -> None:
        t0 = time.perf_counter()
        self.writer.commit()
        self.writer.wait_merging_threads()
        tighten(self.path)
        self.seconds += time.perf_counter() - t0


def tighten(folder: Path) -> None:
    """Give the files tantivy made with the umask's mode the data dir's 0600 (their folder
    is 0700 from the start: a copy or a backup keeps them private too)."""
    for path in folder.iterdir():
        with contextlib.suppress(OSError):  # not ours to change (another owner): leave it
            if path.is_file() and path.stat().st_mode & 0o077:
                path.chmod(FILE_MODE)


class TantivyIndex:
    """A version's tantivy index, read-only; safe to search from several threads."""

    def __init__(self, folder: Path) -> None:
        import tantivy

        self._tantivy = tantivy
        self.index = tantivy.Index.open(str(Path(folder) / TANTIVY_DIR))
        tighten(Path(folder) / TANTIVY_DIR)  # the lock files opening may have made
        self.index.register_tokenizer(ANALYZER, _analyzer())
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self._local = threading.local()

    def _term(self, field: str, term: str):
        """A term of the FTS5 query: one token, or all the tokens of a term that holds
        separators (``76/nq-cp``)."""
        q = self._tantivy.Query
        tokens = TOKEN.findall(term.lower())
        if len(tokens) == 1:
            return q.term_query(self.schema, field, tokens[0], index_option="freq")
        if not tokens:
            return None
        must = self._tantivy.Occur.Must
        return q.boolean_query(
            [(must, q.term_query(self.schema, field, t, index_option="freq")) for t in tokens]
        )

    def doc_freq(self, field: str, term: str) -> int:
        """Passages with ``term`` in ``field`` (a term of several tokens: with all of them)."""
        tokens = TOKEN.findall(term.lower())
        if len(tokens) == 1:
            return int(self.searcher.doc_freq(field, tokens[0]))
        query = self._term(field, term)
        if query is None:
            return 0
        return int(self.searcher.search(query, limit=1, count=True).count)

    def _clauses(self, terms: list[tuple[str, str]]) -> list:
        """One optional clause a (field, term) pair, the folded field's weight applied."""
        q, should = self._tantivy.Query, self._tantivy.Occur.Should
        clauses = []
        for field, term in terms:
            sub = self._term(field, term)
            if sub is None:
                continue
            if WEIGHTS[field] != 1.0:
                sub = q.boost_query(sub, WEIGHTS[field])
            clauses.append((should, sub))
        return clauses

    def search(
        self,
        terms: list[tuple[str, str]],
        limit: int,
        common: list[tuple[str, str]] | None = None,
    ) -> list[tuple[int, float]]:
        """(passage id, score) best first, for the (field, term) pairs OR-ed. Scores are
        negated, as FTS5's ``bm25()`` gives them (lower is better), so callers compare alike.

        ``common`` terms (in a large share of the passages) only add their score to passages
        that have one of ``terms``: their long posting lists are sought into, not walked, and
        a passage that has only common words was never going to rank."""
        q, must = self._tantivy.Query, self._tantivy.Occur.Must
        clauses = self._clauses(terms)
        if not clauses or limit <= 0:
            return []
        if common and (extra := self._clauses(common)):
            clauses = [(must, q.boolean_query(clauses)), *extra]
        hits = self.searcher.search(q.boolean_query(clauses), limit=limit, count=False).hits
        if not hits:
            return []
        ids = self.searcher.fast_field_values("id", [address for _, address in hits])
        return [(int(pid), -float(score)) for (score, _), pid in zip(hits, ids, strict=True)]
