"""Start the real bot ``Application`` against :class:`FakeTelegram` (tests and benchmarks)."""

from __future__ import annotations

import contextlib
import html.parser
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import build_application, start, stop
from bot.services import Services
from bot.settings import BotSettings
from retrieval.assistant import Assistant
from retrieval.settings import Settings
from tests.fake_telegram import FakeTelegram

_user_ids = itertools.count(10_001)


@dataclass
class BotHarness:
    fake: FakeTelegram
    app: Application
    settings: BotSettings
    ids: Any = field(default_factory=lambda: _user_ids)

    @property
    def services(self) -> Services:
        return self.app.bot_data["services"]

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
    core: Settings, assistant: Assistant, bot_db: Path, **overrides: Any
) -> AsyncIterator[BotHarness]:
    """The bot, polling a fresh fake server, until the block ends."""
    fake = FakeTelegram().start()
    try:
        settings = bot_settings(core, fake, bot_db, **overrides)
        app = build_application(settings, assistant)
        await start(app, settings)
        try:
            yield BotHarness(fake=fake, app=app, settings=settings)
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
