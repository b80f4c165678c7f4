"""The quiz's SQLite state: runs (practice or group session), polls sent, answers received.

Everything a quiz needs to go on after a restart is here: the questions of a run (a snapshot,
so that a reindex does not change a running quiz), which poll is open and until when, and
every answer as it arrives. What is stored about people: their numeric Telegram id and, for
group sessions only, the display name Telegram gives with their answer (for the leaderboard
and the trainer's CSV). Times are Unix seconds (UTC).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TypeVar

import sqlite_utils
from pydantic import BaseModel

from retrieval.domain.quiz import QuizQuestion

T = TypeVar("T")
Kind = Literal["practice", "group"]
State = Literal["running", "finished", "stopped", "interrupted"]

#: Points for a right answer, plus up to SPEED_BONUS for answering at once.
BASE_POINTS = 100
SPEED_BONUS = 50


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


class Standing(BaseModel):
    """One participant's result in a run."""

    user_id: int
    name: str
    correct: int
    answered: int
    points: int
    seconds: float  # total answering time
    answers: dict[int, QuizAnswer]  # by question index


class HistoryRow(BaseModel):
    run_id: int
    kind: Kind
    topic: str | None
    created_at: float
    correct: int
    asked: int
    total: int
    state: State


def points(answer: QuizAnswer, open_period: int | None) -> int:
    """A right answer is worth BASE_POINTS, plus a bonus that shrinks to 0 over the period."""
    if not answer.correct:
        return 0
    if not open_period:
        return BASE_POINTS
    share = max(0.0, 1.0 - answer.elapsed / open_period)
    return BASE_POINTS + round(SPEED_BONUS * share)


def rank(answers: list[QuizAnswer], open_period: int | None) -> list[Standing]:
    """Participants best first: points, then right answers, then the faster."""
    table: dict[int, Standing] = {}
    for a in answers:
        s = table.setdefault(
            a.user_id,
            Standing(
                user_id=a.user_id,
                name=a.name,
                correct=0,
                answered=0,
                points=0,
                seconds=0.0,
                answers={},
            ),
        )
        s.name = a.name or s.name
        s.answers[a.idx] = a
        s.answered += 1
        s.correct += int(a.correct)
        s.points += points(a, open_period)
        s.seconds += a.elapsed
    return sorted(table.values(), key=lambda s: (-s.points, -s.correct, s.seconds, s.user_id))


def _run_from(row: dict) -> QuizRun:
    data = dict(row)
    data["questions"] = [QuizQuestion.model_validate(q) for q in json.loads(row["questions"])]
    return QuizRun.model_validate(data)


