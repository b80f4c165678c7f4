"""Passage vectors already computed, keyed by model and content hash.

Embedding is the slow part of a reindex (about 15 passages a second on 2 cores). Each batch
is committed here as soon as it is embedded, so a run that is killed halfway loses at most one
batch: the next run finds the rest here and only embeds what is missing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from retrieval.atomic import private_file


class VectorCache:
    def __init__(self, path: Path, model: str) -> None:
        self.model = model
        self.conn = sqlite3.connect(private_file(path), timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, "
            "PRIMARY KEY (model, hash))"
        )
        self.conn.commit()

    def get_many(self, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                [self.model, *chunk],
            )
            out.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
            [(self.model, h, np.asarray(v, np.float32).tobytes()) for h, v in items.items()],
        )
        self.conn.commit()

    def keep_only(self, hashes: set[str]) -> int:
        """Forget vectors no longer used by the live corpus; returns how many went."""
        rows = self.conn.execute("SELECT hash FROM vectors WHERE model = ?", [self.model])
        stale = [h for (h,) in rows if h not in hashes]
        self.conn.executemany(
            "DELETE FROM vectors WHERE model = ? AND hash = ?", [(self.model, h) for h in stale]
        )
        self.conn.commit()
        return len(stale)

    def close(self) -> None:
        self.conn.close()
