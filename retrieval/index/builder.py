"""Build a new index version from documents and publish it atomically.

Only new or changed passages (and sentences) are embedded: vectors are looked up by content
hash in the live version and in the vector cache (which also makes a killed run resumable).
A passage keeps its id from one version to the next while its content is unchanged, so
citations stored by the bot stay valid. Every sentence of a passage gets a vector of its own,
which answers use to quote the sentence that answers and to find questions that paraphrase a
single sentence. The version folder is complete, with its manifest written last, before
``CURRENT`` points at it; it carries the run's other changes (``retrieval.index.changes``), so
that they are published with it. A failure while it is written (a full disk, a signal) removes
it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
from retrieval.domain.naming import shorten
from retrieval.embedding.encoder import Encoder, LazyEncoder
from retrieval.index.changes import Change, write_change
from retrieval.index.dense import (
    SENTENCE_FAISS_FILE,
    SENTENCE_INDEX_LIMIT,
    build_faiss,
    describe_faiss,
    save_faiss,
)
from retrieval.index.store import Store
from retrieval.index.tantivy_index import TantivyWriter, engine_matches, uses_tantivy
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
from retrieval.knowledge.chunking import SEP, chunk_document, document_context, embedding_text
from retrieval.knowledge.documents import body_hash, corpus_hash
from retrieval.knowledge.structure import sentence_windows

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
    #: content hash → vector of its sentences, on the same condition
    sentences: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class SentenceRow:
    passage_index: int
    start: int
    end: int
    text: str
    content_hash: str


def sentence_rows(passages: list[Passage]) -> list[SentenceRow]:
    """Every sentence (or clause window of a long sentence) of every passage, with what the
    dense model reads of it: the words behind their heading ("Điều 44.5.NĐ.7. Nguyên tắc …:
    1. Đơn giản, dễ hiểu …"), so that a clause is understood as part of its article."""
    rows = []
    for n, p in enumerate(passages):
        heading = shorten(p.section.split(SEP)[-1], 100)
        for start, end in sentence_windows(p.text):
            words = p.text[start:end]
            text = words if words.startswith(heading.rstrip("…")) else f"{heading}: {words}"
            digest = hashlib.sha256(f"sentence\x1f{text}".encode()).hexdigest()[:32]
            rows.append(SentenceRow(n, start, end, text, digest))
    return rows


def read_live(root: Path, model_name: str, vocabulary: str = "") -> LiveVersion:
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
        passages, sentences = {}, {}
        if manifest.model_name == model_name and manifest.vocabulary == vocabulary:
            passages = store.vectors_by_hash()
            sentences = store.sentence_vectors_by_hash()
    finally:
        store.close()
    return LiveVersion(folder, manifest, documents, passages, sentences)


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


def _embed_missing(
    texts: list[str],
    keys: list[str],
    known: dict[str, np.ndarray],
    vectors: np.ndarray,
    encoder: Encoder | LazyEncoder,
    cache: VectorCache,
    batch_size: int,
    tick: Callable[[int], None],
) -> int:
    """Fill ``vectors``: known ones by key, the rest embedded in batches (each batch committed
    to the cache, so a killed run resumes). Returns how many were embedded."""
    todo = []
    for n, key in enumerate(keys):
        vec = known.get(key)
        if vec is not None and vec.shape[0] == vectors.shape[1]:
            vectors[n] = vec
        else:
            todo.append(n)
    # Texts of similar length in one batch: less padding, the same vectors.
    todo.sort(key=lambda n: len(texts[n]))
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        vectors[chunk] = encoder.encode_passages([texts[n] for n in chunk])
        cache.put_many({keys[n]: vectors[n] for n in chunk})
        tick(len(chunk))
    return len(todo)


def build_index(
    settings: Settings,
    encoder: Encoder | LazyEncoder,
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
    sentences = sentence_rows(passages)
    timings["chunking"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    vocabulary = encoder.vocabulary.abbreviation_hash()
    current = read_live(root, encoder.name, vocabulary)
    live = current.passages
    # What the model reads depends on the abbreviation table: vectors are cached per table.
    cache = VectorCache(settings.data_dir / "vector_cache.sqlite", f"{encoder.name}#{vocabulary}")
    try:
        cached = cache.get_many([p.content_hash for p in passages if p.content_hash not in live])
        cached_sentences = cache.get_many(
            [r.content_hash for r in sentences if r.content_hash not in current.sentences]
        )
        known_sentences = {**cached_sentences, **current.sentences}
        plan = make_plan(current.documents, documents, passages, set(live) | set(cached))
        plan.sentences_to_embed = sum(r.content_hash not in known_sentences for r in sentences)
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
            and plan.sentences_to_embed == 0
            and manifest is not None
            and manifest.model_name == encoder.name
            and manifest.vocabulary == vocabulary
            and manifest.chunker == CHUNKER_VERSION
            and manifest.corpus_hash == corpus_hash(documents)
            and engine_matches(folder, settings.lexical_engine, len(passages))
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
        work = plan.to_embed + plan.sentences_to_embed
        dimension = manifest.dimension if manifest and not work else encoder.dimension
        timings["model_load"] = time.perf_counter() - t_model  # lazy: only when embedding

        # Stable ids: a passage whose content is unchanged keeps its id.
        next_id = max((i for i, _ in live.values()), default=0) + 1
        seen: set[int] = set()
        for p in passages:
            old = live.get(p.content_hash)
            if old is not None and old[0] not in seen:
                p.id = old[0]
            else:
                p.id, next_id = next_id, next_id + 1
            seen.add(p.id)

        t2 = time.perf_counter()
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, work)

        vectors = np.zeros((len(passages), dimension), dtype=np.float32)
        known = {**cached, **{h: vec for h, (_, vec) in live.items()}}
        embedded = _embed_missing(
            [embedding_text(p, contexts[p.doc_id]) for p in passages],
            [p.content_hash for p in passages],
            known,
            vectors,
            encoder,
            cache,
            batch_size,
            tick,
        )
        sentence_vectors = np.zeros((len(sentences), dimension), dtype=np.float32)
        _embed_missing(
            [r.text for r in sentences],
            [r.content_hash for r in sentences],
            known_sentences,
            sentence_vectors,
            encoder,
            cache,
            batch_size,
            tick,
        )
        timings["embedding"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        prune(root, keep=set())  # leftovers of a killed run (the caller holds the lock)
        folder = root / new_version_name()
        report = BuildReport(
            version=folder.name,
            plan=plan,
            documents=len(documents),
            passages=len(passages),
            embedded=embedded,
            reused=len(passages) - embedded,
            seconds=_round(timings),
        )
        if change is not None:
            change = change.model_copy(update={"summary": report.model_dump(mode="json")})
        try:
            _write_version(
                folder,
                documents,
                (passages, vectors, contexts),
                (sentences, sentence_vectors),
                model_name=encoder.name,
                vocabulary=vocabulary,
                change=change,
                lexical_engine=settings.lexical_engine,
            )
        except BaseException:  # a full disk, a signal: the half-written version goes
            remove_tree(folder)
            raise
        publish(root, folder)
        timings["storage"] = time.perf_counter() - t3
        _forget_unused(
            cache, {p.content_hash for p in passages} | {r.content_hash for r in sentences}
        )
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
    documents: list[Document],
    passage_part: tuple[list[Passage], np.ndarray, dict[str, str]],
    sentence_part: tuple[list[SentenceRow], np.ndarray],
    *,
    model_name: str,
    vocabulary: str,
    change: Change | None,
    lexical_engine: str,
) -> None:
    """A complete version folder, every file flushed to disk: store, FAISS files, the run's
    changes, manifest last, recording the model and the abbreviation table the vectors were
    made with."""
    passages, vectors, contexts = passage_part
    sentences, sentence_vectors = sentence_part
    private_dir(folder)
    store = Store(folder / STORE)
    try:
        store.create_schema()
        if uses_tantivy(lexical_engine, len(passages)):
            store.tantivy, store.fts = TantivyWriter(folder), False  # see tantivy_index
        for doc in documents:
            meta = DocumentMeta(**doc.model_dump(exclude={"body"}))
            store.add_document(meta, doc.body, corpus_hash([doc]))
        store.add_passages(passages, vectors, contexts)
        if store.tantivy is not None:
            store.tantivy.close()
        store.add_sentences(
            [(passages[r.passage_index].id, r.start, r.end, r.content_hash) for r in sentences],
            sentence_vectors,
        )
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
    if len(sentences) <= SENTENCE_INDEX_LIMIT:
        sentence_ids = np.arange(len(sentences), dtype=np.int64)
        sentence_index = build_faiss(sentence_ids, sentence_vectors, vectors.shape[1])
        save_faiss(sentence_index, folder, SENTENCE_FAISS_FILE)
    index_type, index_params = describe_faiss(index)
    manifest = Manifest(
        version=folder.name,
        model_name=model_name,
        vocabulary=vocabulary,
        dimension=vectors.shape[1],
        passage_count=len(passages),
        sentence_count=len(sentences),
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
