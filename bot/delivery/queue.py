"""The application's update queue, which records every update before it is queued.

python-telegram-bot puts each update it receives into ``Application.update_queue`` before it
tells Telegram the update arrived: long polling confirms it with the offset of its next
getUpdates, called once the whole batch is queued; the webhook answers HTTP 200 once ``put``
has returned. Recording the update in ``put`` (``ApplicationBuilder.update_queue``) therefore
makes it durable before Telegram forgets it, for both ways of receiving. An update whose id
was recorded before is a replay and is not queued again.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot import texts
from bot.metrics import Metrics
from bot.storage.inbox import Inbox
from bot.storage.sqlite import DatabaseError

log = logging.getLogger(__name__)


class RecordingQueue(asyncio.Queue):
    def __init__(self, inbox: Inbox, metrics: Metrics) -> None:
        super().__init__()
        self.inbox = inbox
        self.metrics = metrics

    async def put(self, item: object) -> None:
        """Record an update, then queue it; a replay is dropped. Other items (the
        application's stop signal) pass as they are."""
        if isinstance(item, Update):
            try:
                new = await asyncio.to_thread(self.inbox.record, item.update_id, item.to_dict())
            except DatabaseError as exc:  # answer it anyway: once, unless the bot dies now
                log.warning(texts.INBOX_FAILED.format(update=item.update_id, error=exc))
                new = True
            if not new:
                self.metrics.replayed.inc()
                log.info(texts.REPLAY_DROPPED.format(update=item.update_id))
                return
        await super().put(item)

    async def requeue(self, update: Update) -> None:
        """Queue an update recorded earlier (waiting after a restart or a failed delivery)."""
        await super().put(update)
