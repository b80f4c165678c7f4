"""Index versions: a folder with the SQLite store, the FAISS index and a manifest.

``data/index/CURRENT`` names the live version. A new version is built in a folder of its own,
every file flushed to disk, its manifest written last, and ``CURRENT`` is replaced atomically
(and its folder flushed), so readers always see a complete version and a crash, even of the
machine, leaves the old pointer or the new one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from retrieval.atomic import fsync_dir, remove_tree, write_text_atomically
from retrieval.config import Settings
from retrieval.domain.errors import IndexMismatchError, IndexMissingError
from retrieval.domain.models import Document, Passage
from retrieval.index.dense import SENTENCE_FAISS_FILE, dense_search, load_faiss, scan_threads
from retrieval.index.store import Store

MANIFEST = "manifest.json"
STORE = "store.sqlite"
CURRENT = "CURRENT"
CHUNKER_VERSION = "5"


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
    #: The abbreviation table the passages were embedded with (``Vocabulary``).
    vocabulary: str = ""
    sentence_count: int = 0


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


def is_complete(folder: Path) -> bool:
    return folder.is_dir() and (folder / MANIFEST).exists()


def version_folders(root: Path) -> list[Path]:
    """Every version folder, complete or not, oldest first."""
    return sorted((p for p in root.glob("v*") if p.is_dir()), key=lambda p: p.name)


def publish(root: Path, folder: Path) -> None:
    """Make the complete ``folder`` the live version, atomically and durably; older versions
    are pruned."""
    fsync_dir(folder)
    fsync_dir(root)  # the new folder's own name, before a pointer names it
    write_text_atomically(root / CURRENT, folder.name)
    prune(root, keep={folder.name})


def prune(root: Path, keep: set[str], keep_last: int = 2) -> None:
    """Remove incomplete folders and all but the newest few complete versions."""
    complete = [p for p in version_folders(root) if is_complete(p)]
    survivors = keep | {p.name for p in complete[-keep_last:]}
    for p in version_folders(root):
        if p.name not in survivors:
            remove_tree(p)


class IndexVersion:
    """The live, read-only version: store, FAISS index and manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = read_manifest(folder)
        self.store = Store(folder / STORE, readonly=True)
        self.faiss = load_faiss(folder, self.manifest.index_params)
        self.sentence_faiss = load_faiss(folder, {}, SENTENCE_FAISS_FILE)
        self.scan_threads = scan_threads(self.faiss)
        self.sentence_owners = (
            self.store.sentence_owners() if self.sentence_faiss is not None else None
        )

    @classmethod
    def open_current(cls, settings: Settings) -> IndexVersion:
        folder = current_version_dir(settings.index_root)
        if folder is None:
            raise IndexMissingError(root=str(settings.index_root))
        version = cls(folder)
        version.check_model(settings.index_model_name(), None)
        return version

    def check_model(self, model_name: str, dimension: int | None) -> None:
        m = self.manifest
        if m.model_name != model_name or (dimension is not None and m.dimension != dimension):
            raise IndexMismatchError(
                built_with=m.model_name,
                dimension=m.dimension,
                configured=model_name,
                configured_dimension=dimension,
            )

    def corpus(self) -> tuple[list[Document], list[Passage]]:
        """The version's documents, with their bodies, and its passages in reading order."""
        documents = [
            Document(**meta.model_dump(), body=self.store.document_body(meta.id) or "-")
            for meta in self.store.documents()
        ]
        return documents, list(self.store.all_passages())

    def dense_search(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        return dense_search(self.faiss, vector, limit, self.scan_threads)

    def sentence_search(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(passage id, similarity of its best sentence) best first; [] without a sentence
        index."""
        found = dense_search(self.sentence_faiss, vector, limit)
        owners = self.sentence_owners
        best: dict[int, float] = {}
        for sid, score in found:
            pid = int(owners[sid]) if owners is not None and 0 <= sid < len(owners) else -1
            if pid >= 0 and score > best.get(pid, -1.0):
                best[pid] = score
        return sorted(best.items(), key=lambda x: -x[1])

    def close(self) -> None:
        self.store.close()
