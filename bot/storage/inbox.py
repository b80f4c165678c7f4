"""Updates received from Telegram, recorded before Telegram is told they arrived, until they
have been handled.

Telegram forgets an update once the bot confirms it: long polling confirms with the offset of
the next getUpdates, a webhook with its HTTP 200. Both come after python-telegram-bot has put the
update in the application's queue, which records it here first (``bot.delivery.queue``). So a
bot killed while it handles an update finds it here after a restart and answers it then
(issue 15: a SIGKILL during retrieval lost the question). Each update is handled once:

- :meth:`Inbox.record` says whether an ``update_id`` is new; a replay (Telegram sending again
  what it did not see confirmed, a webhook retried) is not queued twice;
- :meth:`Inbox.claim` makes an update this process's to handle;
- :meth:`Inbox.finish` marks it done, :meth:`Inbox.release` puts it back for a later attempt
  (its answer could not be delivered yet), and :meth:`Inbox.due` lists what is waiting.

What is kept: the update as Telegram sent it, without the people's names, usernames or phone
numbers (:func:`scrub`; ids stay, they are what the bot works with), and only until it is
done: then only its id and times remain, for a while, to recognise a replay.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from pydantic import BaseModel

from bot.storage.sqlite import Database

#: "uncertain": handled, but a message sent for it got no answer from Telegram in time (it may
#: not have arrived); not handled again, so that it is not answered twice.
State = Literal["received", "handling", "done", "uncertain", "failed"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    update_id INTEGER PRIMARY KEY, received_at FLOAT, payload TEXT, state TEXT,
    attempts INTEGER, not_before FLOAT, finished_at FLOAT
);
CREATE INDEX IF NOT EXISTS idx_inbox_state ON inbox (state, not_before);
"""

#: Fields of a user or chat that name a person; a user keeps an empty first name (required by
#: the Bot API's User), except in a poll answer, whose name a group's leaderboard shows.
_PERSONAL = ("last_name", "username", "phone_number", "bio", "emoji_status_custom_emoji_id")


class Waiting(BaseModel):
    """An update waiting to be handled (again)."""

    update_id: int
    payload: dict[str, Any]
    attempts: int


def scrub(payload: dict[str, Any]) -> dict[str, Any]:
    """The update without names, usernames and phone numbers (ids and texts stay)."""

    def walk(value: Any, keep_name: bool) -> Any:
        if isinstance(value, list):
            return [walk(v, keep_name) for v in value]
        if not isinstance(value, dict):
            return value
        out = {k: walk(v, keep_name) for k, v in value.items() if k not in _PERSONAL}
        if "is_bot" in out and "first_name" in out and not keep_name:
            out["first_name"] = ""  # a user
        elif "type" in out and "id" in out:
            out.pop("first_name", None)  # a private chat
        return out

    return {k: walk(v, keep_name=k == "poll_answer") for k, v in payload.items()}


class Inbox:
    def __init__(self, db: Database, clock: Any = time.time) -> None:
        self.db = db
        self.clock = clock
        db.create_schema(SCHEMA)

    def record(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Keep a newly received update; False when this id was received before (a replay)."""
        with self.db.transaction() as t:
            cursor = t.execute(
                "INSERT OR IGNORE INTO inbox VALUES (?, ?, ?, 'received', 0, 0, NULL)",
                [update_id, self.clock(), json.dumps(scrub(payload), ensure_ascii=False)],
            )
            return cursor.rowcount > 0

    def claim(self, update_id: int) -> int | None:
        """Take a received update to handle it; its attempt number (1 the first time), or None
        when it is not waiting (handled already, or being handled)."""
        with self.db.transaction() as t:
            cursor = t.execute(
                "UPDATE inbox SET state = 'handling', attempts = attempts + 1 "
                "WHERE update_id = ? AND state = 'received'",
                [update_id],
            )
            if not cursor.rowcount:
                return None
            row = t.execute("SELECT attempts FROM inbox WHERE update_id = ?", [update_id])
            return int(row.fetchone()[0])

    def finish(self, update_id: int, state: State = "done") -> None:
        """Handled (or given up): nothing of it is kept but its id and times."""
        with self.db.transaction() as t:
            t.execute(
                "UPDATE inbox SET state = ?, payload = NULL, finished_at = ? WHERE update_id = ?",
                [state, self.clock(), update_id],
            )

    def release(self, update_id: int, delay: float) -> None:
        """Back to waiting, to be handled again in ``delay`` seconds."""
        with self.db.transaction() as t:
            t.execute(
                "UPDATE inbox SET state = 'received', not_before = ? WHERE update_id = ?",
                [self.clock() + delay, update_id],
            )

    def recover(self) -> int:
        """At start-up: updates a previous process was handling when it died wait again."""
        with self.db.transaction() as t:
            return t.execute(
                "UPDATE inbox SET state = 'received', not_before = 0 WHERE state = 'handling'"
            ).rowcount

    def due(self, limit: int = 100, fresh_before: float | None = None) -> list[Waiting]:
        """Updates waiting whose time has come, oldest first. With ``fresh_before``, one never
        tried yet counts only if received before that time: a newer one is still on its way
        from the queue to a handler."""
        now = self.clock()
        rows = self.db.query(
            "SELECT update_id, payload, attempts FROM inbox WHERE state = 'received' "
            "AND not_before <= ? AND (attempts > 0 OR received_at <= ?) "
            "AND payload IS NOT NULL ORDER BY update_id LIMIT ?",
            [now, now if fresh_before is None else fresh_before, limit],
        )
        return [
            Waiting(
                update_id=r["update_id"], payload=json.loads(r["payload"]), attempts=r["attempts"]
            )
            for r in rows
        ]

    def state(self, update_id: int) -> State | None:
        rows = self.db.query("SELECT state FROM inbox WHERE update_id = ?", [update_id])
        return rows[0]["state"] if rows else None

    def finished(self, first: int, last: int) -> set[int]:
        """The ids from ``first`` to ``last`` handled to the end (or given up)."""
        rows = self.db.query(
            "SELECT update_id FROM inbox WHERE update_id BETWEEN ? AND ? "
            "AND state IN ('done', 'uncertain', 'failed')",
            [first, last],
        )
        return {r["update_id"] for r in rows}

    def prune(self, keep_seconds: float) -> int:
        """Forget finished updates older than ``keep_seconds`` (Telegram re-sends an update
        for at most 24 hours)."""
        with self.db.transaction() as t:
            return t.execute(
                "DELETE FROM inbox WHERE state IN ('done', 'uncertain', 'failed') "
                "AND finished_at < ?",
                [self.clock() - keep_seconds],
            ).rowcount
