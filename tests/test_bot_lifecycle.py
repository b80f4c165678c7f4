"""Webhook mode, buttons after a restart, and start-up failures of ``run_bot``."""

from __future__ import annotations

import httpx
import pytest

from bot import texts
from bot.testing.harness import running_bot
from tests.conftest import free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"


async def test_webhook_checks_the_secret(built_index, assistant, tmp_path) -> None:
    port = free_port()
    secret = "s3cret_Token-1"
    async with running_bot(
        built_index,
        assistant,
        tmp_path / "bot.sqlite",
        webhook_url=f"http://127.0.0.1:{port}/tg-hook",
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=secret,
    ) as bot:
        assert bot.fake.webhook is not None
        assert bot.fake.webhook["url"] == f"http://127.0.0.1:{port}/tg-hook"
        assert bot.fake.webhook["secret_token"] == secret
        message = bot.fake.send_text(QUESTION, user_id=501)
        update = {"update_id": 77, "message": message}
        url = f"http://127.0.0.1:{port}/tg-hook"
        async with httpx.AsyncClient() as client:
            wrong = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
            missing = await client.post(url, json=update)
            assert wrong.status_code == 403 and missing.status_code == 403
            right = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
            )
            assert right.status_code == 200
        calls = await bot.fake.wait_for("sendMessage", chat_id=501)
        assert len(calls) == 1 and "[1]" in calls[0].params["text"]
        assert not bot.fake.calls_of("getUpdates")


async def test_buttons_still_work_after_a_restart(built_index, assistant, tmp_path) -> None:
    db = tmp_path / "bot.sqlite"
    async with running_bot(built_index, assistant, db) as first:
        first.fake.send_text(QUESTION, user_id=601)
        await first.fake.wait_for("sendMessage", chat_id=601)
        answer = first.fake.sent(601)[-1]
    data = {
        b["callback_data"].split(":")[0]: b["callback_data"]
        for row in answer["reply_markup"]["inline_keyboard"]
        for b in row
    }
    async with running_bot(built_index, assistant, db) as second:
        second.fake.messages[(601, answer["message_id"])] = answer  # the old message
        second.fake.press(answer, data["full"], user_id=601)
        calls = await second.fake.wait_for("sendMessage", chat_id=601)
        assert "<blockquote>" in calls[0].params["text"]
        second.fake.press(answer, data["fb"], user_id=601)
        await second.fake.wait_for("answerCallbackQuery", text=texts.FEEDBACK_THANKS)
        second.fake.press(answer, data["more"], user_id=601)
        calls = await second.fake.wait_for(
            "sendMessage", chat_id=601, where=lambda c: "trang 2" in c.params["text"]
        )
        assert "[1]" in calls[0].params["text"] and "Nguồn trích dẫn" in calls[0].params["text"]
    async with running_bot(built_index, assistant, tmp_path / "other.sqlite") as third:
        third.fake.press(answer, data["full"], user_id=601)  # a database that never saw it
        acks = await third.fake.wait_for("answerCallbackQuery")
        assert acks[0].params["text"] == texts.EXPIRED


async def test_latency_measurement_runs(built_index, assistant, tmp_path) -> None:
    from bot.testing.harness import measure_latency

    async with running_bot(
        built_index, assistant, tmp_path / "bot.sqlite", throttle_per_minute=0
    ) as bot:
        result = await measure_latency(bot, users=3, questions_per_user=2)
    assert result["answers"] == 6
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
