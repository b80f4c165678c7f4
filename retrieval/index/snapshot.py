"""Consistent copies of live SQLite databases, through SQLite's online backup API.

Copying the file of a database in WAL mode (the bot's log) with ``cp`` can miss what is still
in its ``-wal`` file, or catch a page half-written; ``Connection.backup`` copies the database as
one transaction sees it, while the bot keeps writing. Every SQLite file in the data dir goes
through here (the core's SQLite lives in ``retrieval/index``: ``tests/test_architecture.py``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: Pages copied per step: a writer waits at most for one step, never for the whole copy.
PAGES_PER_STEP = 1024
#: The files SQLite keeps beside a database, which belong to it.
SIDECARS = ("-wal", "-shm", "-journal")


def copy_database(source: Path, target: Path) -> None:
    """Copy the database at ``source`` into a new file ``target``; the source is opened
    without being created (a missing file raises ``sqlite3.OperationalError``)."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
        finally:
            dst.close()
    finally:
        src.close()


def database_is_sound(path: Path) -> bool:
    """SQLite's own ``quick_check`` (structure, not a full index check): "ok" or not. Opened
    for writing (never created), so that no ``-wal`` or ``-shm`` file is left behind."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def is_database(path: Path) -> bool:
    """A database file by its name (``*.sqlite``), not one of its sidecar files."""
    return path.is_file() and path.suffix == ".sqlite"
