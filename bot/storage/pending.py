"""Admin actions waiting for their Confirm / Cancel button: an upload, or a removal.

Kept in the bot's database under a short key (the one in the buttons' callback_data), so that
the buttons still work after a restart.
"""

from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel

from bot.storage.sqlite import Database


class PendingAction(BaseModel):
    """An admin action waiting for its Confirm / Cancel button (upload or removal)."""

    key: str
    action: str
    user_id: int
    chat_id: int
    payload: dict
    created_at: dt.datetime

    def age_seconds(self) -> float:
        return (dt.datetime.now(dt.UTC) - self.created_at).total_seconds()


def _from_row(row: dict) -> PendingAction:
    return PendingAction(**{**row, "payload": json.loads(row["payload"] or "{}")})


SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    key TEXT PRIMARY KEY, action TEXT, user_id INTEGER, chat_id INTEGER, payload TEXT,
    created_at TEXT
);
"""


class PendingActions:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.create_schema(SCHEMA)

    def add(
        self, key: str, action: str, user_id: int, chat_id: int, payload: dict
    ) -> PendingAction:
        row = PendingAction(
            key=key,
            action=action,
            user_id=user_id,
            chat_id=chat_id,
            payload=payload,
            created_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )
        data = row.model_dump(mode="json")
        data["payload"] = json.dumps(payload, ensure_ascii=False)
        with self.db.transaction() as t:
            t["pending"].insert(data, replace=True)
        return row

    def get(self, key: str) -> PendingAction | None:
        rows = self.db.query("SELECT * FROM pending WHERE key = ?", [key])
        return _from_row(rows[0]) if rows else None

    def drop(self, key: str) -> bool:
        """Forget a pending action; False when it was already gone."""
        with self.db.transaction() as t:
            return t.execute("DELETE FROM pending WHERE key = ?", [key]).rowcount > 0

    def older_than(self, seconds: float) -> list[PendingAction]:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
        actions = [_from_row(r) for r in self.db.query("SELECT * FROM pending")]
        return [p for p in actions if p.created_at < cutoff]
