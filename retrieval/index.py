"""Index versions: a folder with the SQLite store, the FAISS index and a manifest.

``data/index/CURRENT`` names the live version. A new version is built in a folder of its own,
its manifest written last, and ``CURRENT`` is replaced atomically, so readers always see a
complete version.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

import faiss
import numpy as np
from pydantic import BaseModel

from retrieval.atomic import replace_atomically, write_text_atomically
from retrieval.settings import Settings
from retrieval.store import Store

MANIFEST = "manifest.json"
STORE = "store.sqlite"
FAISS_FILE = "dense.faiss"
CURRENT = "CURRENT"
CHUNKER_VERSION = "2"


class IndexMissingError(RuntimeError):
    """No index has been built yet."""


class IndexMismatchError(RuntimeError):
    """The index was built with another model than the one configured."""


class Manifest(BaseModel):
    version: str
    model_name: str
    dimension: int
    passage_count: int
    document_count: int
    corpus_hash: str
    built_at: dt.datetime
    index_type: str = "IndexFlatIP"
    index_params: dict[str, int | float | str] = {}
    chunker: str = CHUNKER_VERSION


def new_version_name() -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"v{stamp}-{uuid.uuid4().hex[:6]}"


def current_version_dir(root: Path) -> Path | None:
    pointer = root / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    folder = root / name
    return folder if (folder / MANIFEST).exists() else None


def read_manifest(folder: Path) -> Manifest:
    return Manifest.model_validate_json((folder / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest last: its presence is what makes a version folder complete."""
    write_text_atomically(folder / MANIFEST, manifest.model_dump_json(indent=2))


def publish(root: Path, folder: Path) -> None:
    """Make ``folder`` the live version, atomically; older versions are pruned."""
    write_text_atomically(root / CURRENT, folder.name)
    prune(root, keep={folder.name})


def prune(root: Path, keep: set[str], keep_last: int = 2) -> None:
    """Remove incomplete folders and all but the newest few complete versions."""
    complete = sorted(
        (p for p in root.glob("v*") if p.is_dir() and (p / MANIFEST).exists()),
        key=lambda p: p.name,
    )
    survivors = keep | {p.name for p in complete[-keep_last:]}
    for p in root.glob("v*"):
        if p.is_dir() and p.name not in survivors:
            shutil.rmtree(p, ignore_errors=True)


#: Below this many passages the dense index is an exact scan; at and above it, an inverted
#: file with 8-bit scalar quantisation (IVF-SQ8), whose ``nprobe`` is tuned at build time.
APPROX_THRESHOLD = 50_000
#: The recall@10 against exact search that tuning aims at (the requirement is 0.95).
TARGET_RECALL = 0.97


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
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(ids)
    threshold = APPROX_THRESHOLD if approx_threshold is None else approx_threshold
    if n < max(threshold, 1):
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
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
    """The smallest power-of-two ``nprobe`` whose recall@10 against exact search reaches
    ``target`` on query-like points."""
    queries = probe_queries(vectors, rng)
    _, exact_rows = faiss.knn(queries, vectors, 10, faiss.METRIC_INNER_PRODUCT)
    exact = np.where(exact_rows >= 0, ids[np.maximum(exact_rows, 0)], -1)
    nprobe = 1
    while nprobe < index.nlist:
        index.nprobe = nprobe
        _, approx = index.search(queries, 10)
        if recall_at(approx, exact) >= target:
            return nprobe
        nprobe *= 2
    return index.nlist


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
    return "IndexFlatIP", {"metric": "inner_product"}


def apply_search_params(index: faiss.Index, params: dict[str, int | float | str]) -> None:
    """Search-time parameters from the manifest (``nprobe`` of an IVF index)."""
    ivf = _ivf(index)
    if ivf is not None and "nprobe" in params:
        ivf.nprobe = int(params["nprobe"])


def _ivf(index: faiss.Index) -> faiss.IndexIVF | None:
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


def save_faiss(index: faiss.Index, folder: Path) -> None:
    replace_atomically(folder / FAISS_FILE, lambda tmp: faiss.write_index(index, str(tmp)))


class IndexVersion:
    """The live, read-only version: store, FAISS index and manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = read_manifest(folder)
        self.store = Store(folder / STORE, readonly=True)
        self.faiss = faiss.read_index(str(folder / FAISS_FILE))
        apply_search_params(self.faiss, self.manifest.index_params)

    @classmethod
    def open_current(cls, settings: Settings) -> IndexVersion:
        folder = current_version_dir(settings.index_root)
        if folder is None:
            raise IndexMissingError(
                f"Chưa có chỉ mục trong {settings.index_root}. Hãy chạy `cchc reindex` "
                "(hoặc `make run`) để xây dựng."
            )
        version = cls(folder)
        version.check_model(settings.index_model_name(), None)
        return version

    def check_model(self, model_name: str, dimension: int | None) -> None:
        m = self.manifest
        if m.model_name != model_name or (dimension is not None and m.dimension != dimension):
            raise IndexMismatchError(
                f"Chỉ mục được xây bằng mô hình '{m.model_name}' ({m.dimension} chiều) nhưng "
                f"cấu hình hiện tại là '{model_name}'"
                + (f" ({dimension} chiều)" if dimension else "")
                + ". Hãy xây lại chỉ mục: `cchc reindex` (hoặc đặt lại CCHC_EMBEDDING_MODEL)."
            )

    def dense_search(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        if self.faiss.ntotal == 0:
            return []
        scores, ids = self.faiss.search(vector.reshape(1, -1).astype(np.float32), limit)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def close(self) -> None:
        self.store.close()
