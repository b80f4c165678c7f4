"""``cchc run`` started while the Bot API server refuses connections: it waits and retries, one
log line per attempt, serves /healthz meanwhile, and answers once the server comes up; and
when the server goes away later and comes back, it carries on."""

from __future__ import annotations

import json
import signal
import threading
import time

import httpx

from bot.testing.fake_api import FakeTelegram
from tests.conftest import free_port, start_cchc_run

QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"


class Lines:
    """The process's stderr, line by line, with when each line arrived (monotonic)."""

    def __init__(self, stream) -> None:
        self.items: list[tuple[float, str]] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.items.append((time.monotonic(), line.rstrip("\n")))

    def messages(self) -> list[tuple[float, str]]:
        """(arrival, message) of the JSON log lines."""
        out = []
        for at, line in list(self.items):
            try:
                out.append((at, json.loads(line)["message"]))
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def wait(self, predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.messages()):
            if time.monotonic() > deadline:
                tail = "\n".join(line for _, line in self.items[-20:])
                raise AssertionError(f"not seen within {timeout} s; stderr ends with:\n{tail}")
            time.sleep(0.05)


def _retries(messages: list[tuple[float, str]]) -> list[str]:
    return [m for _, m in messages if m.startswith("Chưa kết nối được với Telegram")]


def test_start_while_telegram_is_unreachable_then_answer(built_index, tmp_path) -> None:
    api_port, health_port = free_port(), free_port()  # nothing listens on api_port yet
    fake = FakeTelegram()
    proc = start_cchc_run(
        built_index,
        tmp_path,
        f"http://127.0.0.1:{api_port}",
        fake.token,
        CCHC_HEALTH_PORT=str(health_port),
        CCHC_LOG_FORMAT="json",
    )
    lines = Lines(proc.stderr)
    health = f"http://127.0.0.1:{health_port}"
    try:
        lines.wait(lambda m: len(_retries(m)) >= 2, timeout=240)
        starting = httpx.get(f"{health}/healthz", timeout=5)
        assert starting.status_code == 503
        body = starting.json()
        assert body["status"] == "starting" and body["model_loaded"] is True
        assert "ConnectError" in body["telegram"]["last_error"] or body["telegram"]["last_error"]
        assert not any("đang chạy" in m for _, m in lines.messages())

        # The server comes up; its first getUpdates answers only after 2 s.
        fake.delay("getUpdates", 2.0)
        fake.start(port=api_port)
        fake.wait_for_sync("getUpdates", timeout=60)
        fake.delay("getUpdates", 0)
        lines.wait(lambda m: any(x.startswith("Bot đang chạy") for _, x in m), timeout=30)
        fake.send_text(QUESTION, user_id=77)
        answer = fake.wait_for_sync("sendMessage", chat_id=77, timeout=60)[0].params
        assert "[1]" in answer["text"] and "76/NQ-CP" in answer["text"]

        # Telegram goes away for a while, then comes back: one line each way, no traceback.
        fake.stop()
        lines.wait(lambda m: any(x.startswith("Không nhận được cập nhật") for _, x in m), 30)
        fake.start(port=api_port)
        lines.wait(lambda m: any(x.startswith("Đã liên lạc lại") for _, x in m), timeout=60)
        fake.send_text(QUESTION, user_id=78)
        assert "[1]" in fake.wait_for_sync("sendMessage", chat_id=78, timeout=60)[0].params["text"]

        ok = httpx.get(f"{health}/healthz", timeout=5)
        assert ok.status_code == 200 and ok.json()["status"] == "ok"
        metrics = httpx.get(f"{health}/metrics", timeout=5).text
        retried = [
            line
            for line in metrics.splitlines()
            if line.startswith('cchc_telegram_retries_total{reason="startup"}')
        ]
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        fake.stop()
    assert proc.returncode == 0
    messages = lines.messages()
    text = "\n".join(line for _, line in lines.items)
    assert "Traceback" not in text
    # One line per failed attempt, each saying when the next one comes.
    failures = _retries(messages)
    assert len(failures) >= 2 and all("Thử lại sau" in m for m in failures)
    assert [m.split("lần thử ")[1].split(":")[0] for m in failures[:2]] == ["1", "2"]
    assert float(retried[0].rsplit(" ", 1)[1]) == len(failures)
    # "Bot đang chạy" once, and only after the first getUpdates was answered.
    running = [(at, m) for at, m in messages if m.startswith("Bot đang chạy")]
    assert len(running) == 1
    first_poll = fake.calls_of("getUpdates")[0].at
    assert running[0][0] >= first_poll - 0.5
    # Every log line is a JSON object with a request id ("-" outside updates).
    logged = [json.loads(line) for _, line in lines.items if line.startswith("{")]
    assert logged and all({"time", "level", "message", "request_id"} <= set(x) for x in logged)
    assert any(x["request_id"] != "-" for x in logged)


def test_sigterm_while_waiting_for_telegram_stops_cleanly(built_index, tmp_path) -> None:
    proc = start_cchc_run(
        built_index, tmp_path, f"http://127.0.0.1:{free_port()}", FakeTelegram().token
    )
    lines = Lines(proc.stderr)
    try:
        deadline = time.monotonic() + 240
        while "Chưa kết nối được với Telegram" not in "".join(x for _, x in lines.items):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == 0 and time.monotonic() - started < 10
    text = "\n".join(x for _, x in lines.items)
    assert "Đang dừng bot" in text and "Traceback" not in text and "đang chạy" not in text
