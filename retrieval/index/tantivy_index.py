"""The lexical index of large corpora: tantivy (the Rust engine, through its official Python
bindings), beside the SQLite store of a version, in ``lexical.tantivy/``.

It holds the same two fields as the store's FTS5 table, made by the same function
(``store.lexical_fields``: syllables and syllable bigrams, as written and accent-folded), cut
into the tokens of FTS5's ``unicode61`` tokenizer with ``_`` as a token character (runs of
letters, digits and ``_``, so ``76/nq-cp`` is ``76 nq cp``), plus each syllable those
separators join, whole (``76/nq-cp``, ``định_63/2010/nđ-cp``). A query is the same (field,
term) pairs as the FTS5 query, OR-ed; the folded field weighs 0.7 as in ``bm25(passage_fts,
1.0, 0.7)``. A document number asked for is one term, looked up whole: a term that had to
match all its pieces made the query a nest of conjunctions, which block-max WAND cannot skip
through (the slowest questions at a million passages were the ones that named a document).
A number typed loosely ("nghị quyết 76") still finds its pieces. Tantivy scores BM25 with
block-max WAND, which skips the blocks of long posting lists that cannot reach the top k: the
cost that made FTS5 slow at a million passages. See docs/PERFORMANCE.md for the comparison.
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
#: The token pattern of FTS5's ``unicode61`` with ``tokenchars '_'``: a compound's pieces.
PIECE = re.compile(r"\w+")
#: A syllable (or pair) as ``domain.text.SYLLABLE`` cuts it: pieces joined by ``.``, ``/`` or
#: ``-`` stay one token ("76/nq-cp", "2011-2020").
TOKEN = re.compile(r"\w+(?:[./-]\w+)*")
_SEPARATOR = re.compile(r"([./-])")
#: Written in the index folder: the tokens it holds. An index without it (pieces only) is
#: rebuilt by ``cchc setup`` and, until then, searched piece by piece.
FORMAT_FILE, FORMAT = "tokens.txt", "whole, pieces, leading parts"
FIELDS = ("lex", "folded")
#: The folded field's weight, as in ``Store.lexical_search``.
WEIGHTS = {"lex": 1.0, "folded": 0.7}


def _analyzer(pattern: re.Pattern = TOKEN):
    import tantivy

    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(pattern.pattern)).build()


def indexed_text(text: str) -> str:
    """A lexical field (terms separated by spaces) as indexed: its terms, then for those that
    hold separators their pieces and their leading parts (``63/2010/nđ-cp`` → ``63 2010 nđ
    cp 63/2010 63/2010/nđ``), as a number is often asked loosely ("Nghị định 63", "Nghị định
    63/2010")."""
    extra = []
    for term in text.split():
        if "/" not in term and "-" not in term and "." not in term:
            continue
        extra += PIECE.findall(term)
        cut = _SEPARATOR.split(term)  # pieces at even places, separators between
        extra += ["".join(cut[: 2 * k - 1]) for k in range(2, (len(cut) + 1) // 2)]
    return f"{text} {' '.join(extra)}" if extra else text


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


def whole_terms(folder: Path) -> bool:
    """Whether the tantivy index in ``folder`` holds whole syllables (``FORMAT``)."""
    try:
        return (Path(folder) / TANTIVY_DIR / FORMAT_FILE).read_text(encoding="utf-8") == FORMAT
    except OSError:
        return False


def engine_matches(folder: Path, engine: str, passages: int) -> bool:
    """Whether the version in ``folder`` has the lexical index ``engine`` gives it, in the
    current format."""
    has = has_tantivy(folder)
    return has == uses_tantivy(engine, passages) and (not has or whole_terms(folder))


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
            lex, folded = indexed_text(lex), indexed_text(folded)
            self.writer.add_document(doc(id=pid, lex=lex, folded=folded))
        self.seconds += time.perf_counter() - t0

    def close(self) -> None:
        t0 = time.perf_counter()
        self.writer.commit()
        self.writer.wait_merging_threads()
        (self.path / FORMAT_FILE).write_text(FORMAT, encoding="utf-8")
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
        #: How a term is cut: whole, or (an index of an earlier format) into its pieces.
        self._cut = TOKEN if whole_terms(folder) else PIECE
        self.index.register_tokenizer(ANALYZER, _analyzer(self._cut))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self._local = threading.local()

    def _spellings(self, term: str) -> list[str] | None:
        """The tokens a term is looked up as, any of them: itself, and for a range or number of
        two pieces also the pair its pieces make when typed with spaces ("2011 - 2020" is
        indexed ``2011_2020``). None for an index of an earlier format, where a term that
        holds separators is all of its pieces."""
        if self._cut is PIECE:
            return None
        spellings = self._cut.findall(term.lower())
        if len(spellings) == 1 and "_" not in spellings[0]:
            pieces = PIECE.findall(spellings[0])
            if len(pieces) == 2:
                spellings.append("_".join(pieces))
        return spellings

    def _term_queries(self, field: str, term: str) -> list:
        """A term of the FTS5 query, as term queries any of which may match: kept flat in
        the query, as block-max WAND skips only through a union of terms."""
        q = self._tantivy.Query
        spellings = self._spellings(term)
        if spellings is not None:
            return [q.term_query(self.schema, field, t, index_option="freq") for t in spellings]
        tokens = PIECE.findall(term.lower())
        if len(tokens) <= 1:
            return [q.term_query(self.schema, field, t, index_option="freq") for t in tokens]
        must = self._tantivy.Occur.Must
        return [
            q.boolean_query(
                [(must, q.term_query(self.schema, field, t, index_option="freq")) for t in tokens]
            )
        ]

    def doc_freq(self, field: str, term: str) -> int:
        """Passages with ``term`` in ``field`` (in any of its spellings; in an index of an
        earlier format, a term of several tokens: with all of them)."""
        spellings = self._spellings(term)
        if spellings is not None:
            return sum(int(self.searcher.doc_freq(field, t)) for t in spellings)
        tokens = PIECE.findall(term.lower())
        if len(tokens) == 1:
            return int(self.searcher.doc_freq(field, tokens[0]))
        queries = self._term_queries(field, term)
        if not queries:
            return 0
        return int(self.searcher.search(queries[0], limit=1, count=True).count)

    def _clauses(self, terms: list[tuple[str, str]]) -> list:
        """Optional clauses for the (field, term) pairs, the folded field's weight applied."""
        q, should = self._tantivy.Query, self._tantivy.Occur.Should
        clauses = []
        for field, term in terms:
            for sub in self._term_queries(field, term):
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
