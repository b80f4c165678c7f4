"""Messages already sent for an update, so that handling it again does not send them again.

An update handled a second time (after a restart, or because part of its answer could not be
delivered at the first attempt) goes through the same steps; each message it sends has a
number within the update (0, 1, 2 … in the order they are sent). When message N of update U
is found here, Telegram's answer for it is given back instead of sending it again
(``bot.delivery.limiter``). Telegram's answer is the sent message: chat and message ids, and
the text the bot sent (without the names Telegram puts in it, as in the inbox).
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.storage.inbox import scrub
from bot.storage.sqlite import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    update_id INTEGER, seq INTEGER, method TEXT, result TEXT, sent_at FLOAT,
    PRIMARY KEY (update_id, seq)
);
"""


class Outbox:
    def __init__(self, db: Database, clock: Any = time.time) -> None:
        self.db = db
        self.clock = clock
        db.create_schema(SCHEMA)

    def sent(self, update_id: int, seq: int) -> Any | None:
        """Telegram's answer to message ``seq`` of ``update_id``, or None if not sent yet."""
        rows = self.db.query(
            "SELECT result FROM outbox WHERE update_id = ? AND seq = ?", [update_id, seq]
        )
        return json.loads(rows[0]["result"]) if rows else None

    def remember(self, update_id: int, seq: int, method: str, result: Any) -> None:
        with self.db.transaction() as t:
            t.execute(
                "INSERT OR REPLACE INTO outbox VALUES (?, ?, ?, ?, ?)",
                [update_id, seq, method, json.dumps(_scrubbed(result)), self.clock()],
            )

    def prune(self, keep_seconds: float) -> int:
        with self.db.transaction() as t:
            return t.execute(
                "DELETE FROM outbox WHERE sent_at < ?", [self.clock() - keep_seconds]
            ).rowcount


def _scrubbed(result: Any) -> Any:
    return scrub({"result": result})["result"] if isinstance(result, dict) else result
