"""``cchc backup`` and ``cchc restore``: what cannot be rebuilt, copied out and put back.

A backup is a folder holding:

- every database at the top of the data dir (the bot's ``bot.sqlite``, ``reindex_runs.sqlite``,
  ``vector_cache.sqlite``…), copied through SQLite's online backup while the bot runs;
- ``documents/``: the documents administrators added (the only copy of them), and
  ``removed.txt``;
- the live index version (``index/CURRENT`` and its folder: store, FAISS files, manifest), so
  that a restored assistant answers at once, without embedding anything again;
- ``cchc-backup.json``, written last: every file with its size and SHA-256.

Not in it: the embedding model (rebuilt by ``cchc setup``), older index versions, files waiting
in quarantine, locks. A backup is taken under the reindex lock, so its index and documents
belong together.

``restore`` checks every file against the manifest and every database with SQLite's
``quick_check`` in a staging folder, then swaps it in, so that a failure leaves the data dir
as it was. The entries it replaces are kept in ``<data>.before-restore-<time>`` (or, when the
data dir is a mount point such as a Docker volume, in a folder of that name inside it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from retrieval.config import Settings
from retrieval.domain.errors import BackupError
from retrieval.index.lock import ReindexLock
from retrieval.index.snapshot import SIDECARS, copy_database, database_is_sound, is_database
from retrieval.index.versions import CURRENT, current_version_dir

MANIFEST = "cchc-backup.json"
FORMAT = 1
#: Top-level entries of a data dir that a restore replaces (besides ``*.sqlite`` files).
DATA_FOLDERS = ("index", "documents", "quarantine")


class BackedUpFile(BaseModel):
    path: str  # relative to the backup folder, with "/"
    kind: Literal["database", "file"]
    size: int
    sha256: str


class BackupManifest(BaseModel):
    format: int = FORMAT
    created_at: dt.datetime
    data_dir: str
    index_version: str | None = None
    files: list[BackedUpFile]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.files if f.kind == kind)


class RestoreReport(BaseModel):
    manifest: BackupManifest
    #: Where the entries the restore replaced were moved (None for an empty data dir).
    previous: Path | None = None


# -- backup ---------------------------------------------------------------------------------
def _sources(data: Path) -> Iterator[tuple[Path, str]]:
    """(file in the data dir, its path in the backup) for everything a backup holds."""
    for path in sorted(data.iterdir()):
        if is_database(path):
            yield path, path.name
    documents = data / "documents"
    if documents.is_dir():
        for path in sorted(documents.rglob("*")):
            if path.is_file() and not path.name.endswith(".tmp"):
                yield path, path.relative_to(data).as_posix()
    live = current_version_dir(data / "index")
    if live is not None:
        yield data / "index" / CURRENT, f"index/{CURRENT}"
        for path in sorted(live.rglob("*")):
            if path.is_file() and not path.name.endswith(SIDECARS):
                yield path, path.relative_to(data).as_posix()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _empty_or_missing(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def _io_error(path: Path, exc: OSError) -> BackupError:
    return BackupError("backup_io", path=str(path), cause=exc.strerror or str(exc))


def backup(settings: Settings, dest: Path) -> BackupManifest:
    """Copy what cannot be rebuilt from the data dir into the new folder ``dest``.

    Written into a hidden folder beside ``dest`` and renamed at the end: an interrupted backup
    never looks like a complete one."""
    data = settings.data_dir
    dest = dest.expanduser().absolute()
    if not data.is_dir():
        raise BackupError("backup_no_data", path=str(data))
    if not _empty_or_missing(dest):
        raise BackupError("backup_target_not_empty", path=str(dest))
    stage = dest.with_name(f".{dest.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        stage.mkdir(mode=0o700)
        with ReindexLock(settings.index_root):
            files = [_copy_out(src, stage, rel) for src, rel in _sources(data)]
            live = current_version_dir(settings.index_root)
        manifest = BackupManifest(
            created_at=dt.datetime.now(dt.UTC),
            data_dir=str(data),
            index_version=live.name if live else None,
            files=files,
        )
        (stage / MANIFEST).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        stage.rename(dest)
    except OSError as exc:
        raise _io_error(dest, exc) from exc
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return manifest


def _copy_out(src: Path, stage: Path, rel: str) -> BackedUpFile:
    target = stage / rel
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if is_database(src):
        copy_database(src, target)
        kind: Literal["database", "file"] = "database"
    else:
        shutil.copy2(src, target)
        kind = "file"
    target.chmod(0o600)
    return BackedUpFile(path=rel, kind=kind, size=target.stat().st_size, sha256=_sha256(target))


# -- restore --------------------------------------------------------------------------------
def read_backup(source: Path) -> BackupManifest:
    """The manifest of the backup in ``source``, every file checked against it."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError("backup_not_a_backup", path=str(source))
    try:
        manifest = BackupManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError) as exc:
        raise BackupError("backup_not_a_backup", path=str(source)) from exc
    if manifest.format != FORMAT:
        raise BackupError("backup_not_a_backup", path=str(source))
    for item in manifest.files:
        file = source / item.path
        rel = Path(item.path)
        if rel.is_absolute() or ".." in rel.parts:
            raise BackupError("backup_damaged", file=item.path)
        if not file.is_file() or file.stat().st_size != item.size or _sha256(file) != item.sha256:
            raise BackupError("backup_damaged", file=item.path)
    return manifest


