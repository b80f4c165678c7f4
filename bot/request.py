"""The HTTP client of the Bot API, watched: every call counts in ``/metrics``, and its outcome
tells ``/healthz`` whether Telegram can be reached.

python-telegram-bot's ``HTTPXRequest`` with ``post`` wrapped: a success or a
``TelegramError`` is reported to a :class:`CallObserver`, then returned or raised unchanged.
"""

from __future__ import annotations

from typing import Any

from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.health import Health
from bot.metrics import Metrics


def is_network_failure(error: BaseException) -> bool:
    """Telegram could not be reached, or did not answer in time (as opposed to an answer that
    refuses the call: a 400 is a ``NetworkError`` subclass in python-telegram-bot)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


class CallObserver:
    """Reports each Bot API call to the metrics and to the health state."""

    def __init__(self, metrics: Metrics, health: Health) -> None:
        self.metrics = metrics
        self.health = health

    def succeeded(self, method: str) -> None:
        self.metrics.api_ok(method)
        self.health.telegram_ok(method)

    def failed(self, method: str, error: TelegramError) -> None:
        self.metrics.api_failed(method, error)
        if is_network_failure(error):
            self.health.telegram_failed(f"{method}: {error}")
        else:  # Telegram answered, so it can be reached
            self.health.telegram_ok(method)


class ObservedRequest(HTTPXRequest):
    """``HTTPXRequest`` that reports every call (``url`` ends with the method's name)."""

    def __init__(self, observer: CallObserver, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.observer = observer

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:
        method = url.rsplit("/", 1)[-1]
        try:
            result = await super().post(url, *args, **kwargs)
        except TelegramError as exc:
            self.observer.failed(method, exc)
            raise
        self.observer.succeeded(method)
        return result
