"""Index versions: a folder with the SQLite store, the FAISS index and a manifest.

``data/index/CURRENT`` names the live version. A new version is built in a folder of its own,
its manifest written last, and ``CURRENT`` is replaced atomically, so readers always see a
complete version.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

import faiss
import numpy as np
from pydantic import BaseModel

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
    tmp = folder / f"{MANIFEST}.tmp"
    tmp.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, folder / MANIFEST)


def publish(root: Path, folder: Path) -> None:
    """Make ``folder`` the live version, atomically; older versions are pruned."""
    tmp = root / f"{CURRENT}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(folder.name, encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, root / CURRENT)
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


def build_faiss(ids: np.ndarray, vectors: np.ndarray, dimension: int) -> faiss.Index:
    """Exact inner-product search; ids are passage ids."""
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
    return index


def save_faiss(index: faiss.Index, folder: Path) -> None:
    tmp = folder / f"{FAISS_FILE}.tmp"
    faiss.write_index(index, str(tmp))
    _fsync(tmp)
    os.replace(tmp, folder / FAISS_FILE)


class IndexVersion:
    """The live, read-only version: store, FAISS index and manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = read_manifest(folder)
        self.store = Store(folder / STORE, readonly=True)
        self.faiss = faiss.read_index(str(folder / FAISS_FILE))

    @classmethod
    def open_current(cls, settings: Settings) -> IndexVersion:
        folder = current_version_dir(settings.index_root)
        if folder is None:
            raise IndexMissingError(
                f"Chưa có chỉ mục trong {settings.index_root}. Hãy chạy `cchc reindex` "
                "(hoặc `make run`) để xây dựng."
            )
        version = cls(folder)
        version.check_model(settings.embedding_model, None)
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


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
