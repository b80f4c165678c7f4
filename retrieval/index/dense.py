"""The dense side of an index version: FAISS, exact below a size (a scan of every vector;
from ``REFINE_FROM`` vectors, an 8-bit scan re-ranked in fp32), IVF-SQ8 with a tuned
``nprobe`` above it. Ids in the index are passage ids."""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

from retrieval.atomic import replace_atomically
from retrieval.cores import available_cores

FAISS_FILE = "dense.faiss"
SENTENCE_FAISS_FILE = "sentences.faiss"
#: Up to this many sentences a version gets a sentence index (exact search); above it,
#: sentence vectors serve only to choose what an answer quotes (see ``docs/PERFORMANCE.md``).
SENTENCE_INDEX_LIMIT = 250_000

#: Below this many passages the dense index is an exact scan; at and above it, an inverted
#: file with 8-bit scalar quantisation (IVF-SQ8), whose ``nprobe`` is tuned at build time.
APPROX_THRESHOLD = 50_000
#: From this many vectors, an exact index scans 8-bit codes (a quarter of the memory read)
#: for ``REFINE_FACTOR`` times the results asked, and ranks those by their fp32 vectors:
#: the results of a full fp32 scan, and its scores (``docs/PERFORMANCE.md``). Below it the
#: vectors fit the CPU's caches and a plain scan is as fast.
REFINE_FROM = 4_096
REFINE_FACTOR = 2.0
#: The recall@10 against exact search that tuning aims at (the requirement is 0.95).
TARGET_RECALL = 0.97
#: Vectors an IVF search scans a question (nprobe / nlist × count) from which the scan is
#: shared among the cores.
PARALLEL_SCAN = 200_000


def ivf_nlist(n: int) -> int:
    """About 4·√n inverted lists, a power of two, with at least 64 training points each."""
    nlist = 1 << max(int(round(np.log2(4 * np.sqrt(max(n, 1))))), 6)
    while nlist > 64 and nlist * 64 > n:
        nlist //= 2
    return nlist


def build_faiss(
    ids: np.ndarray,
    vectors: np.ndarray,
    dimension: int,
    *,
    approx_threshold: int | None = None,
    target_recall: float = TARGET_RECALL,
    seed: int = 1234,
) -> faiss.Index:
    """The dense index of one version; ids are passage ids. Exact inner product below
    ``approx_threshold`` vectors, IVF-SQ8 with a tuned ``nprobe`` above it."""
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # k-means and adding: every core
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(ids)
    threshold = APPROX_THRESHOLD if approx_threshold is None else approx_threshold
    if n < max(threshold, 1):
        index = faiss.IndexIDMap2(_exact(vectors, dimension))
        if n:
            index.add_with_ids(vectors, ids)
        return index
    nlist = min(ivf_nlist(n), n)
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=min(n, nlist * 64), replace=False)
    index.cp.seed = seed
    index.cp.niter = 12
    index.train(vectors[np.sort(sample)])
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    index.add_with_ids(vectors, ids)
    index.nprobe = tune_nprobe(index, ids, vectors, target_recall, rng)
    return index


