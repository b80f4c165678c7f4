"""The quiz's state: runs (a practice or a group session), the polls sent, the answers received.

Everything a quiz needs to go on after a restart is here: the questions of a run (a snapshot,
so that a reindex does not change a running quiz), which poll is open and until when, every
answer as it arrives, and the last moment the bot was known to run a group session (its
heartbeat: an answer given while the bot was down is timed from it). What is stored about
people: their numeric Telegram id and, for group sessions only, the display name Telegram gives
with their answer (for the leaderboard and the trainer's CSV). Times are Unix seconds (UTC).
"""

from __future__ import annotations

import json
import time
from typing import Literal

import sqlite_utils
from pydantic import BaseModel

from bot.storage.sqlite import Database
from retrieval.domain.quiz import QuizQuestion

Kind = Literal["practice", "group"]
State = Literal["running", "finished", "stopped", "interrupted"]


class QuizRun(BaseModel):
    id: int
    kind: Kind
    chat_id: int
    owner_id: int
    topic: str | None
    open_period: int | None
    questions: list[QuizQuestion]
    current: int
    state: State
    created_at: float
    finished_at: float | None = None

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def done(self) -> bool:
        return self.current >= len(self.questions)


class QuizPoll(BaseModel):
    poll_id: str
    run_id: int
    idx: int
    question_id: str
    chat_id: int
    message_id: int
    sent_at: float
    closes_at: float | None
    closed: bool

    @property
    def period(self) -> float | None:
        """Seconds the poll is open (a group's); None for a practice poll."""
        return self.closes_at - self.sent_at if self.closes_at is not None else None


class QuizAnswer(BaseModel):
    poll_id: str
    run_id: int
    idx: int
    user_id: int
    name: str
    option: int
    correct: bool
    elapsed: float
    answered_at: float


class HistoryRow(BaseModel):
    run_id: int
    kind: Kind
    topic: str | None
    created_at: float
    correct: int
    asked: int
    total: int
    state: State


def _run_from(row: dict) -> QuizRun:
    data = dict(row)
    data["questions"] = [QuizQuestion.model_validate(q) for q in json.loads(row["questions"])]
    return QuizRun.model_validate(data)


SCHEMA = """
CREATE TABLE IF NOT EXISTS quiz_runs (
    id INTEGER PRIMARY KEY, kind TEXT, chat_id INTEGER, owner_id INTEGER, topic TEXT,
    open_period INTEGER, questions TEXT, current INTEGER, state TEXT, created_at FLOAT,
    finished_at FLOAT
);
CREATE TABLE IF NOT EXISTS quiz_polls (
    poll_id TEXT PRIMARY KEY, run_id INTEGER, idx INTEGER, question_id TEXT, chat_id INTEGER,
    message_id INTEGER, sent_at FLOAT, closes_at FLOAT, closed INTEGER
);
CREATE TABLE IF NOT EXISTS quiz_answers (
    poll_id TEXT, run_id INTEGER, idx INTEGER, user_id INTEGER, name TEXT, option INTEGER,
    correct INTEGER, elapsed FLOAT, answered_at FLOAT, PRIMARY KEY (poll_id, user_id)
);
CREATE TABLE IF NOT EXISTS quiz_heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at FLOAT);
CREATE INDEX IF NOT EXISTS idx_quiz_runs_chat_id_state ON quiz_runs (chat_id, state);
CREATE INDEX IF NOT EXISTS idx_quiz_polls_run_id ON quiz_polls (run_id);
CREATE INDEX IF NOT EXISTS idx_quiz_answers_run_id ON quiz_answers (run_id);
"""