def is_data_entry(path: Path) -> bool:
    """What a restore replaces: databases (and their sidecars), the index, the documents and
    the quarantine. The model, backups kept in the data dir and other files stay."""
    name = path.name
    return (
        name in DATA_FOLDERS
        or name.endswith(".sqlite")
        or any(name.endswith(f".sqlite{s}") for s in SIDECARS)
    )


def _data_entries(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if is_data_entry(p))


def restore(settings: Settings, source: Path, *, force: bool = False) -> RestoreReport:
    """Put the backup in ``source`` back into the data dir.

    A data dir that already holds data is refused unless ``force``. The backup is copied into
    a staging folder and checked there first; then the swap is a few renames."""
    source = source.expanduser().absolute()
    target = settings.data_dir
    manifest = read_backup(source)
    if _data_entries(target) and not force:
        raise BackupError("restore_target_not_empty", path=str(target))
    in_place = target.exists() and os.path.ismount(target)
    stage_parent = target if in_place else target.parent
    stage = stage_parent / f".{target.name}.restore-{uuid.uuid4().hex[:8]}"
    try:
        stage_parent.mkdir(parents=True, exist_ok=True)
        stage.mkdir(mode=0o700)
        _copy_in(source, stage, manifest)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        previous = _swap_in_place(target, stage, stamp) if in_place else _swap(target, stage, stamp)
    except OSError as exc:
        raise _io_error(target, exc) from exc
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return RestoreReport(manifest=manifest, previous=previous)


def _copy_in(source: Path, stage: Path, manifest: BackupManifest) -> None:
    for item in manifest.files:
        target = stage / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / item.path, target)
        target.chmod(0o600)
        if item.kind == "database" and not database_is_sound(target):
            raise BackupError("backup_damaged", file=item.path)
    for folder in (stage, *(p for p in stage.rglob("*") if p.is_dir())):
        folder.chmod(0o700)


def _swap(target: Path, stage: Path, stamp: str) -> Path | None:
    """The data dir is replaced by the staging folder in one rename; what is not data (the
    model, backups…) moves over first. The old data, if any, is kept beside."""
    if not target.exists():
        stage.rename(target)
        return None
    previous = None
    if _data_entries(target):
        previous = target.with_name(f"{target.name}.before-restore-{stamp}")
    kept = [p for p in target.iterdir() if not is_data_entry(p)]
    moved: list[Path] = []
    try:
        for path in kept:
            path.rename(stage / path.name)
            moved.append(path)
        if previous is not None:
            target.rename(previous)
        else:
            target.rmdir()  # nothing left in it
    except OSError:
        for path in moved:  # put back what moved, so that the data dir is whole again
            (stage / path.name).rename(path)
        raise
    stage.rename(target)
    return previous


def _swap_in_place(target: Path, stage: Path, stamp: str) -> Path | None:
    """For a data dir that cannot be renamed (a mount point): its data entries move into a
    folder inside it, then the staged ones move up; each step is one rename."""
    old = _data_entries(target)
    previous = target / f".before-restore-{stamp}" if old else None
    undo: list[Callable[[], object]] = []
    try:
        if previous is not None:
            previous.mkdir(mode=0o700)
            for path in old:
                path.rename(previous / path.name)
                undo.append(lambda p=path: (previous / p.name).rename(p))
        for path in sorted(stage.iterdir()):
            path.rename(target / path.name)
            undo.append(lambda p=path: (target / p.name).rename(p))
    except OSError:
        for step in reversed(undo):
            step()
        raise
    return previous
