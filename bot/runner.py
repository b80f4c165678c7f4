"""Running the bot (``cchc run``): connect to Telegram, start receiving updates, stop cleanly.

- **Connecting survives the network.** While Telegram cannot be reached at start (no route,
  refused connections, timeouts, a 5xx, a 429), the bot waits and tries again: 1 s, 2 s,
  4 s… up to ``RETRY_MAX`` seconds between attempts, for as long as it takes, with one line
  in the log per attempt and no traceback. A token Telegram refuses stops it at once.
- **"Bot đang chạy" is logged once updates flow**: after the first getUpdates answered (long
  polling), or once the webhook is set (``bot.webhook`` receives it; setting it is retried
  like connecting).
- **Nothing received is lost**: what a killed bot had received and not answered is handled
  once it is connected again (``bot.delivery.redeliver``), and a reindex it was running is
  finished or cleaned up before it starts (``AdminService.repair``).
- ``/healthz`` and ``/metrics`` (``bot.health``) are served from the start, so that a
  supervisor sees "starting" while the bot waits for Telegram.
- SIGTERM and Ctrl-C stop it at any point, also while it waits to connect.

:func:`start` and :func:`stop` are the same steps without the signal handling, for the tests
and benchmarks (``bot.testing.harness``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError
from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot import logs, redact, texts
from bot.app import build_application
from bot.context import BotServices
from bot.delivery import redeliver
from bot.delivery.policy import retry_after_seconds
from bot.delivery.queue import RecordingQueue
from bot.health import HealthPortError, HealthServer
from bot.request import is_network_failure
from bot.settings import BotSettings
from bot.storage.sqlite import DatabaseError
from bot.webhook import WebhookServer
from retrieval.config import describe_settings_error
from retrieval.domain import messages
from retrieval.domain.errors import CoreError
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService

log = logging.getLogger(__name__)

#: Seconds before the first new attempt to connect; doubled after each failure, up to the max.
RETRY_FIRST = 1.0
RETRY_MAX = 30.0


def retry_delay(attempt: int, first: float = RETRY_FIRST, cap: float = RETRY_MAX) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, 4 … ``cap``)."""
    return min(cap, first * 2 ** min(attempt - 1, 16))


def polling_options() -> dict[str, Any]:
    return {"allowed_updates": Update.ALL_TYPES, "poll_interval": 0.0, "timeout": 10}


def webhook_server(app: Application, settings: BotSettings) -> WebhookServer:
    """The webhook's own server; the secret (the one set, or a random one) is checked on
    every request."""
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    redact.install(secret)
    queue = app.update_queue
    assert isinstance(queue, RecordingQueue)
    path = urlparse(settings.webhook_url or "").path
    return WebhookServer(
        settings.webhook_listen, settings.webhook_port, path, secret, app.bot, queue
    )


def _reason(error: TelegramError) -> str:
    """Why an attempt failed, for the log line (the library's own words in brackets)."""
    if isinstance(error, RetryAfter):
        return texts.CONNECT_RETRY_AFTER
    return texts.CONNECT_NETWORK.format(error=error.message)


async def connect(app: Application, services: BotServices) -> None:
    """``app.initialize()`` (getMe) until it succeeds, however long that takes.

    Raises ``InvalidToken`` at once, and any other refusal Telegram answers with."""
    await keep_trying(app.initialize, services)


async def keep_trying(action: Callable[[], Awaitable[object]], services: BotServices) -> None:
    """``action`` until it succeeds, waiting 1, 2, 4 … 30 s (or what Telegram asks) between
    attempts, one line in the log each time. Raises ``InvalidToken`` at once, and any other
    refusal Telegram answers with."""
    root = services.settings.telegram_api_base_url
    attempt = 0
    while True:
        attempt += 1
        try:
            await action()
        except InvalidToken:
            raise
        except TelegramError as exc:
            if not (isinstance(exc, RetryAfter) or is_network_failure(exc)):
                raise
            delay = (
                max(retry_after_seconds(exc), 1.0)
                if isinstance(exc, RetryAfter)
                else retry_delay(attempt)
            )
            services.metrics.retried("startup")
            log.warning(
                texts.CONNECT_FAILED.format(
                    api=root, attempt=attempt, reason=_reason(exc), seconds=f"{delay:g}"
                )
            )
            await asyncio.sleep(delay)
        else:
            if attempt > 1:
                log.info(texts.CONNECTED.format(attempt=attempt))
            return


