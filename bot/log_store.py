"""The bot's own SQLite log: questions, cited passage ids, latency, feedback, refusals.

What is stored about a user: their numeric Telegram id, the chat id and type, the text of
their questions, and their 👍/👎. No names, usernames or phone numbers, and never the token.
The short keys in ``answers`` let buttons on old messages work after a restart; so do those in
``pending``, an admin's upload or removal waiting for its Confirm / Cancel button.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import sqlite3
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlite_utils
from pydantic import BaseModel

from retrieval.domain.models import Answer

log = logging.getLogger(__name__)
T = TypeVar("T")


class AnswerRecord(BaseModel):
    """What a button needs to act on an answer sent earlier."""

    key: str
    question_id: int | None
    question: str
    passage_ids: list[int]
    page: int
    version: str | None = None


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


class Stats(BaseModel):
    users: int
    questions: int
    abstained: int
    likes: int
    dislikes: int
    refusals: int
    median_latency_ms: float | None

    @property
    def abstention_share(self) -> float:
        return self.abstained / self.questions if self.questions else 0.0


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_key() -> str:
    """A short, URL-safe id that fits in callback_data with room to spare."""
    return secrets.token_urlsafe(6)


class LogStore:
    """Thread-safe; a write that meets a locked database waits, then retries a few times."""

    def __init__(self, path: Path, *, timeout: float = 2.0, retries: int = 4) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.retries = retries
        conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.Lock()
        self._run(self._create_schema)

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()

    def _create_schema(self) -> None:
        self.db.conn.execute("PRAGMA journal_mode=WAL")
        self.db["questions"].create(
            {
                "id": int,
                "created_at": str,
                "user_id": int,
                "chat_id": int,
                "chat_type": str,
                "question": str,
                "abstained": int,
                "reason": str,
                "passage_ids": str,
                "latency_ms": float,
            },
            pk="id",
            if_not_exists=True,
        )
        self.db["answers"].create(
            {
                "key": str,
                "question_id": int,
                "question": str,
                "passage_ids": str,
                "page": int,
                "version": str,
                "created_at": str,
            },
            pk="key",
            if_not_exists=True,
        )
        self.db["feedback"].create(
            {"key": str, "user_id": int, "value": int, "created_at": str},
            pk=("key", "user_id"),
            if_not_exists=True,
        )
        self.db["refusals"].create(
            {"id": int, "created_at": str, "user_id": int, "chat_id": int, "what": str},
            pk="id",
            if_not_exists=True,
        )
        self.db["pending"].create(
            {
                "key": str,
                "action": str,
                "user_id": int,
                "chat_id": int,
                "payload": str,
                "created_at": str,
            },
            pk="key",
            if_not_exists=True,
        )

    def _run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in a transaction, retrying while another process holds the lock."""
        delay = 0.1
        for attempt in range(self.retries + 1):
            try:
                with self._lock, self.db.conn:
                    return fn()
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or attempt == self.retries:
                    raise
                log.warning("Cơ sở dữ liệu nhật ký đang bận, thử lại (%d)", attempt + 1)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    # -- writing ------------------------------------------------------------------------
    def record_question(
        self,
        *,
        user_id: int | None,
        chat_id: int | None,
        chat_type: str | None,
        answer: Answer,
        latency_ms: float,
        key: str | None = None,
        version: str | None = None,
    ) -> int:
        """Log one question and, with ``key``, remember its answer for the buttons."""
        ids = [c.hit.passage.id for c in answer.citations]

        def write() -> int:
            table = self.db["questions"].insert(
                {
                    "created_at": _now(),
                    "user_id": user_id,
                    "chat_id": chat_id,
                    "chat_type": chat_type,
                    "question": answer.question,
                    "abstained": int(answer.abstained),
                    "reason": answer.reason,
                    "passage_ids": json.dumps(ids),
                    "latency_ms": round(latency_ms, 1),
                }
            )
            qid = int(table.last_pk)
            if key:
                self._insert_answer(
                    AnswerRecord(
                        key=key,
                        question_id=qid,
                        question=answer.question,
                        passage_ids=ids,
                        page=0,
                        version=version,
                    )
                )
            return qid

        return self._run(write)

    def _insert_answer(self, record: AnswerRecord) -> None:
        row = record.model_dump()
        row["passage_ids"] = json.dumps(record.passage_ids)
        row["created_at"] = _now()
        self.db["answers"].insert(row, replace=True)

    def record_page(self, record: AnswerRecord) -> bool:
        """Remember one more page of an answer (its own key, for its own buttons)."""
        self._run(lambda: self._insert_answer(record))
        return True

    def set_latency(self, question_id: int, latency_ms: float) -> None:
        self._run(
            lambda: self.db.conn.execute(
                "UPDATE questions SET latency_ms = ? WHERE id = ?",
                (round(latency_ms, 1), question_id),
            )
        )

    def record_feedback(self, key: str, user_id: int, value: int) -> bool:
        """Store (or change) a user's 👍/👎 on an answer; False when the answer is unknown."""

        def write() -> bool:
            if not self.db["answers"].count_where("key = ?", [key]):
                return False
            self.db["feedback"].upsert(
                {"key": key, "user_id": user_id, "value": value, "created_at": _now()},
                pk=("key", "user_id"),
            )
            return True

        return self._run(write)

    def record_refusal(self, user_id: int | None, chat_id: int | None, what: str) -> None:
        self._run(
            lambda: self.db["refusals"].insert(
                {"created_at": _now(), "user_id": user_id, "chat_id": chat_id, "what": what[:200]}
            )
        )

    def add_pending(
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
        self._run(lambda: self.db["pending"].insert(data, replace=True))
        return row

    def drop_pending(self, key: str) -> bool:
        """Forget a pending action; False when it was already gone."""
        return self._run(
            lambda: self.db.conn.execute("DELETE FROM pending WHERE key = ?", [key]).rowcount > 0
        )

    def pending_older_than(self, seconds: float) -> list[PendingAction]:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
        return [p for p in self._run(self._all_pending) if p.created_at < cutoff]

    # -- reading ------------------------------------------------------------------------
    def pending(self, key: str) -> PendingAction | None:
        found = [p for p in self._run(lambda: self._all_pending(key)) if p.key == key]
        return found[0] if found else None

    def _all_pending(self, key: str | None = None) -> list[PendingAction]:
        where, args = ("WHERE key = ?", [key]) if key is not None else ("", [])
        return [
            PendingAction(**{**r, "payload": json.loads(r["payload"] or "{}")})
            for r in self.db.query(f"SELECT * FROM pending {where}", args)
        ]

    def answer(self, key: str) -> AnswerRecord | None:
        def read() -> AnswerRecord | None:
            rows = list(self.db.query("SELECT * FROM answers WHERE key = ?", [key]))
            if not rows:
                return None
            r = rows[0]
            return AnswerRecord(
                key=r["key"],
                question_id=r["question_id"],
                question=r["question"],
                passage_ids=json.loads(r["passage_ids"] or "[]"),
                page=r["page"] or 0,
                version=r.get("version"),
            )

        return self._run(read)

    def stats(self) -> Stats:
        def read() -> Stats:
            q = self.db.conn.execute(
                "SELECT count(*), count(DISTINCT user_id), coalesce(sum(abstained), 0) "
                "FROM questions"
            ).fetchone()
            fb = self.db.conn.execute(
                "SELECT coalesce(sum(value > 0), 0), coalesce(sum(value < 0), 0) FROM feedback"
            ).fetchone()
            refusals = self.db.conn.execute("SELECT count(*) FROM refusals").fetchone()[0]
            latencies = [
                r[0]
                for r in self.db.conn.execute(
                    "SELECT latency_ms FROM questions WHERE latency_ms IS NOT NULL"
                )
            ]
            return Stats(
                questions=q[0],
                users=q[1],
                abstained=q[2],
                likes=fb[0],
                dislikes=fb[1],
                refusals=refusals,
                median_latency_ms=statistics.median(latencies) if latencies else None,
            )

        return self._run(read)
