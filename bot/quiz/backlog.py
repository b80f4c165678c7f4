"""After a restart, the poll answers Telegram kept while the bot was down, read before a
session goes on: so that an overdue poll is closed only once they are counted, each timed
from the bot's last heartbeat (``bot.quiz.timing``).

The pending updates are read with ``getUpdates`` before long polling starts, without
confirming them: the updater then receives them as usual (a poll answer already recorded is
kept as it was). Up to ``PEEK`` updates are read this way; with a webhook, Telegram pushes
the backlog itself and none is read here.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BotServices
from bot.quiz.answers import record
from bot.quiz.timing import backlog_elapsed

log = logging.getLogger(__name__)

#: Most updates read ahead of the updater (Telegram's limit for one getUpdates).
PEEK = 100


async def read_backlog(application: Application, alive_at: float | None) -> int:
    """Record the poll answers among the updates waiting at Telegram; how many were new."""
    svc: BotServices = application.bot_data.services
    if svc.settings.webhook_url:
        return 0
    try:
        updates = await application.bot.get_updates(timeout=0, limit=PEEK)
    except TelegramError as exc:
        log.warning("Không đọc được các câu trả lời gửi trong lúc trợ lý dừng: %s", exc)
        return 0
    counted = 0
    for update in updates:
        if update.poll_answer is None:
            continue
        done = await asyncio.to_thread(
            record,
            svc.quiz_state,
            update.poll_answer,
            time.time(),
            lambda poll: backlog_elapsed(poll, alive_at),
            kinds=("group",),  # a practice goes on when its answer arrives, as usual
        )
        if done is not None and done.new:
            counted += 1
            log.info(
                "Phiên đố vui %s: câu trả lời gửi trong lúc trợ lý dừng, tính %.1f giây",
                done.run.id,
                done.answer.elapsed,
            )
    return counted