def _on_polling_error(services: BotServices) -> Callable[[TelegramError], None]:
    def report(error: TelegramError) -> None:
        """One line per failed getUpdates (python-telegram-bot waits 1 s → 30 s between)."""
        services.metrics.retried("polling")
        log.warning(texts.POLLING_FAILED.format(reason=_reason(error)))

    return report


async def start(app: Application, settings: BotSettings) -> None:
    """Serve health, connect, run ``post_init``, start receiving updates and the handlers.
    Waits for Telegram as long as it takes: cancel it to give up (``serve`` does, on SIGTERM)."""
    services: BotServices = app.bot_data.services
    health = services.health
    mode = "webhook" if settings.webhook_url else "long polling"
    health.mode = "webhook" if settings.webhook_url else "polling"
    health.on_receiving = lambda: log.info(
        texts.RUNNING.format(mode=mode, api=settings.telegram_api_base_url)
    )
    health.on_recovered = lambda: log.info(texts.RECONNECTED)
    if settings.health_port:
        server = HealthServer(settings.health_port, health, services.answering, services.metrics)
        await server.start()
        services.http = server
    await connect(app, services)
    if app.post_init:
        await app.post_init(app)
    if settings.webhook_url:
        server = webhook_server(app, settings)
        await server.start()
        services.webhook = server

        async def set_webhook() -> None:
            await app.bot.set_webhook(
                settings.webhook_url or "",
                secret_token=server.secret,
                allowed_updates=Update.ALL_TYPES,
            )

        await keep_trying(set_webhook, services)
        health.receiving()
    else:
        await app.updater.start_polling(
            **polling_options(), bootstrap_retries=-1, error_callback=_on_polling_error(services)
        )
    await app.start()
    await redeliver.on_start(app)


async def stop(app: Application) -> None:
    """Stop receiving, let the handlers finish, close everything (also after a failed or
    interrupted start)."""
    services: BotServices = app.bot_data.services
    services.health.stopping = True
    if services.webhook is not None:
        await services.webhook.stop()
        services.webhook = None
    if app.updater and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_stop:
        await app.post_stop(app)
    await app.shutdown()
    await app.bot.shutdown()  # an interrupted connect leaves the HTTP client open
    if app.post_shutdown:
        await app.post_shutdown(app)
    if services.http is not None:
        await services.http.stop()
        services.http = None


async def serve(app: Application, settings: BotSettings) -> None:
    """Until SIGTERM or SIGINT: start (waiting for Telegram as long as needed), then run. A
    signal during the start cancels it."""
    halt = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, halt.set)
    starting = asyncio.create_task(start(app, settings), name="cchc-start")
    halted = asyncio.create_task(halt.wait(), name="cchc-halt")
    try:
        await asyncio.wait({starting, halted}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            starting.result()  # a failure to start (a refused token…) ends here
            await halted
        log.info(texts.STOPPING)
    finally:
        for task in (starting, halted):
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await stop(app)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _fail(message: str) -> int:
    print(redact.redact(f"cchc run: {message}"), file=sys.stderr)
    return 2


def run_bot() -> int:
    """``cchc run``: long polling, or a webhook when CCHC_WEBHOOK_URL is set, until SIGTERM."""
    try:
        settings = BotSettings()
    except ValidationError as exc:
        return _fail(describe_settings_error(exc, BotSettings))
    if not settings.token:
        return _fail(texts.RUN_NO_TOKEN)
    redact.install(settings.token)
    logs.configure(settings.log_format)
    logging.getLogger("bot").setLevel(logging.INFO)
    # Its INFO lines come with a progress bar per question: not for a service's log.
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    try:
        repaired = AdminService(settings).repair()
        answering = AnsweringService(settings)
    except CoreError as exc:
        return _fail(messages.describe(exc))
    if repaired is not None and repaired.anything:
        log.info(
            texts.REINDEX_REPAIRED.format(
                completed=int(repaired.completed),
                removed=len(repaired.removed),
                interrupted=repaired.interrupted,
            )
        )
    try:
        app = build_application(settings, answering)
    except (OSError, DatabaseError) as exc:
        return _fail(texts.RUN_DB_FAILED.format(path=settings.bot_db_path, error=exc))
    try:
        asyncio.run(serve(app, settings))
    except InvalidToken:
        return _fail(texts.RUN_TOKEN_REFUSED)
    except TelegramError as exc:
        return _fail(texts.RUN_NO_TELEGRAM.format(error=exc))
    except HealthPortError as exc:
        return _fail(texts.RUN_NO_HEALTH_PORT.format(port=exc.port, error=exc.cause))
    except OSError as exc:
        return _fail(texts.RUN_NO_PORT.format(error=exc))
    return 0
