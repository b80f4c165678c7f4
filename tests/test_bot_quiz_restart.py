"""``cchc run`` killed with SIGKILL in the middle of a group quiz question: a learner answers
while it is down, it is started again at once, and the answer is counted, with the time it
was really given (within a heartbeat), before the overdue question is closed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from bot.testing.fake_api import FakeTelegram
from bot.testing.harness import parse_html
from tests.conftest import start_cchc_run

GROUP, TRAINER, LEARNER, LATE = -100901, 9001, 9101, 9102
PERIOD = 6
QUIZ_ENV = dict(
    CCHC_QUIZ_MIN_PERIOD="1", CCHC_QUIZ_GRACE="0.3", CCHC_QUIZ_READ_CHARS_PER_SECOND="0"
)


class Drain:
    """Reads a process's output as it comes (a full pipe would block the bot)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        for stream in (proc.stdout, proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))


def read(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchall()


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"not seen within {timeout} s: {what}"
        time.sleep(0.05)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def messages(fake: FakeTelegram, needle: str) -> list[str]:
    texts = [parse_html(c.params["text"])[0] for c in fake.calls_of("sendMessage", chat_id=GROUP)]
    return [t for t in texts if needle in t]


def test_sigkill_mid_question_then_a_quick_restart(built_index, tmp_path) -> None:
    db = tmp_path / "bot.sqlite"
    with FakeTelegram() as fake:
        fake.members[(GROUP, TRAINER)] = "administrator"
        first_run = start_cchc_run(built_index, tmp_path, fake.url, fake.token, **QUIZ_ENV)
        Drain(first_run)
        try:
            fake.wait_for_sync("getUpdates", timeout=180)
            fake.send_text(
                f"/quiz 2 {PERIOD}", user_id=TRAINER, chat_id=GROUP, chat_type="supergroup"
            )
            poll = fake.wait_for_sync("sendPoll", chat_id=GROUP, timeout=120)[0].result["poll"]
            wait_until(lambda: read(db, "SELECT sent_at FROM quiz_polls"), 10, "the poll stored")
            sent_at = read(db, "SELECT sent_at FROM quiz_polls")[0][0]
            wait_until(
                lambda: read(db, "SELECT at FROM quiz_heartbeat")[0][0] >= sent_at + 1.5,
                10,
                "a heartbeat 1.5 s into the question",
            )
            first_run.send_signal(signal.SIGKILL)
            first_run.wait(timeout=10)
            answered = time.time()
            fake.answer_poll(poll["id"], LEARNER, poll["correct_option_ids"])  # while down
        finally:
            if first_run.poll() is None:
                first_run.kill()
                first_run.wait()
        real = answered - sent_at
        assert 1.5 <= real < PERIOD - 1

        second_run = start_cchc_run(built_index, tmp_path, fake.url, fake.token, **QUIZ_ENV)
        log = Drain(second_run)
        try:
            wait_until(lambda: messages(fake, "Hết giờ câu 1/2"), 180, "question 1 closed")
            assert time.time() > sent_at + PERIOD  # it was overdue when the bot came back
            assert "1/1 người trả lời đúng" in messages(fake, "Hết giờ câu 1/2")[0]
            second = fake.wait_for_sync("sendPoll", chat_id=GROUP, count=2, timeout=30)[1]
            fake.answer_poll(second.result["poll"]["id"], LATE, [0])
            wait_until(lambda: messages(fake, "Bảng xếp hạng"), 60, "the leaderboard")
        finally:
            stop(second_run)
    elapsed = read(db, "SELECT elapsed FROM quiz_answers WHERE user_id = ?", (LEARNER,))
    assert len(elapsed) == 1
    # counted with its real time, within a heartbeat; never the question's whole period
    assert real - 1.2 <= elapsed[0][0] <= real + 0.1, (elapsed, real)
    board = messages(fake, "Bảng xếp hạng")[0]
    assert f"Cán bộ {LEARNER}" in board and "1/2 câu đúng" in board
    assert any("câu trả lời gửi trong lúc trợ lý dừng" in line for line in log.lines)
    assert not any("Traceback" in line for line in log.lines)
