"""The bot's one SQLite file, opened one way for all the stores in it.

- WAL, so that reads (a quiz's state, a button's answer) go on while a question is logged.
- ``busy_timeout``: when another connection holds the write lock (another process, a backup,
  a test), SQLite itself waits for it, up to that many seconds, instead of failing at once.
- Writes begin with ``BEGIN IMMEDIATE`` (``isolation_level="IMMEDIATE"``): the write lock is
  taken at the first write, where the busy timeout applies. A deferred transaction that has
  read first can instead fail with "database is locked" without waiting.
- Rows come back as ``sqlite3.Row`` (by name); foreign keys are enforced.
- One connection, shared by the event loop's worker threads under one lock.
- The file is the service user's alone (0600; SQLite gives its ``-wal`` and ``-shm`` the same
  mode): it holds question texts and user ids.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from retrieval.service.files import private_file

#: How long a write waits for another connection's lock before giving up.
BUSY_TIMEOUT = 10.0
#: What a store raises when the database fails (locked too long, disk full, corrupt…).
DatabaseError = sqlite3.Error


def new_key() -> str:
    """A short, URL-safe row key that fits in a button's callback_data with room to spare."""
    return secrets.token_urlsafe(6)


class Database:
    """The bot's SQLite file. Thread-safe: every use holds the lock."""

    def __init__(self, path: Path, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = private_file(path)
        conn = sqlite3.connect(
            path, timeout=busy_timeout, isolation_level="IMMEDIATE", check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        self._conn = conn
        self._db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()

    def create_schema(self, ddl: str) -> None:
        """Create a store's tables and indexes (``CREATE … IF NOT EXISTS`` statements)."""
        with self._lock:
            self._conn.executescript(ddl)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """The database, for one unit of work: committed when the block ends, rolled back
        when it raises."""
        with self._lock, self._conn:
            yield self._db

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row of a read, as dicts."""
        with self._lock:
            return [dict(row) for row in self._conn.execute(sql, params)]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
