"""A real ``cchc run`` killed by SIGKILL with questions in flight, then started again: every
question is answered exactly once (issue 15: the offset was confirmed before the answer was
sent, so a SIGKILL during retrieval lost the question).

The fake Bot API holds the bot's sendMessage calls, so that the kill finds questions between
"received" and "answered"; calls of the killed process are dropped when released, as calls
that never reached Telegram. Two kinds of questions are in flight at the kill: some whose
receipt Telegram saw confirmed (only the bot's database still has them), some it did not
(Telegram sends them again; the bot must not answer them twice).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from bot import texts
from bot.testing.fake_api import FakeTelegram
from tests.conftest import start_cchc_run
from tests.test_bot_network import Lines

QUESTIONS = [
    "Các giải pháp của Nghị quyết 76/NQ-CP là gì?",
    "Bài học kinh nghiệm trong cải cách hành chính là gì?",
    "Mục tiêu cải cách hành chính giai đoạn 2021-2030 là gì?",
    "Những hạn chế trong cải cách hành chính giai đoạn 2011-2020?",
    "Nguyên nhân của những hạn chế trong cải cách hành chính?",
]


def inbox_states(db: Path) -> dict[int, str]:
    """The bot's inbox as another process sees it."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return dict(conn.execute("SELECT update_id, state FROM inbox"))
    except sqlite3.OperationalError:  # not created yet
        return {}
    finally:
        conn.close()


def wait(predicate, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)


def replies(fake: FakeTelegram, message: dict) -> int:
    chat, number = message["chat"]["id"], message["message_id"]
    return sum(
        (c.params.get("reply_parameters") or {}).get("message_id") == number
        for c in fake.calls_of("sendMessage", chat_id=chat)
    )


def ask(fake: FakeTelegram, users: list[int]) -> list[dict]:
    return [fake.send_text(QUESTIONS[u % len(QUESTIONS)], user_id=u) for u in users]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def test_sigkill_with_questions_in_flight_then_restart(built_index, tmp_path) -> None:
    fake = FakeTelegram().start()
    db = tmp_path / "bot.sqlite"
    env = {"CCHC_THROTTLE_PER_MINUTE": "0", "CCHC_LOG_FORMAT": "json"}
    first = start_cchc_run(built_index, tmp_path, fake.url, fake.token, **env)
    second = None
    try:
        Lines(first.stderr)
        fake.wait_for_sync("getUpdates", timeout=240)

        # Answered before the kill: these must not be answered again after it.
        before = ask(fake, [101, 102])
        wait(lambda: all(replies(fake, m) for m in before), "the first answers")
        wait(lambda: set(inbox_states(db).values()) == {"done"}, "the first answers settled")

        # Received and confirmed, answers held back: only the bot's database has them.
        fake.hold("sendMessage")
        confirmed = ask(fake, [201, 202, 203, 204])
        last = fake.last_update_id
        wait(
            lambda: fake.calls_of("getUpdates", offset=last + 1),
            "Telegram told that the questions arrived",
        )
        # Received, not confirmed: Telegram will send them again after the restart.
        fake.confirmations = False
        unconfirmed = ask(fake, [301, 302])
        wait(lambda: len(inbox_states(db)) == 8, "the last questions recorded")
        wait(lambda: fake.holding >= 2, "answers waiting to be sent")

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        fake.release("sendMessage")  # the killed bot's sends never reach "Telegram"
        fake.confirmations = True
        assert not any(replies(fake, m) for m in confirmed + unconfirmed)

        second = start_cchc_run(built_index, tmp_path, fake.url, fake.token, **env)
        lines = Lines(second.stderr)
        everything = before + confirmed + unconfirmed
        wait(lambda: all(replies(fake, m) for m in everything), "every question answered", 240)
        wait(lambda: set(inbox_states(db).values()) == {"done"}, "every update settled")
        assert [replies(fake, m) for m in everything] == [1] * len(everything)
        sent = [c.params["text"] for c in fake.calls_of("sendMessage")]
        assert not [t for t in sent if texts.ERROR in t]
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
        assert second.returncode == 0
        logged = [message for _, message in lines.messages()]
        assert any(m.startswith("Xử lý lại 6 cập nhật") for m in logged)
        replayed = [m for m in logged if "Telegram gửi lại" in m]
        assert len(replayed) == len(unconfirmed)  # sent again by Telegram, not answered again
        assert not [line for _, line in lines.items if "Traceback" in line]
    finally:
        for proc in (first, second):
            if proc is not None:
                stop(proc)
        fake.stop()
