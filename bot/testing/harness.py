"""Start the real bot ``Application`` against :class:`FakeTelegram` (tests and benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import html.parser
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.context import BotServices
from bot.runner import start, stop
from bot.settings import BotSettings
from bot.testing.fake_api import FakeTelegram
from retrieval.config import Settings
from retrieval.service.answering import AnsweringService

_user_ids = itertools.count(10_001)


@dataclass
class BotHarness:
    fake: FakeTelegram
    app: Application
    settings: BotSettings
    ids: Any = field(default_factory=lambda: _user_ids)

    async def settled(self, timeout: float = 30.0) -> None:
        """Wait until every update queued so far has been handled to the end, and its
        delivery settled in the inbox (an answer that could not be delivered is handled again
        first): whatever the bot was going to send for them, it has sent. A check that
        something was NOT sent is only meaningful after this (a slow bot would otherwise pass
        it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        first, last = self.fake.first_update_id, self.fake.last_update_id
        wanted = set(range(first, last + 1))
        while missing := sorted(wanted - self.services.inbox.finished(first, last)):
            if loop.time() > deadline:
                raise AssertionError(f"updates not handled within {timeout} s: {missing[:5]}")
            await asyncio.sleep(0.01)

    async def receiving(self, timeout: float = 30.0) -> None:
        """Wait until the bot has read the answer of a getUpdates (the fake records a call
        before it answers it, so seeing the call is not enough)."""
        await self.fake.wait_for("getUpdates", timeout=timeout)
        deadline = asyncio.get_running_loop().time() + timeout
        while self.services.health.receiving_since is None:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no getUpdates answer read within {timeout} s")
            await asyncio.sleep(0.01)

    def replies_to(self, message: dict) -> list[Any]:
        """The messages the bot delivered in reply to ``message`` (an answer's first part)."""
        chat, number = message["chat"]["id"], message["message_id"]
        return [
            c
            for c in self.fake.calls_of("sendMessage", chat_id=chat)
            if (c.params.get("reply_parameters") or {}).get("message_id") == number
        ]

    @property
    def services(self) -> BotServices:
        return self.app.bot_data.services

    def new_user(self) -> int:
        """A user id no other test has used (so throttles and logs do not mix)."""
        return next(self.ids)


def bot_settings(core: Settings, fake: FakeTelegram, bot_db: Path, **overrides: Any) -> BotSettings:
    values = core.model_dump()
    values.update(
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.url,
        bot_db=bot_db,
    )
    values.update(overrides)
    return BotSettings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def running_bot(
    core: Settings,
    assistant: AnsweringService,
    bot_db: Path,
    *,
    fake_port: int = 0,
    **overrides: Any,
) -> AsyncIterator[BotHarness]:
    """The bot, polling a fresh fake server (on ``fake_port``, so that it can be stopped and
    started again there: an outage), until the block ends."""
    fake = FakeTelegram().start(fake_port)
    try:
        settings = bot_settings(core, fake, bot_db, **overrides)
        app = build_application(settings, assistant)
        harness = BotHarness(fake=fake, app=app, settings=settings)
        await start(app, settings)
        try:
            yield harness
        finally:
            await stop(app)
    finally:
        fake.stop()


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> tuple[str, list[str]]:
    """The visible text and the links of a Telegram HTML message; fails on bad nesting."""
    p = _Collect()
    p.feed(text)
    p.close()
    assert not p.stack, f"unclosed tags {p.stack}"
    return "".join(p.text), p.links


# -- latency benchmark ----------------------------------------------------------------------
BENCH_QUESTIONS = [
    "Các giải pháp của Nghị quyết 76/NQ-CP là gì?",
    "Bài học kinh nghiệm trong cải cách hành chính là gì?",
    "Những hạn chế trong cải cách hành chính giai đoạn 2011-2020?",
    "Mục tiêu cải cách hành chính giai đoạn 2021-2030 là gì?",
    "Nguyên nhân của những hạn chế trong cải cách hành chính?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


async def measure_latency(
    bot: BotHarness, users: int, questions_per_user: int = 5, timeout: float = 120.0
) -> dict[str, float]:
    """Time from an update being queued to its answer being sent, ``users`` asking at once.

    Each simulated user asks their questions one after another, as a person would; all users
    ask concurrently. Returns milliseconds: p50, p95, max, and the number of answers.
    """
    import asyncio
    import time

    async def one_user(uid: int) -> list[float]:
        times = []
        for i in range(questions_per_user):
            question = BENCH_QUESTIONS[(uid + i) % len(BENCH_QUESTIONS)]
            queued = time.monotonic()
            msg = bot.fake.send_text(question, user_id=uid)
            calls = await bot.fake.wait_for(
                "sendMessage",
                timeout=timeout,
                where=lambda c, m=msg["message_id"]: (
                    (c.params.get("reply_parameters") or {}).get("message_id") == m
                ),
                chat_id=uid,
            )
            times.append((calls[0].at - queued) * 1000)
        return times

    ids = [bot.new_user() for _ in range(users)]
    results = await asyncio.gather(*(one_user(u) for u in ids))
    latencies = [t for ts in results for t in ts]
    return {
        "users": users,
        "answers": len(latencies),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }


async def _bench(users: list[int], questions: int) -> list[dict[str, float]]:
    import tempfile

    core = Settings()
    assistant = AnsweringService(core)
    with tempfile.TemporaryDirectory() as tmp:
        async with running_bot(
            core, assistant, Path(tmp) / "bot.sqlite", throttle_per_minute=0
        ) as bot:
            await measure_latency(bot, 1, 2)  # warm up
            return [await measure_latency(bot, n, questions) for n in users]


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.testing.harness [--users 1 20] [--questions 5]``: prints JSON lines."""
    import argparse
    import asyncio
    import json

    parser = argparse.ArgumentParser(description="Độ trễ bot với máy chủ Bot API giả")
    parser.add_argument("--users", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--questions", type=int, default=5)
    args = parser.parse_args(argv)
    for row in asyncio.run(_bench(args.users, args.questions)):
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
