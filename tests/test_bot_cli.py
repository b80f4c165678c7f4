"""``cchc run`` as a process against the fake Bot API: answers, survives a 429, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot import texts
from bot.testing.fake_api import FakeTelegram, html_error
from bot.testing.harness import parse_html

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"


def _command() -> list[str]:
    cchc = ROOT / ".venv" / "bin" / "cchc"
    if cchc.exists():
        return [str(cchc), "-v", "run"]
    return [sys.executable, "-m", "retrieval.cli.main", "-v", "run"]


def test_cchc_run_answers_and_stops_on_sigterm(built_index, tmp_path) -> None:
    with FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "TELEGRAM_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.url,
            CCHC_DATA_DIR=str(built_index.data_dir),
            CCHC_KNOWLEDGE_DIR=str(built_index.knowledge_dir),
            CCHC_BOT_DB=str(tmp_path / "bot.sqlite"),
            PYTHONPATH=str(ROOT),
        )
        proc = subprocess.Popen(
            _command(),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
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
