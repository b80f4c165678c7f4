"""Build a new index version from documents and publish it atomically.

Only new or changed passages are embedded: vectors are looked up by content hash in the live
version and in the vector cache (which also makes a killed run resumable). A passage keeps its
id from one version to the next while its content is unchanged, so citations stored by the bot
stay valid. The version folder is complete, with its manifest written last, before ``CURRENT``
points at it; it carries the run's other changes (``retrieval.index.changes``), so that they are
published with it. A failure while it is written (a full disk, a signal) removes it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.atomic import fsync_file, private_dir, remove_tree
from retrieval.config import Settings
from retrieval.domain.accents import accent_forms
from retrieval.domain.models import BuildReport, Document, DocumentMeta, Passage, Plan
from retrieval.embedding.encoder import Encoder
from retrieval.index.changes import Change, write_change
from retrieval.index.dense import build_faiss, describe_faiss, save_faiss
from retrieval.index.store import Store
from retrieval.index.vector_cache import VectorCache
from retrieval.index.versions import (
    CHUNKER_VERSION,
    STORE,
    Manifest,
    current_version_dir,
    new_version_name,
    prune,
    publish,
    read_manifest,
    write_manifest,
)
from retrieval.knowledge.chunking import chunk_document, document_context, embedding_text
from retrieval.knowledge.documents import body_hash, corpus_hash

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


@dataclass
class LiveVersion:
    """What a build needs from the version being served, read in one pass of its store.
    A dataclass, not a model: at a million passages, validating the vectors would cost."""

    folder: Path | None = None
    manifest: Manifest | None = None
    documents: dict[str, Document] = field(default_factory=dict)
    #: content hash → (passage id, vector), only when built with the model asked for
    passages: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict)


def read_live(root: Path, model_name: str) -> LiveVersion:
    folder = current_version_dir(root)
    if folder is None:
        return LiveVersion()
    manifest = read_manifest(folder)
    store = Store(folder / STORE, readonly=True)
    try:
        documents = {
            d.id: Document(**d.model_dump(), body=store.document_body(d.id) or "-")
            for d in store.documents()
        }
        passages = {}
        if manifest.model_name == model_name:
            passages = store.vectors_by_hash()
    finally:
        store.close()
    return LiveVersion(folder=folder, manifest=manifest, documents=documents, passages=passages)


def chunk_all(documents: list[Document]) -> tuple[list[Passage], dict[str, str]]:
    passages: list[Passage] = []
    contexts: dict[str, str] = {}
    for doc in documents:
        contexts[doc.id] = document_context(doc)
        passages.extend(chunk_document(doc))
    return passages, contexts


def make_plan(
    live: dict[str, Document],
    target: list[Document],
    passages: list[Passage],
    known_hashes: set[str],
) -> Plan:
    plan = Plan(passages=len(passages))
    target_ids = {d.id for d in target}
    live_bodies = {body_hash(d): d.id for d in live.values()}
    for doc in target:
        old = live.get(doc.id)
        if old is None:
            plan.new.append(doc.id)
            twin = live_bodies.get(body_hash(doc))
            if twin and twin != doc.id:
                plan.duplicates.append((doc.id, twin))
        elif old.model_dump() != doc.model_dump():
            plan.changed.append(doc.id)
        else:
            plan.unchanged.append(doc.id)
    plan.removed = sorted(set(live) - target_ids)
    plan.to_embed = sum(p.content_hash not in known_hashes for p in passages)
    return plan


def build_index(
    settings: Settings,
    encoder: Encoder,
    documents: list[Document],
    progress: Progress | None = None,
    batch_size: int = 16,
    dry_run: bool = False,
    change: Change | None = None,
) -> BuildReport:
    """Chunk, embed what is new, write a complete version beside the live one, then swap.

    ``change`` (the run's changes to ``documents/`` and the run log) is written into the new
    version, so that it is published with it; the caller applies it afterwards."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    root = private_dir(settings.index_root)
    documents = sorted(documents, key=lambda d: d.id)
    passages, contexts = chunk_all(documents)
    timings["chunking"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    current = read_live(root, encoder.name)
    live = current.passages
    cache = VectorCache(settings.data_dir / "vector_cache.sqlite", encoder.name)
    try:
        cached = cache.get_many([p.content_hash for p in passages if p.content_hash not in live])
        plan = make_plan(current.documents, documents, passages, set(live) | set(cached))
        timings["planning"] = time.perf_counter() - t1
        if dry_run:
            return BuildReport(
                version=None,
                published=False,
                plan=plan,
                documents=len(documents),
                passages=len(passages),
                embedded=0,
                reused=len(passages) - plan.to_embed,
                seconds=_round(timings),
            )

        folder, manifest = current.folder, current.manifest
        if (
            plan.nothing_to_do
            and plan.to_embed == 0
            and manifest is not None
            and manifest.model_name == encoder.name
            and manifest.chunker == CHUNKER_VERSION
            and manifest.corpus_hash == corpus_hash(documents)
        ):
            # The live version already is this corpus: publish nothing, load no model.
            timings["total"] = time.perf_counter() - t0
            return BuildReport(
                version=folder.name,
                published=False,
                plan=plan,
                documents=len(documents),
                passages=len(passages),
                embedded=0,
                reused=len(passages),
                seconds=_round(timings),
            )
        t_model = time.perf_counter()
        dimension = manifest.dimension if manifest and not plan.to_embed else encoder.dimension
        timings["model_load"] = time.perf_counter() - t_model  # lazy: only when embedding

        # Stable ids: a passage whose content is unchanged keeps its id.
        next_id = max((i for i, _ in live.values()), default=0) + 1
        vectors = np.zeros((len(passages), dimension), dtype=np.float32)
        todo: list[int] = []
        seen: set[int] = set()
        for n, p in enumerate(passages):
            old = live.get(p.content_hash)
            if old is not None and old[0] not in seen:
                p.id = old[0]
            else:
                p.id, next_id = next_id, next_id + 1
            seen.add(p.id)
            vec = old[1] if old is not None else cached.get(p.content_hash)
            if vec is not None and vec.shape[0] == dimension:
                vectors[n] = vec
            else:
                todo.append(n)

        t2 = time.perf_counter()
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            vectors[chunk] = encoder.encode_passages(
                [embedding_text(passages[i], contexts[passages[i].doc_id]) for i in chunk]
            )
            cache.put_many({passages[i].content_hash: vectors[i] for i in chunk})
            if progress:
                progress(min(start + batch_size, len(todo)), len(todo))
        timings["embedding"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        prune(root, keep=set())  # leftovers of a killed run (the caller holds the lock)
        folder = root / new_version_name()
        report = BuildReport(
            version=folder.name,
            plan=plan,
            documents=len(documents),
            passages=len(passages),
            embedded=len(todo),
            reused=len(passages) - len(todo),
            seconds=_round(timings),
        )
        if change is not None:
            change = change.model_copy(update={"summary": report.model_dump(mode="json")})
        try:
            _write_version(folder, encoder.name, documents, passages, vectors, contexts, change)
        except BaseException:  # a full disk, a signal: the half-written version goes
            remove_tree(folder)
            raise
        publish(root, folder)
        timings["storage"] = time.perf_counter() - t3
        _forget_unused(cache, {p.content_hash for p in passages})
    finally:
        cache.close()
    timings["total"] = time.perf_counter() - t0
    return report.model_copy(update={"seconds": _round(timings)})


def _forget_unused(cache: VectorCache, used: set[str]) -> None:
    """Drop cached vectors the published corpus no longer uses: tidying, which may fail (a
    full disk) without failing a run whose version is already live."""
    try:
        cache.keep_only(used)
    except Exception as exc:
        log.warning("Không dọn được bộ nhớ đệm vector: %s", exc)


def _write_version(
    folder: Path,
    model_name: str,
    documents: list[Document],
    passages: list[Passage],
    vectors: np.ndarray,
    contexts: dict[str, str],
    change: Change | None,
) -> None:
    """Every file of a version, flushed to disk, the manifest last."""
    private_dir(folder)
    store = Store(folder / STORE)
    try:
        store.create_schema()
        for doc in documents:
            meta = DocumentMeta(**doc.model_dump(exclude={"body"}))
            store.add_document(meta, doc.body, corpus_hash([doc]))
        store.add_passages(passages, vectors, contexts)
        store.add_accent_forms(
            accent_forms(f"{contexts[p.doc_id]}\n{p.section}\n{p.text}" for p in passages)
        )
        store.commit()
    finally:
        store.close()
    fsync_file(folder / STORE)
    ids = np.array([p.id for p in passages], dtype=np.int64)
    index = build_faiss(ids, vectors, vectors.shape[1])
    save_faiss(index, folder)
    index_type, index_params = describe_faiss(index)
    manifest = Manifest(
        version=folder.name,
        model_name=model_name,
        dimension=vectors.shape[1],
        passage_count=len(passages),
        document_count=len(documents),
        corpus_hash=corpus_hash(documents),
        built_at=dt.datetime.now(dt.UTC),
        index_type=index_type,
        index_params=index_params,
    )
    if change is not None:
        write_change(folder, change)
    write_manifest(folder, manifest)


def _round(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}
