"""Each update handled once: claimed before its handlers run, done (or put back) after.

python-telegram-bot runs the handlers of every update through an update processor
(``ApplicationBuilder.concurrent_updates``); this one, like its ``SimpleUpdateProcessor``,
runs them at once, up to ``max_concurrent_updates`` together, and around them:

- claims the update in the inbox: one that is not waiting (done already, or being handled by
  an earlier copy) is not handled again;
- sets the delivery context the rate limiter reads (``bot.delivery.context``);
- afterwards marks it done ("uncertain" when a message may not have arrived: Telegram did not
  answer its send in time, and it is not sent again), or, when a message could not be
  delivered, puts it back to be handled again in ``retry_in`` seconds (up to
  ``max_attempts`` times); a bot stopping while it handles an update puts it back too, for
  the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import texts
from bot.delivery.context import Delivery, current
from bot.storage.inbox import Inbox
from bot.storage.sqlite import DatabaseError

log = logging.getLogger(__name__)


class OnceProcessor(BaseUpdateProcessor):
    def __init__(
        self, inbox: Inbox, max_concurrent_updates: int, *, retry_in: float, max_attempts: int
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox
        self.retry_in = retry_in
        self.max_attempts = max_attempts

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        attempt = await self._store(self.inbox.claim, update.update_id, default=1)
        if attempt is None:  # handled already, or being handled
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            return
        delivery = Delivery(update_id=update.update_id, attempt=attempt)
        token = current.set(delivery)
        try:
            await coroutine
        except asyncio.CancelledError:  # the bot is stopping: the next start handles it
            await self._store(self.inbox.release, update.update_id, 0.0)
            raise
        except Exception:  # python-telegram-bot reports handler errors itself: not expected
            await self._store(self.inbox.finish, update.update_id, "failed")
            raise
        finally:
            current.reset(token)
        await self._settle(delivery)

    async def _settle(self, delivery: Delivery) -> None:
        if not delivery.undelivered:
            state = "uncertain" if delivery.uncertain else "done"
            await self._store(self.inbox.finish, delivery.update_id, state)
        elif delivery.attempt >= self.max_attempts:
            log.error(
                texts.DELIVERY_ABANDONED.format(
                    update=delivery.update_id, attempts=delivery.attempt
                )
            )
            await self._store(self.inbox.finish, delivery.update_id, "failed")
        else:
            log.warning(
                texts.DELIVERY_LATER.format(update=delivery.update_id, seconds=f"{self.retry_in:g}")
            )
            await self._store(self.inbox.release, delivery.update_id, self.retry_in)

    @staticmethod
    async def _store(fn: Any, *args: Any, default: Any = None) -> Any:
        """An inbox call in a thread; should the database fail, the update is handled as if
        there were no inbox (once, unless the bot dies meanwhile)."""
        try:
            return await asyncio.to_thread(fn, *args)
        except DatabaseError as exc:
            log.warning(texts.INBOX_FAILED.format(update=args[0], error=exc))
            return default
