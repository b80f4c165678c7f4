"""Build a new index version from documents and publish it atomically.

Vectors of passages whose content hash is unchanged are copied from the live version, so
only new or changed passages are embedded.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from retrieval.accents import accent_forms
from retrieval.chunking import chunk_document, document_context, embedding_text
from retrieval.documents import corpus_hash
from retrieval.embedding import Encoder
from retrieval.index import (
    STORE,
    Manifest,
    build_faiss,
    current_version_dir,
    new_version_name,
    publish,
    read_manifest,
    save_faiss,
    write_manifest,
)
from retrieval.models import Document, DocumentMeta, Passage
from retrieval.settings import Settings
from retrieval.store import Store

Progress = Callable[[int, int], None]


class BuildReport(BaseModel):
    version: str
    documents: int
    passages: int
    embedded: int
    reused: int
    seconds: dict[str, float]


def _previous_vectors(root: Path, model_name: str) -> dict[str, np.ndarray]:
    folder = current_version_dir(root)
    if folder is None or read_manifest(folder).model_name != model_name:
        return {}
    store = Store(folder / STORE, readonly=True)
    try:
        rows = store.db.query("SELECT content_hash, vector FROM passages")
        return {r["content_hash"]: np.frombuffer(r["vector"], dtype=np.float32) for r in rows}
    finally:
        store.close()


def build_index(
    settings: Settings,
    encoder: Encoder,
    documents: list[Document],
    progress: Progress | None = None,
    batch_size: int = 16,
) -> BuildReport:
    """Chunk, embed what is new, write a complete version beside the live one, then swap."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    root = settings.index_root
    root.mkdir(parents=True, exist_ok=True)

    passages: list[Passage] = []
    titles: dict[str, str] = {}
    for doc in documents:
        titles[doc.id] = document_context(doc)
        for p in chunk_document(doc):
            p.id = len(passages) + 1
            passages.append(p)
    timings["chunking"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    known = _previous_vectors(root, encoder.name)
    vectors = np.zeros((len(passages), encoder.dimension), dtype=np.float32)
    todo: list[int] = []
    for i, p in enumerate(passages):
        old = known.get(p.content_hash)
        if old is not None and old.shape[0] == encoder.dimension:
            vectors[i] = old
        else:
            todo.append(i)
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        vectors[chunk] = encoder.encode_passages(
            [embedding_text(passages[i], titles[passages[i].doc_id]) for i in chunk]
        )
        if progress:
            progress(min(start + batch_size, len(todo)), len(todo))
    timings["embedding"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    name = new_version_name()
    folder = root / name
    folder.mkdir()
    store = Store(folder / STORE)
    try:
        store.create_schema()
        for doc in documents:
            meta = DocumentMeta(**doc.model_dump(exclude={"body"}))
            store.add_document(meta, doc.body, corpus_hash([doc]))
        store.add_passages(passages, vectors, titles)
        store.add_accent_forms(
            accent_forms(f"{titles[p.doc_id]}\n{p.section}\n{p.text}" for p in passages)
        )
        store.commit()
    finally:
        store.close()
    ids = np.array([p.id for p in passages], dtype=np.int64)
    save_faiss(build_faiss(ids, vectors, encoder.dimension), folder)
    manifest = Manifest(
        version=name,
        model_name=encoder.name,
        dimension=encoder.dimension,
        passage_count=len(passages),
        document_count=len(documents),
        corpus_hash=corpus_hash(documents),
        built_at=dt.datetime.now(dt.UTC),
    )
    write_manifest(folder, manifest)
    publish(root, folder)
    timings["storage"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    return BuildReport(
        version=name,
        documents=len(documents),
        passages=len(passages),
        embedded=len(todo),
        reused=len(passages) - len(todo),
        seconds={k: round(v, 3) for k, v in timings.items()},
    )
