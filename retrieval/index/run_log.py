"""Every reindex run recorded in SQLite: who, when, what, and how it ended.

A run is written as "đang chạy" when it starts and updated when it ends, so a run killed
midway is visible. The next run, holding the lock, settles such rows before it starts
(:mod:`retrieval.index.recovery`): "thành công" for a run whose version was published (its
change is applied then), "bị gián đoạn" for the others.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path

import sqlite_utils

from retrieval.atomic import private_file

RUNNING = "đang chạy"
SUCCEEDED = "thành công"
FAILED = "thất bại"
STOPPED = "bị dừng"
INTERRUPTED = "bị gián đoạn"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ReindexLog:
    def __init__(self, path: Path) -> None:
        self.db = sqlite_utils.Database(private_file(path))
        self.db["runs"].create(
            {
                "id": int,
                "started_at": str,
                "finished_at": str,
                "who": str,
                "action": str,
                "details": str,
                "outcome": str,
                "summary": str,
            },
            pk="id",
            if_not_exists=True,
        )

    def start(self, action: str, details: dict, who: str | None = None) -> int:
        table = self.db["runs"]
        table.insert(
            {
                "started_at": _now(),
                "who": who or _user(),
                "action": action,
                "details": json.dumps(details, ensure_ascii=False, default=str),
                "outcome": RUNNING,
            }
        )
        self.db.conn.commit()
        return int(table.last_pk)

    def finish(self, run_id: int, outcome: str, summary: dict | str) -> None:
        text = summary if isinstance(summary, str) else json.dumps(summary, ensure_ascii=False)
        self.db["runs"].update(run_id, {"finished_at": _now(), "outcome": outcome, "summary": text})
        self.db.conn.commit()

    def finish_if_running(self, run_id: int, outcome: str, summary: dict | str) -> bool:
        """``finish`` for a run still recorded as running; False when it was not."""
        rows = self.db.query("SELECT outcome FROM runs WHERE id = ?", [run_id])
        if [r["outcome"] for r in rows] != [RUNNING]:
            return False
        self.finish(run_id, outcome, summary)
        return True

    def interrupt_running(self) -> int:
        """Mark every run still recorded as running interrupted (call it under the lock, when
        no run can be going on); returns how many."""
        cursor = self.db.execute(
            "UPDATE runs SET outcome = ?, finished_at = ? WHERE outcome = ?",
            [INTERRUPTED, _now(), RUNNING],
        )
        self.db.conn.commit()
        return cursor.rowcount

    def recent(self, limit: int = 20) -> list[dict]:
        return list(self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))

    def close(self) -> None:
        self.db.conn.close()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "không rõ"