def _exact(vectors: np.ndarray, dimension: int) -> faiss.Index:
    """An empty exact index for ``vectors``. A question's vector is compared with every
    stored one; right after its embedding has streamed the model's weights through the
    caches, that is a read from memory, four times shorter in 8-bit codes (10k passages in
    a question: 0.80 → 0.36 ms). The 8-bit order decides only which ``REFINE_FACTOR`` × k go
    on to the fp32 comparison, so the results are the plain scan's."""
    if len(vectors) < REFINE_FROM:
        return faiss.IndexFlatIP(dimension)
    codes = faiss.IndexScalarQuantizer(
        dimension, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    codes.train(vectors)
    index = faiss.IndexRefineFlat(codes)  # keeps a reference to ``codes``
    index.k_factor = REFINE_FACTOR
    return index


def probe_queries(vectors: np.ndarray, rng: np.random.Generator, count: int = 200) -> np.ndarray:
    """Query-like points: the midpoint of two stored vectors, plus a little noise."""
    n, d = vectors.shape
    a, b = rng.integers(0, n, size=count), rng.integers(0, n, size=count)
    q = vectors[a] + 0.5 * vectors[b] + rng.normal(0, 0.02, size=(count, d)).astype(np.float32)
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


def recall_at(approx: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of the exact top-k found in the approximate top-k."""
    k = exact.shape[1]
    found = [len(set(a[a >= 0]) & set(e[e >= 0])) / k for a, e in zip(approx, exact, strict=True)]
    return float(np.mean(found)) if found else 1.0


def tune_nprobe(
    index: faiss.IndexIVF,
    ids: np.ndarray,
    vectors: np.ndarray,
    target: float,
    rng: np.random.Generator,
) -> int:
    """The smallest ``nprobe`` whose recall@10 against exact search reaches ``target`` on
    query-like points: doubled until it does, then halved back in eighths of the last step
    (at 1M passages the step from 1,024 to 2,048 lists is a scan twice as long)."""
    queries = probe_queries(vectors, rng)
    _, exact_rows = faiss.knn(queries, vectors, 10, faiss.METRIC_INNER_PRODUCT)
    exact = np.where(exact_rows >= 0, ids[np.maximum(exact_rows, 0)], -1)

    def reaches(nprobe: int) -> bool:
        index.nprobe = nprobe
        _, approx = index.search(queries, 10)
        return recall_at(approx, exact) >= target

    nprobe = 1
    while nprobe < index.nlist and not reaches(nprobe):
        nprobe *= 2
    nprobe = min(nprobe, index.nlist)
    low, high = nprobe // 2, nprobe  # low fails (or is 0), high reaches the target
    step = max(nprobe // 16, 1)
    while high - low > step:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    index.nprobe = high
    return high


def describe_faiss(index: faiss.Index) -> tuple[str, dict[str, int | float | str]]:
    """The index type and parameters that the manifest records."""
    ivf = _ivf(index)
    if ivf is not None:
        return "IndexIVFScalarQuantizer", {
            "nlist": int(ivf.nlist),
            "nprobe": int(ivf.nprobe),
            "quantizer": "SQ8",
            "metric": "inner_product",
        }
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    if isinstance(inner, faiss.IndexRefine):
        return "IndexRefineFlat", {
            "quantizer": "SQ8",
            "k_factor": float(inner.k_factor),
            "metric": "inner_product",
        }
    return "IndexFlatIP", {"metric": "inner_product"}


def apply_search_params(index: faiss.Index, params: dict[str, int | float | str]) -> None:
    """Search-time parameters from the manifest (``nprobe`` of an IVF index); a scan large
    enough to share among the cores is split by inverted list (``scan_threads``)."""
    ivf = _ivf(index)
    if ivf is not None and "nprobe" in params:
        ivf.nprobe = int(params["nprobe"])
    if ivf is not None and scan_threads(index) > 1:
        ivf.parallel_mode = 1  # one question's lists among the threads, not questions


def scan_threads(index: faiss.Index | None) -> int:
    """The OpenMP threads one question's search gets: every core for an IVF scan of at least
    ``PARALLEL_SCAN`` vectors (1M passages: 27 → 13 ms on 2 cores, the same CPU time), one
    otherwise (see ``serve_single_threaded``)."""
    ivf = _ivf(index) if index is not None else None
    if ivf is None or not ivf.nlist:
        return 1
    scanned = index.ntotal * min(ivf.nprobe, ivf.nlist) / ivf.nlist
    return available_cores() if scanned >= PARALLEL_SCAN else 1


def _ivf(index: faiss.Index) -> faiss.IndexIVF | None:
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


def save_faiss(index: faiss.Index, folder: Path, name: str = FAISS_FILE) -> None:
    replace_atomically(folder / name, lambda tmp: faiss.write_index(index, str(tmp)))


def load_faiss(
    folder: Path, params: dict[str, int | float | str], name: str = FAISS_FILE
) -> faiss.Index | None:
    """The named index of a version folder; None when the version has none."""
    if not (folder / name).exists():
        return None
    index = faiss.read_index(str(folder / name))
    apply_search_params(index, params)
    serve_single_threaded()
    return index


def serve_single_threaded() -> None:
    """One OpenMP thread for searches: a question is searched alone (FAISS splits a batch by
    query, so a second thread has nothing to do), and the team's barrier would otherwise wait
    for a second core that the embedding or another process holds, tens of ms on a busy
    server (measured in docs/PERFORMANCE.md). Builds take every core again (``build_faiss``)."""
    faiss.omp_set_num_threads(1)


def dense_search(
    index: faiss.Index | None, vector: np.ndarray, limit: int, threads: int = 1
) -> list[tuple[int, float]]:
    """(id, inner product) best first, with ``threads`` OpenMP threads (``scan_threads``)."""
    if index is None or index.ntotal == 0:
        return []
    faiss.omp_set_num_threads(threads)  # per calling thread: questions come from several
    scores, ids = index.search(vector.reshape(1, -1).astype(np.float32), limit)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
