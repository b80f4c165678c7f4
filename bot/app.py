"""Builds the Telegram ``Application`` and runs it (``cchc run``)."""

from __future__ import annotations

import logging
import secrets
import sys
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError
from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeDefault, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    TypeHandler,
    filters,
)

from bot import redact, texts
from bot.admin import commands as admin
from bot.admin import ingest
from bot.context import BotData, BotServices, CustomContext
from bot.gate import access_gate, on_error
from bot.questions import answer, buttons, intro
from bot.quiz import group
from bot.quiz import handlers as quiz
from bot.settings import BotSettings
from bot.storage.sqlite import DatabaseError
from retrieval.config import describe_settings_error
from retrieval.domain import messages
from retrieval.domain.errors import CoreError
from retrieval.service.answering import AnsweringService

log = logging.getLogger(__name__)

COMMANDS = [BotCommand(command, description) for command, description in texts.COMMANDS]

#: What a message must be to count as "not text": media and the like, never service messages.
NOT_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VIDEO
    | filters.VOICE
    | filters.AUDIO
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.VIDEO_NOTE
    | filters.LOCATION
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)


def add_handlers(app: Application) -> None:
    """Every handler, in the order they are tried; the catch-alls come last."""
    new_messages = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, access_gate), group=-1)
    app.add_handler(CommandHandler("start", intro.on_start))
    app.add_handler(CommandHandler("help", intro.on_help))
    app.add_handler(CommandHandler("vanban", intro.on_vanban))
    app.add_handler(CommandHandler("hoi", answer.on_hoi))
    app.add_handler(CommandHandler("thongke", admin.on_stats))
    app.add_handler(CommandHandler("reload", admin.on_reload))
    app.add_handler(CommandHandler("reindex", admin.on_reindex))
    app.add_handler(CommandHandler("xoa", ingest.on_remove))
    app.add_handler(CommandHandler("quiz", quiz.on_quiz))
    app.add_handler(CommandHandler("dungquiz", quiz.on_stop))
    app.add_handler(CommandHandler("ketqua", quiz.on_results))
    app.add_handler(CommandHandler("diem", quiz.on_history))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, quiz.on_migrate))
    app.add_handler(PollAnswerHandler(quiz.on_poll_answer))
    app.add_handler(MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, answer.on_text))
    app.add_handler(
        MessageHandler(new_messages & private & filters.COMMAND, intro.on_unknown_command)
    )
    app.add_handler(
        MessageHandler(new_messages & private & filters.Document.ALL, ingest.on_document)
    )
    app.add_handler(MessageHandler(new_messages & private & NOT_TEXT, intro.on_not_text))
    app.add_handler(CallbackQueryHandler(answer.on_example, pattern=answer.EXAMPLE))
    app.add_handler(CallbackQueryHandler(buttons.on_full, pattern=answer.FULL))
    app.add_handler(CallbackQueryHandler(buttons.on_more, pattern=answer.MORE))
    app.add_handler(CallbackQueryHandler(buttons.on_feedback, pattern=answer.FEEDBACK))
    app.add_handler(CallbackQueryHandler(ingest.on_upload_button, pattern=ingest.UPLOAD))
    app.add_handler(CallbackQueryHandler(ingest.on_remove_button, pattern=ingest.REMOVE))
    app.add_handler(CallbackQueryHandler(quiz.on_source, pattern=quiz.SOURCE))
    app.add_handler(CallbackQueryHandler(quiz.on_retry, pattern=quiz.RETRY))
    app.add_handler(CallbackQueryHandler(buttons.on_unknown_button))
    app.add_error_handler(on_error)


async def _post_init(app: Application) -> None:
    """Publish the command menu (a failure here is not worth refusing to start over), and
    schedule again the group quiz sessions a restart interrupted."""
    try:
        await app.bot.set_my_commands(COMMANDS, scope=BotCommandScopeDefault())
        await app.bot.set_my_commands(COMMANDS, scope=BotCommandScopeAllPrivateChats())
    except TelegramError as exc:
        log.warning("Không đặt được menu lệnh: %s", exc)
    try:
        await group.recover(app)
    except DatabaseError as exc:
        log.warning("Không khôi phục được các phiên đố vui: %s", exc)


async def _post_shutdown(app: Application) -> None:
    app.bot_data.services.close()


def build_application(
    settings: BotSettings, answering: AnsweringService, *, services: BotServices | None = None
) -> Application:
    """One ``Application.builder()`` chain: token, API root, rate limiter, concurrency, and the
    typed context. Its ``JobQueue`` runs the group quiz sessions."""
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    redact.install(
        token, settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )
    root = settings.telegram_api_base_url
    app = (
        Application.builder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=CustomContext, bot_data=BotData))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .connect_timeout(10)
        .read_timeout(20)
        .write_timeout(20)
        .pool_timeout(10)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    if app.job_queue is None:  # APScheduler missing: python-telegram-bot[job-queue]
        raise RuntimeError("python-telegram-bot[job-queue] is not installed")
    app.bot_data.services = services or BotServices.create(settings, answering)
    add_handlers(app)
    return app


def polling_options() -> dict[str, Any]:
    return {"allowed_updates": Update.ALL_TYPES, "poll_interval": 0.0, "timeout": 10}


def webhook_options(settings: BotSettings) -> dict[str, Any]:
    """Arguments for ``run_webhook``/``start_webhook``; the secret is checked on every request."""
    url = settings.webhook_url or ""
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    redact.install(secret)
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(url).path.lstrip("/"),
        "webhook_url": url,
        "secret_token": secret,
        "allowed_updates": Update.ALL_TYPES,
    }


async def start(app: Application, settings: BotSettings) -> None:
    """Start without taking over signals (tests, benchmarks): the same set-up as ``run_bot``."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    if settings.webhook_url:
        await app.updater.start_webhook(**webhook_options(settings))
    else:
        await app.updater.start_polling(**polling_options())
    await app.start()


async def stop(app: Application) -> None:
    if app.updater and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_stop:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)


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
    logging.getLogger("bot").setLevel(logging.INFO)
    try:
        answering = AnsweringService(settings)
    except CoreError as exc:
        return _fail(messages.describe(exc))
    try:
        app = build_application(settings, answering)
    except (OSError, DatabaseError) as exc:
        return _fail(texts.RUN_DB_FAILED.format(path=settings.bot_db_path, error=exc))
    mode = "webhook" if settings.webhook_url else "long polling"
    log.info("Bot đang chạy (%s), API %s", mode, settings.telegram_api_base_url)
    try:
        if settings.webhook_url:
            app.run_webhook(**webhook_options(settings))
        else:
            app.run_polling(**polling_options())
    except InvalidToken:
        return _fail(texts.RUN_TOKEN_REFUSED)
    except TelegramError as exc:
        return _fail(texts.RUN_NO_TELEGRAM.format(error=exc))
    except OSError as exc:
        return _fail(texts.RUN_NO_PORT.format(error=exc))
    return 0