class QuizStore:
    """Thread-safe; shares the bot's SQLite file (WAL) through a connection of its own."""

    def __init__(self, path: Path, *, timeout: float = 5.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.Lock()
        self._run(self._create_schema)

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()

    def _run(self, fn: Callable[[], T]) -> T:
        with self._lock, self.db.conn:
            return fn()

    def _create_schema(self) -> None:
        self.db.conn.execute("PRAGMA journal_mode=WAL")
        self.db["quiz_runs"].create(
            {
                "id": int,
                "kind": str,
                "chat_id": int,
                "owner_id": int,
                "topic": str,
                "open_period": int,
                "questions": str,
                "current": int,
                "state": str,
                "created_at": float,
                "finished_at": float,
            },
            pk="id",
            if_not_exists=True,
        )
        self.db["quiz_polls"].create(
            {
                "poll_id": str,
                "run_id": int,
                "idx": int,
                "question_id": str,
                "chat_id": int,
                "message_id": int,
                "sent_at": float,
                "closes_at": float,
                "closed": int,
            },
            pk="poll_id",
            if_not_exists=True,
        )
        self.db["quiz_answers"].create(
            {
                "poll_id": str,
                "run_id": int,
                "idx": int,
                "user_id": int,
                "name": str,
                "option": int,
                "correct": int,
                "elapsed": float,
                "answered_at": float,
            },
            pk=("poll_id", "user_id"),
            if_not_exists=True,
        )
        self.db["quiz_runs"].create_index(["chat_id", "state"], if_not_exists=True)
        self.db["quiz_polls"].create_index(["run_id"], if_not_exists=True)
        self.db["quiz_answers"].create_index(["run_id"], if_not_exists=True)

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

        def write() -> QuizRun | None:
            running = self._running_in(chat_id)
            if running is not None:
                if running.kind == "group" or kind == "group":
                    return None
                self._set_state(running.id, "stopped")
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
            run_id = int(self.db["quiz_runs"].insert(row).last_pk)
            return _run_from({**row, "id": run_id})

        return self._run(write)

    def _running_in(self, chat_id: int) -> QuizRun | None:
        rows = list(
            self.db.query(
                "SELECT * FROM quiz_runs WHERE chat_id = ? AND state = 'running' "
                "ORDER BY id DESC LIMIT 1",
                [chat_id],
            )
        )
        return _run_from(rows[0]) if rows else None

    def _set_state(self, run_id: int, state: State) -> None:
        self.db.conn.execute(
            "UPDATE quiz_runs SET state = ?, finished_at = ? WHERE id = ?",
            [state, time.time(), run_id],
        )

    def running_in(self, chat_id: int) -> QuizRun | None:
        return self._run(lambda: self._running_in(chat_id))

    def run(self, run_id: int) -> QuizRun | None:
        rows = self._run(
            lambda: list(self.db.query("SELECT * FROM quiz_runs WHERE id = ?", [run_id]))
        )
        return _run_from(rows[0]) if rows else None

    def running_groups(self) -> list[QuizRun]:
        rows = self._run(
            lambda: list(
                self.db.query("SELECT * FROM quiz_runs WHERE kind = 'group' AND state = 'running'")
            )
        )
        return [_run_from(r) for r in rows]

    def end_run(self, run_id: int, state: State) -> bool:
        """Mark a running run ended; False when it had already ended (someone else did)."""

        def write() -> bool:
            cur = self.db.conn.execute(
                "UPDATE quiz_runs SET state = ?, finished_at = ? "
                "WHERE id = ? AND state = 'running'",
                [state, time.time(), run_id],
            )
            return cur.rowcount > 0

        return self._run(write)

    def last_group_run(self, *, chat_id: int | None = None, owner_id: int | None = None):
        """The newest group session of a chat, or trained by a user."""
        where, args = (
            ("chat_id = ?", [chat_id]) if chat_id is not None else ("owner_id = ?", [owner_id])
        )
        rows = self._run(
            lambda: list(
                self.db.query(
                    f"SELECT * FROM quiz_runs WHERE kind = 'group' AND {where} "
                    "ORDER BY id DESC LIMIT 1",
                    args,
                )
            )
        )
        return _run_from(rows[0]) if rows else None

    def migrate_chat(self, old: int, new: int) -> int:
        """A group became a supergroup: its runs and polls now live under the new id."""

        def write() -> int:
            n = self.db.conn.execute(
                "UPDATE quiz_runs SET chat_id = ? WHERE chat_id = ?", [new, old]
            ).rowcount
            self.db.conn.execute("UPDATE quiz_polls SET chat_id = ? WHERE chat_id = ?", [new, old])
            return n

        return self._run(write)

    # -- polls ----------------------------------------------------------------------------
    def add_poll(self, poll: QuizPoll) -> None:
        row = poll.model_dump()
        row["closed"] = int(poll.closed)
        self._run(lambda: self.db["quiz_polls"].insert(row, replace=True))

    def poll(self, poll_id: str) -> QuizPoll | None:
        rows = self._run(
            lambda: list(self.db.query("SELECT * FROM quiz_polls WHERE poll_id = ?", [poll_id]))
        )
        return QuizPoll.model_validate(rows[0]) if rows else None

    def open_poll(self, run_id: int) -> QuizPoll | None:
        """The run's poll still waiting for answers, if any."""
        rows = self._run(
            lambda: list(
                self.db.query(
                    "SELECT * FROM quiz_polls WHERE run_id = ? AND closed = 0 "
                    "ORDER BY idx DESC LIMIT 1",
                    [run_id],
                )
            )
        )
        return QuizPoll.model_validate(rows[0]) if rows else None

    def polls(self, run_id: int) -> list[QuizPoll]:
        rows = self._run(
            lambda: list(
                self.db.query("SELECT * FROM quiz_polls WHERE run_id = ? ORDER BY idx", [run_id])
            )
        )
        return [QuizPoll.model_validate(r) for r in rows]

    def close_poll(self, poll_id: str) -> bool:
        """Close a poll and move its run to the next question; False if already closed."""

        def write() -> bool:
            cur = self.db.conn.execute(
                "UPDATE quiz_polls SET closed = 1 WHERE poll_id = ? AND closed = 0", [poll_id]
            )
            if not cur.rowcount:
                return False
            self.db.conn.execute(
                "UPDATE quiz_runs SET current = (SELECT idx + 1 FROM quiz_polls WHERE poll_id = ?)"
                " WHERE id = (SELECT run_id FROM quiz_polls WHERE poll_id = ?)",
                [poll_id, poll_id],
            )
            return True

        return self._run(write)

    def question_snapshot(self, question_id: str) -> QuizQuestion | None:
        """A question as it was asked (for its source button, when the bank changed since)."""
        rows = self._run(
            lambda: list(
                self.db.query(
                    "SELECT r.questions, p.idx FROM quiz_polls p JOIN quiz_runs r "
                    "ON r.id = p.run_id WHERE p.question_id = ? ORDER BY p.sent_at DESC LIMIT 1",
                    [question_id],
                )
            )
        )
        if not rows:
            return None
        return QuizQuestion.model_validate(json.loads(rows[0]["questions"])[rows[0]["idx"]])

    # -- answers --------------------------------------------------------------------------
    def record_answer(self, answer: QuizAnswer) -> None:
        row = answer.model_dump()
        row["correct"] = int(answer.correct)
        self._run(lambda: self.db["quiz_answers"].insert(row, replace=True))

    def retract_answer(self, poll_id: str, user_id: int) -> bool:
        return self._run(
            lambda: (
                self.db.conn.execute(
                    "DELETE FROM quiz_answers WHERE poll_id = ? AND user_id = ?", [poll_id, user_id]
                ).rowcount
                > 0
            )
        )

    def answers(self, run_id: int) -> list[QuizAnswer]:
        rows = self._run(
            lambda: list(
                self.db.query(
                    "SELECT * FROM quiz_answers WHERE run_id = ? ORDER BY idx, answered_at",
                    [run_id],
                )
            )
        )
        return [QuizAnswer.model_validate(r) for r in rows]

    def answer_count(self, poll_id: str) -> int:
        return self._run(
            lambda: self.db.conn.execute(
                "SELECT count(*) FROM quiz_answers WHERE poll_id = ?", [poll_id]
            ).fetchone()[0]
        )

    def history(self, user_id: int, limit: int = 10) -> list[HistoryRow]:
        """A user's practices and the group sessions they answered in, newest first."""

        def read() -> list[HistoryRow]:
            rows = self.db.query(
                "SELECT r.id, r.kind, r.topic, r.created_at, r.state, r.questions, "
                "coalesce(sum(a.correct), 0) AS correct, count(a.poll_id) AS asked "
                "FROM quiz_runs r LEFT JOIN quiz_answers a "
                "ON a.run_id = r.id AND a.user_id = ? "
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
                    asked=r["asked"],
                    total=len(json.loads(r["questions"])),
                    state=r["state"],
                )
                for r in rows
            ]

        return self._run(read)


def local_time(ts: float) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time (UTC+7)."""
    tz = dt.timezone(dt.timedelta(hours=7))
    return dt.datetime.fromtimestamp(ts, tz).strftime("%d/%m/%Y %H:%M")
