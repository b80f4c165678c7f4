"""The log of questions: what was asked, the passages cited, latency, 👍/👎, and refusals.

What is stored about a user: their numeric Telegram id, the chat id and type, the text of
their questions, and their 👍/👎. No names, usernames or phone numbers, and never the token.
The short keys in ``answers`` let the buttons under an answer work after a restart.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics

from pydantic import BaseModel

from bot.storage.sqlite import Database
from retrieval.domain.models import Answer


class AnswerRecord(BaseModel):
    """What a button needs to act on an answer sent earlier."""

    key: str
    question_id: int | None
    question: str
    passage_ids: list[int]
    page: int
    version: str | None = None


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


SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY, created_at TEXT, user_id INTEGER, chat_id INTEGER, chat_type TEXT,
    question TEXT, abstained INTEGER, reason TEXT, passage_ids TEXT, latency_ms FLOAT
);
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY, question_id INTEGER, question TEXT, passage_ids TEXT, page INTEGER,
    version TEXT, created_at TEXT
);
CREATE TABLE IF NOT EXISTS feedback (
    key TEXT, user_id INTEGER, value INTEGER, created_at TEXT, PRIMARY KEY (key, user_id)
);
CREATE TABLE IF NOT EXISTS refusals (
    id INTEGER PRIMARY KEY, created_at TEXT, user_id INTEGER, chat_id INTEGER, what TEXT
);
"""


class QuestionLog:
    """Questions, answer pages, feedback and refusals, in the bot's database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.create_schema(SCHEMA)

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
        with self.db.transaction() as t:
            row = {
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
            question_id = int(t["questions"].insert(row).last_pk)
            if key:
                record = AnswerRecord(
                    key=key,
                    question_id=question_id,
                    question=answer.question,
                    passage_ids=ids,
                    page=0,
                    version=version,
                )
                self._insert_answer(record)
            return question_id

    def _insert_answer(self, record: AnswerRecord) -> None:
        row = record.model_dump()
        row["passage_ids"] = json.dumps(record.passage_ids)
        row["created_at"] = _now()
        with self.db.transaction() as t:
            t["answers"].insert(row, replace=True)

    def record_page(self, record: AnswerRecord) -> bool:
        """Remember one more page of an answer (its own key, for its own buttons)."""
        self._insert_answer(record)
        return True

    def set_latency(self, question_id: int, latency_ms: float) -> None:
        with self.db.transaction() as t:
            t.execute(
                "UPDATE questions SET latency_ms = ? WHERE id = ?",
                [round(latency_ms, 1), question_id],
            )

    def record_feedback(self, key: str, user_id: int, value: int) -> bool:
        """Store (or change) a user's 👍/👎 on an answer; False when the answer is unknown."""
        with self.db.transaction() as t:
            if not t["answers"].count_where("key = ?", [key]):
                return False
            t["feedback"].upsert(
                {"key": key, "user_id": user_id, "value": value, "created_at": _now()},
                pk=("key", "user_id"),
            )
            return True

    def record_refusal(self, user_id: int | None, chat_id: int | None, what: str) -> None:
        with self.db.transaction() as t:
            t["refusals"].insert(
                {
                    "created_at": _now(),
                    "user_id": user_id,
                    "chat_id": chat_id,
                    "what": what[:200],
                }
            )

    # -- reading ------------------------------------------------------------------------
    def answer(self, key: str) -> AnswerRecord | None:
        rows = self.db.query("SELECT * FROM answers WHERE key = ?", [key])
        if not rows:
            return None
        r = rows[0]
        return AnswerRecord(
            key=r["key"],
            question_id=r["question_id"],
            question=r["question"],
            passage_ids=json.loads(r["passage_ids"] or "[]"),
            page=r["page"] or 0,
            version=r["version"],
        )

    def stats(self) -> Stats:
        q = self.db.query(
            "SELECT count(*) AS n, count(DISTINCT user_id) AS users, "
            "coalesce(sum(abstained), 0) AS abstained FROM questions"
        )[0]
        fb = self.db.query(
            "SELECT coalesce(sum(value > 0), 0) AS likes, coalesce(sum(value < 0), 0) AS dislikes "
            "FROM feedback"
        )[0]
        refusals = self.db.query("SELECT count(*) AS n FROM refusals")[0]["n"]
        latencies = [
            r["latency_ms"]
            for r in self.db.query("SELECT latency_ms FROM questions WHERE latency_ms IS NOT NULL")
        ]
        return Stats(
            questions=q["n"],
            users=q["users"],
            abstained=q["abstained"],
            likes=fb["likes"],
            dislikes=fb["dislikes"],
            refusals=refusals,
            median_latency_ms=statistics.median(latencies) if latencies else None,
        )
