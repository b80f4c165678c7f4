"""``cchc run`` as a process against the fake Bot API: answers, survives a 429, stops on SIGTERM."""

from __future__ import annotations

import signal
import time

from bot import texts
from bot.testing.fake_api import FakeTelegram, html_error
from bot.testing.harness import parse_html
from tests.conftest import start_cchc_run

QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"


def test_cchc_run_answers_and_stops_on_sigterm(built_index, tmp_path) -> None:
    with FakeTelegram() as fake:
        proc = start_cchc_run(built_index, tmp_path, fake.url, fake.token)
        try:
            fake.wait_for_sync("getUpdates", timeout=180)
            fake.send_text("/start", user_id=7)
            start = fake.wait_for_sync("sendMessage", chat_id=7, timeout=30)
            assert "Xin chào" in start[0].params["text"]

            fake.fail("sendMessage", 429, retry_after=1)
            fake.send_text(QUESTION, user_id=8)
            answer = fake.wait_for_sync("sendMessage", chat_id=8, timeout=60)[0].params
            assert answer["parse_mode"] == "HTML" and html_error(answer["text"]) is None
            text, _ = parse_html(answer["text"])
            assert "[1]" in text and "76/NQ-CP" in text
            assert any(c.status == 429 for c in fake.calls_of("sendMessage", ok_only=False))

            fake.send_sticker(user_id=9)
            assert fake.wait_for_sync("sendMessage", chat_id=9)[0].params["text"] == texts.NOT_TEXT
            fake.send_text("cải cách " * 556, user_id=10)  # 5,004 characters
            assert "quá dài" in fake.wait_for_sync("sendMessage", chat_id=10)[0].params["text"]

            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=20)
            assert time.monotonic() - started < 10
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, err[-2000:]
        secret = fake.token.split(":", 1)[1]
        assert secret not in out and secret not in err
        assert "Traceback" not in err
