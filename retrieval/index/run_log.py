"""Every reindex run recorded in SQLite: who, when, what, and how it ended.

A run is written as "đang chạy" when it starts and updated when it ends, so a run killed
midway is visible; the next run marks such rows "bị gián đoạn".
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path

import sqlite_utils


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ReindexLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(path)
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
        self.db.execute("UPDATE runs SET outcome = 'bị gián đoạn' WHERE outcome = 'đang chạy'")
        table = self.db["runs"]
        table.insert(
            {
                "started_at": _now(),
                "who": who or _user(),
                "action": action,
                "details": json.dumps(details, ensure_ascii=False, default=str),
                "outcome": "đang chạy",
            }
        )
        self.db.conn.commit()
        return int(table.last_pk)

    def finish(self, run_id: int, outcome: str, summary: dict | str) -> None:
        text = summary if isinstance(summary, str) else json.dumps(summary, ensure_ascii=False)
        self.db["runs"].update(run_id, {"finished_at": _now(), "outcome": outcome, "summary": text})
        self.db.conn.commit()

    def recent(self, limit: int = 20) -> list[dict]:
        return list(self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))

    def close(self) -> None:
        self.db.conn.close()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "không rõ"
