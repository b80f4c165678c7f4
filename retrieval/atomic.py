"""Files under the data dir: replaced so that a crash leaves the old content or the new one,
never half, and private to the service's user whatever its umask (files 0600, folders 0700).

The data dir holds question texts, user ids and documents not yet published: any local user
could read them under the usual umask 022 (issue 15). The modes are given at creation, not
fixed afterwards, so there is no moment at which a file is readable by others.

A rename is atomic, but it is durable only once the folder that holds the name is flushed
too: :func:`fsync_dir` after every rename and every new name that matters.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
#: SQLite's result code for "database or disk is full" (``sqlite3.SQLITE_FULL``).
_SQLITE_FULL = 13


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the names created, renamed or removed in it) to disk."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def private_dir(folder: Path) -> Path:
    """``mkdir -p`` with mode 0700 for every folder it creates (``Path.mkdir(parents=True)``
    gives the missing parents the umask's mode instead). Existing folders are left as they
    are: the data dir itself may be a volume someone else set up."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            path.mkdir(mode=DIR_MODE)
            path.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask
    return folder


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist, for a writer that opens it
    by name (SQLite, FAISS); one that exists with looser bits is tightened. SQLite gives its
    ``-wal`` and ``-shm`` files the mode of the database file."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        with contextlib.suppress(OSError):  # not ours to change (another owner): leave it
            if path.stat().st_mode & 0o077:
                path.chmod(FILE_MODE)
    else:
        os.close(fd)
    return path


def replace_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a private temporary path beside ``target``, flush it to disk, rename
    it over ``target`` (a rename within one folder is atomic), then flush the folder."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        private_file(tmp)
        write(tmp)
        fsync_file(tmp)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomically(target: Path, text: str) -> None:
    replace_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def remove_durably(path: Path) -> bool:
    """Delete a file and flush its folder; False when there was nothing to delete."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True


def remove_tree(folder: Path) -> None:
    """Delete a folder and what it holds, then flush its parent (errors ignored: a leftover
    is tidied by the next run)."""
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        fsync_dir(folder.parent)


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a full disk or a spent quota, as ``os`` reports
    it (ENOSPC, EDQUOT), as SQLite does (SQLITE_FULL) or as FAISS does (in its message)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(current, "sqlite_errorcode", None) == _SQLITE_FULL:
            return True
        if os.strerror(errno.ENOSPC) in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False