class QuizState:
    """Runs, polls and answers, in the bot's database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.create_schema(SCHEMA)

    # -- runs -----------------------------------------------------------------------------
    def create_run(
        self,
        *,
        kind: Kind,
        chat_id: int,
        owner_id: int,
        questions: list[QuizQuestion],
        topic: str | None = None,
        open_period: int | None = None,
    ) -> QuizRun | None:
        """A new running run; None when a group session already runs in ``chat_id``.

        A practice replaces the user's unfinished one (marked stopped)."""
        with self.db.transaction() as t:
            running = _running_in(t, chat_id)
            if running is not None:
                if running.kind == "group" or kind == "group":
                    return None
                t.execute(
                    "UPDATE quiz_runs SET state = 'stopped', finished_at = ? WHERE id = ?",
                    [time.time(), running.id],
                )
            row = {
                "kind": kind,
                "chat_id": chat_id,
                "owner_id": owner_id,
                "topic": topic,
                "open_period": open_period,
                "questions": json.dumps(
                    [q.model_dump(mode="json") for q in questions], ensure_ascii=False
                ),
                "current": 0,
                "state": "running",
                "created_at": time.time(),
                "finished_at": None,
            }
            run_id = int(t["quiz_runs"].insert(row).last_pk)
            return _run_from({**row, "id": run_id})

    def running_in(self, chat_id: int) -> QuizRun | None:
        with self.db.transaction() as t:
            return _running_in(t, chat_id)

    def run(self, run_id: int) -> QuizRun | None:
        rows = self.db.query("SELECT * FROM quiz_runs WHERE id = ?", [run_id])
        return _run_from(rows[0]) if rows else None

    def running_groups(self) -> list[QuizRun]:
        rows = self.db.query("SELECT * FROM quiz_runs WHERE kind = 'group' AND state = 'running'")
        return [_run_from(r) for r in rows]

    def end_run(self, run_id: int, state: State) -> bool:
        """Mark a running run ended; False when it had already ended (someone else did)."""
        with self.db.transaction() as t:
            cur = t.execute(
                "UPDATE quiz_runs SET state = ?, finished_at = ? "
                "WHERE id = ? AND state = 'running'",
                [state, time.time(), run_id],
            )
            return cur.rowcount > 0

    def last_group_run(
        self, *, chat_id: int | None = None, owner_id: int | None = None
    ) -> QuizRun | None:
        """The newest group session of a chat, or trained by a user."""
        where, args = (
            ("chat_id = ?", [chat_id]) if chat_id is not None else ("owner_id = ?", [owner_id])
        )
        rows = self.db.query(
            f"SELECT * FROM quiz_runs WHERE kind = 'group' AND {where} ORDER BY id DESC LIMIT 1",
            args,
        )
        return _run_from(rows[0]) if rows else None

    def migrate_chat(self, old: int, new: int) -> int:
        """A group became a supergroup: its runs and polls now live under the new id."""
        with self.db.transaction() as t:
            n = t.execute("UPDATE quiz_runs SET chat_id = ? WHERE chat_id = ?", [new, old]).rowcount
            t.execute("UPDATE quiz_polls SET chat_id = ? WHERE chat_id = ?", [new, old])
            return n

    # -- polls ----------------------------------------------------------------------------
    def add_poll(self, poll: QuizPoll) -> None:
        row = poll.model_dump()
        row["closed"] = int(poll.closed)
        with self.db.transaction() as t:
            t["quiz_polls"].insert(row, replace=True)

    def poll(self, poll_id: str) -> QuizPoll | None:
        rows = self.db.query("SELECT * FROM quiz_polls WHERE poll_id = ?", [poll_id])
        return QuizPoll.model_validate(rows[0]) if rows else None

    def open_poll(self, run_id: int) -> QuizPoll | None:
        """The run's poll still waiting for answers, if any."""
        rows = self.db.query(
            "SELECT * FROM quiz_polls WHERE run_id = ? AND closed = 0 ORDER BY idx DESC LIMIT 1",
            [run_id],
        )
        return QuizPoll.model_validate(rows[0]) if rows else None

    def polls(self, run_id: int) -> list[QuizPoll]:
        rows = self.db.query("SELECT * FROM quiz_polls WHERE run_id = ? ORDER BY idx", [run_id])
        return [QuizPoll.model_validate(r) for r in rows]

    def close_poll(self, poll_id: str) -> bool:
        """Close a poll and move its run to the next question; False if already closed."""
        with self.db.transaction() as t:
            cur = t.execute(
                "UPDATE quiz_polls SET closed = 1 WHERE poll_id = ? AND closed = 0", [poll_id]
            )
            if not cur.rowcount:
                return False
            t.execute(
                "UPDATE quiz_runs SET current = (SELECT idx + 1 FROM quiz_polls WHERE poll_id = ?)"
                " WHERE id = (SELECT run_id FROM quiz_polls WHERE poll_id = ?)",
                [poll_id, poll_id],
            )
            return True

    def question_snapshot(self, question_id: str) -> QuizQuestion | None:
        """A question as it was asked (for its source button, when the bank changed since)."""
        rows = self.db.query(
            "SELECT r.questions, p.idx FROM quiz_polls p JOIN quiz_runs r ON r.id = p.run_id "
            "WHERE p.question_id = ? ORDER BY p.sent_at DESC LIMIT 1",
            [question_id],
        )
        if not rows:
            return None
        return QuizQuestion.model_validate(json.loads(rows[0]["questions"])[rows[0]["idx"]])

    # -- answers --------------------------------------------------------------------------
    def record_answer(self, answer: QuizAnswer) -> bool:
        """Keep a learner's first answer to a poll (a quiz poll's answer cannot change; an
        update delivered twice, live and from the backlog, keeps its first timing). False when
        there was one already."""
        row = answer.model_dump()
        row["correct"] = int(answer.correct)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self.db.transaction() as t:
            cur = t.execute(
                f"INSERT OR IGNORE INTO quiz_answers ({columns}) VALUES ({marks})",
                list(row.values()),
            )
            return cur.rowcount > 0

    def retract_answer(self, poll_id: str, user_id: int) -> bool:
        with self.db.transaction() as t:
            cur = t.execute(
                "DELETE FROM quiz_answers WHERE poll_id = ? AND user_id = ?", [poll_id, user_id]
            )
            return cur.rowcount > 0

    def answers(self, run_id: int) -> list[QuizAnswer]:
        rows = self.db.query(
            "SELECT * FROM quiz_answers WHERE run_id = ? ORDER BY idx, answered_at", [run_id]
        )
        return [QuizAnswer.model_validate(r) for r in rows]

    def history(self, user_id: int, limit: int = 10) -> list[HistoryRow]:
        """A user's practices and the group sessions they answered in, newest first. A run's
        questions asked are its closed polls, as its leaderboard counts them: a question left
        unanswered counts."""
        rows = self.db.query(
            "SELECT r.id, r.kind, r.topic, r.created_at, r.state, r.questions, "
            "coalesce(sum(a.correct), 0) AS correct, count(a.poll_id) AS answered, "
            "(SELECT count(*) FROM quiz_polls p WHERE p.run_id = r.id AND p.closed = 1) "
            "AS asked "
            "FROM quiz_runs r LEFT JOIN quiz_answers a ON a.run_id = r.id AND a.user_id = ? "
            "WHERE (r.kind = 'practice' AND r.owner_id = ?) OR a.user_id IS NOT NULL "
            "GROUP BY r.id ORDER BY r.id DESC LIMIT ?",
            [user_id, user_id, limit],
        )
        return [
            HistoryRow(
                run_id=r["id"],
                kind=r["kind"],
                topic=r["topic"],
                created_at=r["created_at"],
                correct=r["correct"],
                asked=max(r["asked"], r["answered"]),
                total=len(json.loads(r["questions"])),
                state=r["state"],
            )
            for r in rows
        ]

    # -- the heartbeat of group sessions ---------------------------------------------------
    def beat(self, at: float) -> bool:
        """Note that the bot runs at ``at``, while a group session runs; True when noted."""
        with self.db.transaction() as t:
            running = t.execute(
                "SELECT 1 FROM quiz_runs WHERE kind = 'group' AND state = 'running' LIMIT 1"
            ).fetchone()
            if running:
                t.execute(
                    "INSERT INTO quiz_heartbeat (id, at) VALUES (1, ?) "
                    "ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                    [at],
                )
            return running is not None

    def alive_at(self) -> float | None:
        """The last heartbeat: when the bot was last known to run a group session."""
        rows = self.db.query("SELECT at FROM quiz_heartbeat WHERE id = 1")
        return rows[0]["at"] if rows else None


def _running_in(t: sqlite_utils.Database, chat_id: int) -> QuizRun | None:
    rows = list(
        t.query(
            "SELECT * FROM quiz_runs WHERE chat_id = ? AND state = 'running' "
            "ORDER BY id DESC LIMIT 1",
            [chat_id],
        )
    )
    return _run_from(rows[0]) if rows else None
