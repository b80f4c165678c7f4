"""The bot's SQLite stores on the one helper: pending actions, and waiting for a lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from bot.storage.pending import PendingActions
from bot.storage.question_log import AnswerRecord, QuestionLog
from bot.storage.quiz_state import QuizState
from bot.storage.sqlite import Database


def test_pending_actions_expire(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite")
    try:
        pending = PendingActions(db)
        pending.add("abcdefgh", "remove", 1, 1, {"doc": "x"})
        assert pending.get("abcdefgh").payload == {"doc": "x"}
        assert pending.older_than(3600) == []
        assert [p.key for p in pending.older_than(-1)] == ["abcdefgh"]
        assert pending.drop("abcdefgh") and not pending.drop("abcdefgh")
    finally:
        db.close()


def test_a_write_after_a_read_waits_for_another_connections_lock(tmp_path: Path) -> None:
    """``record_feedback`` reads, then writes: SQLite's busy timeout makes it wait for the
    other connection's write lock rather than fail with "database is locked"."""
    path = tmp_path / "bot.sqlite"
    db = Database(path)
    try:
        log = QuestionLog(db)
        log.record_page(
            AnswerRecord(key="k1", question_id=None, question="?", passage_ids=[], page=0)
        )
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.5, other.execute, ["COMMIT"])
        release.start()
        started = time.monotonic()
        try:
            assert log.record_feedback("k1", 7, 1)
        finally:
            release.join()
            other.close()
        assert time.monotonic() - started >= 0.4
        assert db.query("SELECT user_id, value FROM feedback") == [{"user_id": 7, "value": 1}]
    finally:
        db.close()


def test_the_stores_share_one_file_and_reopen_it(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite"
    for _ in range(2):  # the second time, the schema is already there
        db = Database(path)
        QuestionLog(db)
        QuizState(db)
        PendingActions(db)
        db.close()
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert {"questions", "answers", "feedback", "refusals", "pending"} <= tables
    assert {"quiz_runs", "quiz_polls", "quiz_answers"} <= tables
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
