"""The SQLite store of one index version: documents, passages, vectors and the FTS5 table."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sqlite_utils

from retrieval.atomic import private_file
from retrieval.domain.accents import AccentForms
from retrieval.domain.models import DocumentMeta, Passage
from retrieval.domain.text import fold, lexical_terms

if TYPE_CHECKING:
    from retrieval.index.tantivy_index import TantivyWriter

# Bigrams are single tokens ("cải_cách"); diacritics are kept in `lex` and stripped in `folded`.
FTS_TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '_'"


def lexical_fields(text: str) -> tuple[str, str]:
    """The two FTS5 columns of a passage: syllables + bigrams, with and without accents."""
    terms = lexical_terms(text)
    return " ".join(terms), " ".join(fold(t) for t in terms)


#: Passages a serving store keeps in memory, most recently read first (about 1 KB each).
PASSAGE_CACHE = 20_000
#: Articles and documents whose passage ids (in reading order) a serving store keeps.
LIST_CACHE = 512
#: Passages whose sentences (spans and vectors, about 8 KB a passage) a serving store keeps.
SENTENCE_CACHE = 2_000


class _Recent(OrderedDict):
    """The entries used last, at most the ``limit`` given when adding (a serving store's
    caches; the caller holds the store's lock)."""

    def take(self, keys: Iterable) -> dict:
        """The entries of ``keys`` that are kept, now the most recently used."""
        found = {key: self[key] for key in keys if key in self}
        for key in found:
            self.move_to_end(key)
        return found

    def keep(self, items: Iterable[tuple], limit: int) -> None:
        """Add (key, value) pairs as the most recently used; the oldest go past ``limit``."""
        for key, value in items:
            self[key] = value
            self.move_to_end(key)
        while len(self) > limit:
            self.popitem(last=False)


class Store:
    """One version's SQLite file. Thread-safe for reads through one shared connection."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, check_same_thread=False, timeout=30
            )
        else:
            conn = sqlite3.connect(private_file(path), check_same_thread=False, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.Lock()
        #: A published version never changes: the passages its questions read are kept, the
        #: most recently read ``PASSAGE_CACHE`` of them (a question reads about a hundred).
        self._read: _Recent | None = _Recent() if readonly else None  # id → Passage
        self._lists: _Recent | None = _Recent() if readonly else None  # query → ids
        self._sentences: _Recent | None = _Recent() if readonly else None  # id → sentences
        self.readonly = readonly
        #: Where added passages' lexical fields go: the FTS5 table unless ``fts`` is off, and
        #: a tantivy index when the builder of a large corpus sets one (``tantivy_index``).
        self.fts = True
        self.tantivy: TantivyWriter | None = None

    def close(self) -> None:
        self.db.conn.close()

    # -- building -----------------------------------------------------------------------
    def create_schema(self) -> None:
        self.db["documents"].create(
            {"id": str, "meta": str, "body": str, "content_hash": str}, pk="id", if_not_exists=True
        )
        self.db["passages"].create(
            {
                "id": int,
                "doc_id": str,
                "ordinal": int,
                "section": str,
                "kind": str,
                "text": str,
                "status": str,
                "status_note": str,
                "origin": str,
                "scope": str,
                "boilerplate": int,
                "content_hash": str,
                "vector": bytes,
            },
            pk="id",
            foreign_keys=[("doc_id", "documents", "id")],
            if_not_exists=True,
        )
        # One row per sentence of a passage (offsets into its text), with its own vector:
        # what the answer quotes is chosen, and paraphrased questions found, sentence by sentence.
        self.db["sentences"].create(
            {
                "id": int,
                "passage_id": int,
                "start": int,
                "end": int,
                "content_hash": str,
                "vector": bytes,
            },
            pk="id",
            if_not_exists=True,
        )
        self.db["sentences"].create_index(["passage_id"], if_not_exists=True)
        self.db["passages"].create_index(["doc_id"], if_not_exists=True)
        self.db["passages"].create_index(["content_hash"], if_not_exists=True)
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5("
            f"lex, folded, content='', tokenize=\"{FTS_TOKENIZER}\")"
        )

    def add_document(self, meta: DocumentMeta, body: str, content_hash: str) -> None:
        self.db["documents"].insert(
            {
                "id": meta.id,
                "meta": meta.model_dump_json(),
                "body": body,
                "content_hash": content_hash,
            },
            replace=True,
        )

    def add_passages(
        self, passages: list[Passage], vectors: np.ndarray, contexts: dict[str, str]
    ) -> None:
        """Passages with their vectors; the FTS row also holds the document's context (title,
        issuer) so that "Bắc Kạn" finds an article that only says "tỉnh"."""
        rows = []
        for p, v in zip(passages, vectors, strict=True):
            row = p.model_dump()
            row["vector"] = np.asarray(v, dtype=np.float32).tobytes()
            rows.append(row)
        self.db["passages"].insert_all(rows, pk="id")
        fields = [
            (p.id, *lexical_fields(f"{contexts.get(p.doc_id, '')}\n{p.section}\n{p.text}"))
            for p in passages
        ]
        if self.fts:
            self.db.conn.executemany(
                "INSERT INTO passage_fts(rowid, lex, folded) VALUES (?, ?, ?)", fields
            )
        if self.tantivy is not None:
            self.tantivy.add(fields)

    def add_sentences(
        self, rows: list[tuple[int, int, int, str]], vectors: np.ndarray, first_id: int = 0
    ) -> None:
        """(passage id, start, end, content hash) of each sentence, ids in the order given from
        ``first_id`` (a caller that adds them in several batches continues the numbering)."""
        self.db.conn.executemany(
            "INSERT INTO sentences(id, passage_id, start, end, content_hash, vector) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (first_id + i, pid, start, end, h, np.asarray(v, dtype=np.float32).tobytes())
                for i, ((pid, start, end, h), v) in enumerate(zip(rows, vectors, strict=True))
            ],
        )

    def add_accent_forms(self, forms: AccentForms) -> None:
        self.db["accent_forms"].insert_all(
            ({"folded": k, "accented": v, "count": n} for k, (v, n) in forms.items()),
            pk="folded",
            replace=True,
        )

    def commit(self) -> None:
        self.db.conn.commit()

    # -- reading ------------------------------------------------------------------------
    def documents(self) -> list[DocumentMeta]:
        with self._lock:
            rows = list(self.db.query("SELECT meta FROM documents ORDER BY id"))
        return [DocumentMeta.model_validate_json(r["meta"]) for r in rows]

    def accent_forms(self) -> AccentForms:
        if "accent_forms" not in self.db.table_names():
            return {}
        columns = {c.name for c in self.db["accent_forms"].columns}
        count = "count" if "count" in columns else "1"  # versions built before counts were kept
        with self._lock:
            rows = self.db.conn.execute(
                f"SELECT folded, accented, {count} FROM accent_forms"
            ).fetchall()
        return {folded: (accented, int(n)) for folded, accented, n in rows}

    def document_body(self, doc_id: str) -> str | None:
        with self._lock:
            rows = list(self.db.query("SELECT body FROM documents WHERE id = ?", [doc_id]))
        return rows[0]["body"] if rows else None

    def _passage_columns(self) -> str:
        """The columns a ``Passage`` is made of: never the vector, which search does not
        need (1.5 KB a row)."""
        if not hasattr(self, "_columns"):
            stored = {c.name for c in self.db["passages"].columns}
            self._names = [name for name in Passage.model_fields if name in stored]
            self._columns = ", ".join(self._names)
        return self._columns

    def _rows(self, sql: str, params: Sequence) -> list[Passage]:
        """Passages from plain rows: the store wrote them from validated models, so they are
        rebuilt without validating again (the cost of a question's hundred candidates)."""
        columns = self._passage_columns()
        with self._lock:
            rows = self.db.conn.execute(sql.format(columns=columns), params).fetchall()
        names = self._names
        return [_passage(dict(zip(names, row, strict=True))) for row in rows]

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        ids = list(ids)
        if not ids:
            return {}
        kept = self._read
        if kept is None:
            return {p.id: p for p in self._fetch(ids)}
        with self._lock:
            found = kept.take(ids)
        missing = [pid for pid in ids if pid not in found]
        fetched = self._fetch(missing) if missing else []
        with self._lock:
            self._keep(fetched)
        found.update((p.id, p) for p in fetched)
        return found

    def _keep(self, passages: list[Passage]) -> None:
        """Remember passages read (the caller holds the lock)."""
        if self._read is not None:
            self._read.keep(((p.id, p) for p in passages), PASSAGE_CACHE)

    def _fetch(self, ids: list[int]) -> list[Passage]:
        marks = ",".join("?" * len(ids))
        return self._rows(f"SELECT {{columns}} FROM passages WHERE id IN ({marks})", ids)

    def all_passages(self) -> Iterator[Passage]:
        with self._lock:
            rows = list(
                self.db.query(
                    f"SELECT {self._passage_columns()} FROM passages ORDER BY doc_id, ordinal"
                )
            )
        return (_passage(r) for r in rows)

    def passages_of_section(self, doc_id: str, section: str) -> list[Passage]:
        """The passages of one article (or one section), in reading order."""
        sql = "SELECT {columns} FROM passages WHERE doc_id = ? AND section = ? ORDER BY ordinal"
        return self._kept_rows(sql, (doc_id, section))

    def passages_of_document(self, doc_id: str) -> list[Passage]:
        """Every passage of one document, in reading order."""
        sql = "SELECT {columns} FROM passages WHERE doc_id = ? ORDER BY ordinal"
        return self._kept_rows(sql, (doc_id,))

    def _kept_rows(self, sql: str, params: tuple) -> list[Passage]:
        """``_rows`` of a serving store, whose ids are kept for the ``LIST_CACHE`` most recent
        queries (the articles and documents that the answers of a day quote) and whose
        passages are kept with the others."""
        kept = self._lists
        if kept is None:
            return self._rows(sql, params)
        key = (sql, params)
        with self._lock:
            ids = kept.take([key]).get(key)
        if ids is not None:
            found = self.passages(ids)
            if len(found) == len(ids):
                return [found[pid] for pid in ids]
        rows = self._rows(sql, params)
        with self._lock:
            kept.keep([(key, tuple(p.id for p in rows))], LIST_CACHE)
            self._keep(rows)
        return rows

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All passage ids and their vectors, for building the FAISS index."""
        with self._lock:
            rows = list(self.db.query("SELECT id, vector FROM passages ORDER BY id"))
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        ids = np.array([r["id"] for r in rows], dtype=np.int64)
        vecs = np.stack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows])
        return ids, vecs

    def has_sentences(self) -> bool:
        if self.readonly:  # a serving store's tables do not change
            if not hasattr(self, "_has_sentences"):
                self._has_sentences = "sentences" in self.db.table_names()
            return self._has_sentences
        return "sentences" in self.db.table_names()

    def sentence_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All sentence ids and their vectors, for building the sentence index."""
        with self._lock:
            rows = self.db.conn.execute("SELECT id, vector FROM sentences ORDER BY id").fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        return ids, np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])

    def sentences_of(
        self, passage_ids: Iterable[int]
    ) -> dict[int, list[tuple[int, int, np.ndarray]]]:
        """passage id → its sentences as (start, end, vector), in reading order (a passage
        without any is left out). A serving store keeps those of the ``SENTENCE_CACHE``
        passages read last."""
        ids = list(dict.fromkeys(passage_ids))
        if not ids or not self.has_sentences():
            return {}
        kept = self._sentences
        found: dict[int, list[tuple[int, int, np.ndarray]]] = {}
        if kept is not None:
            with self._lock:
                found = kept.take(ids)
        missing = [pid for pid in ids if pid not in found]
        if missing:
            read = self._read_sentences(missing)
            if kept is not None:
                with self._lock:
                    kept.keep(((pid, read.get(pid, [])) for pid in missing), SENTENCE_CACHE)
            found.update(read)
        return {pid: found[pid] for pid in ids if found.get(pid)}

    def _read_sentences(self, ids: list[int]) -> dict[int, list[tuple[int, int, np.ndarray]]]:
        marks = ",".join("?" * len(ids))
        sql = (
            f"SELECT passage_id, start, end, vector FROM sentences WHERE passage_id IN ({marks}) "
            "ORDER BY passage_id, start"
        )
        with self._lock:
            rows = self.db.conn.execute(sql, ids).fetchall()
        out: dict[int, list[tuple[int, int, np.ndarray]]] = {}
        for pid, start, end, vec in rows:
            out.setdefault(pid, []).append((start, end, np.frombuffer(vec, dtype=np.float32)))
        return out

    def sentence_owners(self) -> np.ndarray:
        """sentence id → passage id (-1 for an id no sentence has), read once per version:
        every question maps its nearest sentences to their passages."""
        if not self.has_sentences():
            return np.zeros(0, dtype=np.int64)
        with self._lock:
            rows = self.db.conn.execute("SELECT id, passage_id FROM sentences").fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64)
        pairs = np.array(rows, dtype=np.int64)
        owners = np.full(int(pairs[:, 0].max()) + 1, -1, dtype=np.int64)
        owners[pairs[:, 0]] = pairs[:, 1]
        return owners

    def sentence_vectors_by_hash(self) -> dict[str, np.ndarray]:
        """content hash → vector of every sentence, for reusing them in the next build."""
        if not self.has_sentences():
            return {}
        with self._lock:
            rows = self.db.conn.execute("SELECT content_hash, vector FROM sentences")
            return {h: np.frombuffer(v, dtype=np.float32) for h, v in rows}

    def passage_count(self) -> int:
        with self._lock:
            return self.db["passages"].count

    def term_count(self, match: str) -> int:
        """How many passages match one FTS5 term (``column:"term"``)."""
        sql = "SELECT count(*) FROM passage_fts WHERE passage_fts MATCH ?"
        with self._lock:
            return int(self.db.conn.execute(sql, (match,)).fetchone()[0])

    def vectors_by_hash(self) -> dict[str, tuple[int, np.ndarray]]:
        """content hash → (passage id, vector), for reusing vectors in the next build."""
        with self._lock:
            rows = self.db.conn.execute("SELECT content_hash, id, vector FROM passages")
            return {h: (int(i), np.frombuffer(v, dtype=np.float32)) for h, i, v in rows}

    def lexical_search(self, match: str, limit: int) -> list[tuple[int, float]]:
        """(passage id, bm25) best first; ``match`` must be built by ``search.lexical``."""
        if not match:
            return []
        sql = (
            "SELECT rowid, bm25(passage_fts, 1.0, 0.7) AS score FROM passage_fts "
            "WHERE passage_fts MATCH ? ORDER BY score LIMIT ?"
        )
        with self._lock:
            rows = self.db.conn.execute(sql, (match, limit)).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]


def _passage(row: dict) -> Passage:
    row["boilerplate"] = bool(row.get("boilerplate"))
    return Passage.model_construct(**row)
