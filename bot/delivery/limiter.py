"""Every Bot API call, through python-telegram-bot's rate limiter hook (``BaseRateLimiter``):
kept under Telegram's flood limits, tried again when that is safe, and never sent twice.

python-telegram-bot calls :meth:`DeliveryLimiter.process_request` around each request but
getUpdates. Three things happen there, in this order:

1. **Once per update.** A message sent while an update is handled (``bot.delivery.context``)
   is numbered; if the outbox already holds Telegram's answer for that number (the update is
   handled a second time, after a restart or a failed delivery), that answer is returned and
   nothing is sent.
2. **Retries within a bounded time** (``budget`` seconds from the first attempt), by the
   verdicts of ``bot.delivery.policy``: a 429 waits the ``retry_after`` Telegram asked for
   (all calls wait with it, as ``AIORateLimiter`` does, but as many times as the budget
   allows: issue 15 lost answers after 3), a 5xx or a network failure waits 0.5, 1, 2… s.
   Telegram's answer to a send is waited for as long as the budget lasts (never less than
   the configured read timeout), so that a 5xx or a 429 arriving late is seen, and retried,
   instead of turning into an unknown outcome. A send whose outcome is still unknown (no
   answer in time, a connection dropped while waiting) is not repeated, and the update is
   marked uncertain. When the budget runs out the update is marked undelivered, and handled
   again later (``bot.delivery.processor``).
3. **Flood limits**, as ``AIORateLimiter`` applies them: 30 calls a second in all, 20 a
   minute per group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot import texts
from bot.delivery.context import Delivery, current
from bot.delivery.policy import NOT_HERE, SENDS, Verdict, backoff, retry_after_seconds, verdict
from bot.metrics import Metrics
from bot.storage.outbox import Outbox
from bot.storage.sqlite import DatabaseError

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class _Call:
    """One Bot API request as python-telegram-bot hands it to the rate limiter."""

    callback: Callable[..., Coroutine[Any, Any, Result]]
    args: Any
    kwargs: dict[str, Any]
    endpoint: str
    data: dict[str, Any]


class DeliveryLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        outbox: Outbox,
        metrics: Metrics,
        *,
        budget: float,
        read_timeout: float = 0.0,
        overall_per_second: float = 30,
        group_per_minute: float = 20,
    ) -> None:
        self.outbox = outbox
        self.metrics = metrics
        self.budget = budget
        #: The HTTP client's read timeout: a send waits at least that long for its answer.
        self.read_timeout = read_timeout
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        #: No call goes out before this time (the event loop's clock) after a 429.
        self._resume_at = 0.0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        call = _Call(callback, args, kwargs, endpoint, data)
        delivery = current.get()
        if delivery is None or endpoint not in SENDS:
            return await self._call(call, delivery)
        number = delivery.next_send()
        sent = await self._outbox(self.outbox.sent, delivery.update_id, number)
        if sent is not None:
            log.info(texts.ALREADY_SENT.format(update=delivery.update_id, number=number + 1))
            return sent
        result = await self._call(call, delivery)
        await self._outbox(self.outbox.remember, delivery.update_id, number, endpoint, result)
        return result

    @staticmethod
    async def _outbox(fn: Callable[..., Any], *args: Any) -> Any:
        """The outbox is how a second attempt knows what the first sent; should the database
        fail, the message is still sent (at worst, twice on a second attempt)."""
        try:
            return await asyncio.to_thread(fn, *args)
        except DatabaseError as exc:
            log.warning(texts.OUTBOX_FAILED.format(error=exc))
            return None

    async def _call(self, call: _Call, delivery: Delivery | None) -> Result:
        endpoint = call.endpoint
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.budget
        attempt = 0
        while True:
            attempt += 1
            while (pause := self._resume_at - loop.time()) > 0:
                await asyncio.sleep(pause)
            kwargs = call.kwargs
            if endpoint in SENDS:
                wait_for = max(self.read_timeout, deadline - loop.time())
                kwargs = {**kwargs, "read_timeout": wait_for}
            try:
                async with self._limits(call.data):
                    return await call.callback(*call.args, **kwargs)
            except BadRequest as exc:
                if _too_late_to_answer(exc, endpoint, delivery):
                    return True  # the button was pressed long ago: nothing left to acknowledge
                raise
            except TelegramError as exc:
                if endpoint in NOT_HERE:
                    raise
                judged = verdict(exc, endpoint)
                if judged is Verdict.UNCERTAIN and delivery is not None and endpoint in SENDS:
                    delivery.uncertain = True
                    log.warning(
                        texts.SEND_UNCERTAIN.format(
                            method=endpoint, update=delivery.update_id, error=exc
                        )
                    )
                if judged is not Verdict.RETRY:  # refused, or maybe carried out
                    raise
                reason = None  # a 429 is counted as "rate_limit" by the HTTP client already
                if isinstance(exc, RetryAfter):
                    wait = retry_after_seconds(exc)
                    self._resume_at = max(self._resume_at, loop.time() + wait)
                else:
                    wait = backoff(attempt)
                    reason = "network" if exc.__cause__ is not None else "server_error"
                if loop.time() + wait > deadline:
                    if delivery is not None and endpoint in SENDS:
                        delivery.undelivered = True
                    log.warning(
                        texts.SEND_GAVE_UP.format(method=endpoint, attempts=attempt, error=exc)
                    )
                    raise
                if reason is not None:
                    self.metrics.retried(reason)
                log.warning(
                    texts.SEND_RETRY.format(
                        method=endpoint, attempt=attempt, error=exc, seconds=f"{wait:.1f}"
                    )
                )
                await asyncio.sleep(wait)

    @contextlib.asynccontextmanager
    async def _limits(self, data: dict[str, Any]) -> AsyncIterator[None]:
        chat_id = data.get("chat_id")
        if chat_id is None:
            yield
            return
        group = self._group(chat_id)
        async with group or contextlib.nullcontext(), self._overall:
            yield

    def _group(self, chat_id: Any) -> AsyncLimiter | None:
        """The per-group limiter (a negative id or a @channel name), or None for a person."""
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        if isinstance(chat_id, int) and chat_id > 0:
            return None
        if len(self._groups) > 1024:  # forget groups with all their capacity back
            for key, limiter in list(self._groups.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._groups[key]
        if chat_id not in self._groups:
            self._groups[chat_id] = AsyncLimiter(self._group_per_minute, 60)
        return self._groups[chat_id]


def _too_late_to_answer(error: BadRequest, endpoint: str, delivery: Delivery | None) -> bool:
    """A button press handled again (after a restart) can no longer be acknowledged: Telegram
    refuses ("query is too old"). That must not stop what the button does."""
    return (
        endpoint == "answerCallbackQuery"
        and delivery is not None
        and delivery.attempt > 1
        and "query is too old" in (error.message or "").lower()
    )
