"""Updates waiting in the inbox are handled again: at start-up, those a killed or stopped bot
had received but not finished, and then, looking every half ``CCHC_REDELIVER_SECONDS``, those
whose answer could not be delivered at an earlier attempt. Old entries are forgotten on the
way."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Update
from telegram.ext import Application

from bot import texts
from bot.context import BotServices, CustomContext
from bot.delivery.queue import RecordingQueue
from bot.storage.sqlite import DatabaseError

log = logging.getLogger(__name__)

#: An update received this recently and never tried may still be on its way to a handler.
SETTLING = 30.0
#: How long a finished update's id is kept, to recognise a replay: Telegram keeps an
#: unconfirmed update for 24 hours, and after a week without updates starts numbering them
#: afresh from a random number, which must not meet an id kept from before.
KEEP_IDS = 2 * 24 * 3600.0


async def requeue_waiting(app: Application, *, settling: float = SETTLING) -> int:
    """Queue the updates that wait in the inbox; how many."""
    services: BotServices = app.bot_data.services
    queue = app.update_queue
    assert isinstance(queue, RecordingQueue)
    fresh_before = time.time() - settling if settling else None
    waiting = await asyncio.to_thread(services.inbox.due, 100, fresh_before)
    for item in waiting:
        try:
            update = Update.de_json(item.payload, app.bot)
        except Exception as exc:  # not readable any more (a library upgrade): give it up
            log.error(texts.INBOX_UNREADABLE.format(update=item.update_id, error=exc))
            await asyncio.to_thread(services.inbox.finish, item.update_id, "failed")
            continue
        await queue.requeue(update)
    return len(waiting)


async def on_start(app: Application) -> None:
    """After a restart: what the previous process had not finished is handled now, and the
    inbox is looked at again every half ``redeliver_seconds``."""
    services: BotServices = app.bot_data.services
    try:
        interrupted = await asyncio.to_thread(services.inbox.recover)
        waiting = await requeue_waiting(app, settling=0)
    except DatabaseError as exc:
        log.warning(texts.INBOX_FAILED.format(update="-", error=exc))
    else:
        if waiting:
            log.info(texts.REDELIVERING.format(count=waiting, interrupted=interrupted))
    if app.job_queue is not None:
        every = services.settings.redeliver_seconds / 2
        app.job_queue.run_repeating(look_again, interval=every, first=every, name="cchc-inbox")


async def look_again(context: CustomContext) -> None:
    services = context.services
    try:
        await requeue_waiting(context.application)
        await asyncio.to_thread(services.inbox.prune, KEEP_IDS)
        await asyncio.to_thread(services.outbox.prune, KEEP_IDS)
    except DatabaseError as exc:
        log.warning(texts.INBOX_FAILED.format(update="-", error=exc))
