"""For operators: /healthz and /metrics over real HTTP, counters that move, JSON log lines."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import httpx
import pytest
from telegram.error import InvalidToken

from bot.app import build_application
from bot.logs import JsonFormatter
from bot.runner import start, stop
from bot.testing.fake_api import FakeTelegram
from bot.testing.harness import bot_settings, running_bot
from tests.conftest import free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"
OFF_TOPIC = "Công thức nấu phở bò Hà Nội gồm những gì?"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in the Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, value = line.rsplit(" ", 1)
        head, _, rest = series.partition("{")
        found = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if head == name and found == labels:
            return float(value)
    return 0.0


async def test_healthz_and_metrics_over_http(built_index, assistant, tmp_path) -> None:
    port = free_port()
    async with running_bot(
        built_index, assistant, tmp_path / "bot.sqlite", health_port=port, typing_delay=0
    ) as bot:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            await bot.receiving()
            health = await http.get("/healthz")
            for _ in range(100):  # "starting" until Telegram answers the first getUpdates
                if health.json()["status"] != "starting":
                    break
                await asyncio.sleep(0.1)
                health = await http.get("/healthz")
            assert health.status_code == 200, health.text
            body = health.json()
            assert body["status"] == "ok" and body["model_loaded"] is True
            assert body["index_version"] == assistant.index_version()
            assert body["model"] == "multilingual-e5-small (onnx-int8)" and body["passages"] > 100
            assert body["index_age_s"] >= 0 and body["uptime_s"] >= 0
            assert body["last_update_at"] is None  # nothing received yet
            assert body["telegram"]["mode"] == "polling" and body["telegram"]["connected_at"]

            before = (await http.get("/metrics")).text
            assert sample(before, "cchc_questions_total", chat_type="private") == 0
            assert sample(before, "cchc_up") == 1
            assert (
                sample(
                    before,
                    "cchc_index_info",
                    version=assistant.index_version(),
                    model="multilingual-e5-small (onnx-int8)",
                )
                == 1
            )
            assert "process_resident_memory_bytes" in before

            user = bot.new_user()
            bot.fake.fail("sendMessage", 429, retry_after=1)
            bot.fake.send_text(QUESTION, user_id=user)
            bot.fake.send_text(OFF_TOPIC, user_id=user)
            bot.fake.send_text("/quiz 2", user_id=user)
            await bot.fake.wait_for("sendPoll", chat_id=user)
            await bot.settled()

            response = await http.get("/metrics")
            assert response.headers["content-type"].startswith("text/plain")
            after = response.text
            assert sample(after, "cchc_questions_total", chat_type="private") == 2
            assert sample(after, "cchc_refusals_total", reason="weak_evidence") == 1
            assert sample(after, "cchc_answer_seconds_count") == 2
            assert sample(after, "cchc_answer_seconds_sum") > 0
            assert sample(after, "cchc_updates_total") == 3
            assert sample(after, "cchc_quiz_sessions_total", kind="practice") == 1
            assert sample(after, "cchc_telegram_requests_total", method="sendMessage") >= 2
            assert (
                sample(
                    after, "cchc_telegram_errors_total", method="sendMessage", error="retry_after"
                )
                == 1
            )
            assert sample(after, "cchc_telegram_retries_total", reason="rate_limit") == 1
            assert sample(after, "cchc_last_update_timestamp_seconds") > 0

            body = (await http.get("/healthz")).json()
            assert body["last_update_at"] is not None and body["last_update_age_s"] < 60
            assert (await http.get("/nothing")).status_code == 404
    with pytest.raises(httpx.ConnectError):  # the server stops with the bot
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


async def test_healthz_is_503_until_updates_flow(built_index, assistant, tmp_path) -> None:
    """Before the first getUpdates answered the bot is "starting"; a stuck poll is degraded."""
    port = free_port()
    async with running_bot(
        built_index, assistant, tmp_path / "bot.sqlite", health_port=port
    ) as bot:
        await bot.receiving()
        health = bot.services.health
        for _ in range(100):  # "starting" until Telegram answers the first getUpdates
            if health.status() != "starting":
                break
            await asyncio.sleep(0.1)
        assert health.status() == "ok"
        health.clock = lambda: health.last_ok_at + 600  # no call went through for 10 minutes
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.get(f"http://127.0.0.1:{port}/healthz")
        assert answer.status_code == 503 and answer.json()["status"] == "degraded"


async def test_json_log_lines_carry_the_update_id(built_index, assistant, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    async with running_bot(built_index, assistant, tmp_path / "bot.sqlite") as bot:
        bot.fake.send_text(QUESTION, user_id=bot.new_user())
        await bot.settled()
        update_id = bot.fake.last_update_id
    record = next(r for r in caplog.records if r.getMessage().startswith("Câu hỏi #"))
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == str(update_id)
    assert line["level"] == "INFO" and line["logger"] == "bot.questions.answer"
    assert line["message"].startswith("Câu hỏi #") and line["time"].endswith("+00:00")
    # a line written outside any update (start-up) has none
    assert all(
        json.loads(JsonFormatter().format(r))["request_id"] in ("-", str(update_id))
        for r in caplog.records
    )


async def test_a_refused_token_stops_the_start_at_once(built_index, assistant, tmp_path):
    with FakeTelegram() as fake:
        settings = bot_settings(
            built_index, fake, tmp_path / "bot.sqlite", telegram_bot_token="42:not-the-token"
        )
        app = build_application(settings, assistant)
        try:
            with pytest.raises(InvalidToken):
                await start(app, settings)
        finally:
            await stop(app)
    text = app.bot_data.services.metrics.exposition()[0].decode()
    assert sample(text, "cchc_telegram_errors_total", method="getMe", error="invalid_token") == 1
    assert sample(text, "cchc_telegram_retries_total", reason="startup") == 0  # would not change


async def test_giving_up_while_waiting_for_telegram_closes_everything(
    built_index, assistant, tmp_path
):
    with FakeTelegram() as fake:
        settings = bot_settings(
            built_index,
            fake,
            tmp_path / "bot.sqlite",
            telegram_api_base_url=f"http://127.0.0.1:{free_port()}",  # refuses connections
        )
    app = build_application(settings, assistant)
    starting = asyncio.create_task(start(app, settings))
    metrics = app.bot_data.services.metrics
    while (
        sample(metrics.exposition()[0].decode(), "cchc_telegram_retries_total", reason="startup")
        < 2
    ):
        assert not starting.done()
        await asyncio.sleep(0.05)
    assert app.bot_data.services.health.status() == "starting"
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    await stop(app)
    assert not app.bot._requests_initialized  # its HTTP clients are closed
