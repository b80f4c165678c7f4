"""Builds the Telegram ``Application`` and runs it (``cchc run``)."""

from __future__ import annotations

import logging
import secrets
import sqlite3
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
    MessageHandler,
    PollAnswerHandler,
    TypeHandler,
    filters,
)

from bot import redact
from bot.handlers import admin, common, ingest, questions, quiz
from bot.services import Services
from bot.settings import BotSettings
from retrieval.config import describe_settings_error
from retrieval.domain import messages
from retrieval.domain.errors import CoreError
from retrieval.service.answering import AnsweringService

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "Giới thiệu và câu hỏi mẫu"),
    BotCommand("help", "Hướng dẫn sử dụng"),
    BotCommand("vanban", "Danh sách văn bản"),
    BotCommand("hoi", "Đặt câu hỏi (trong nhóm)"),
    BotCommand("quiz", "Đố vui: luyện tập, hoặc mở phiên đố trong nhóm"),
    BotCommand("diem", "Kết quả các lượt đố vui của bạn"),
]

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
    new_messages = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, common.access_gate), group=-1)
    app.add_handler(CommandHandler("start", common.on_start))
    app.add_handler(CommandHandler("help", common.on_help))
    app.add_handler(CommandHandler("vanban", common.on_vanban))
    app.add_handler(CommandHandler("hoi", questions.on_hoi))
    app.add_handler(CommandHandler("thongke", admin.on_stats))
    app.add_handler(CommandHandler("reload", admin.on_reload))
    app.add_handler(CommandHandler("reindex", ingest.on_reindex))
    app.add_handler(CommandHandler("xoa", ingest.on_remove))
    app.add_handler(CommandHandler("quiz", quiz.on_quiz))
    app.add_handler(CommandHandler("dungquiz", quiz.on_stop))
    app.add_handler(CommandHandler("ketqua", quiz.on_results))
    app.add_handler(CommandHandler("diem", quiz.on_history))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, quiz.on_migrate))
    app.add_handler(PollAnswerHandler(quiz.on_poll_answer))
    app.add_handler(
        MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, questions.on_text)
    )
    app.add_handler(
        MessageHandler(new_messages & private & filters.COMMAND, common.on_unknown_command)
    )
    app.add_handler(
        MessageHandler(new_messages & private & filters.Document.ALL, ingest.on_document)
    )
    app.add_handler(MessageHandler(new_messages & private & NOT_TEXT, common.on_not_text))
    app.add_handler(CallbackQueryHandler(questions.on_example, pattern=questions.EXAMPLE))
    app.add_handler(CallbackQueryHandler(questions.on_full, pattern=questions.FULL))
    app.add_handler(CallbackQueryHandler(questions.on_more, pattern=questions.MORE))
    app.add_handler(CallbackQueryHandler(questions.on_feedback, pattern=questions.FEEDBACK))
    app.add_handler(CallbackQueryHandler(ingest.on_upload_button, pattern=ingest.UPLOAD))
    app.add_handler(CallbackQueryHandler(ingest.on_remove_button, pattern=ingest.REMOVE))
    app.add_handler(CallbackQueryHandler(quiz.on_source, pattern=quiz.SOURCE))
    app.add_handler(CallbackQueryHandler(quiz.on_retry, pattern=quiz.RETRY))
    app.add_handler(CallbackQueryHandler(questions.on_unknown_button))
    app.add_error_handler(common.on_error)


async def _post_init(app: Application) -> None:
    """Publish the command menu (a failure here is not worth refusing to start over), and
    resume the group quiz sessions a restart interrupted."""
    try:
        await app.bot.set_my_commands(COMMANDS, scope=BotCommandScopeDefault())
        await app.bot.set_my_commands(COMMANDS, scope=BotCommandScopeAllPrivateChats())
    except TelegramError as exc:
        log.warning("Không đặt được menu lệnh: %s", exc)
    try:
        await quiz.recover(app)
    except sqlite3.Error as exc:
        log.warning("Không khôi phục được các phiên đố vui: %s", exc)


async def _post_stop(app: Application) -> None:
    """Stop the quiz session tasks; their state stays in SQLite for the next start."""
    await quiz.cancel_all(app)


async def _post_shutdown(app: Application) -> None:
    svc = app.bot_data.get("services")
    if isinstance(svc, Services):
        svc.close()


def build_application(
    settings: BotSettings, answering: AnsweringService, *, services: Services | None = None
) -> Application:
    """One ``Application.builder()`` chain: token, API root, rate limiter, concurrency."""
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
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .connect_timeout(10)
        .read_timeout(20)
        .write_timeout(20)
        .pool_timeout(10)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["services"] = services or Services.create(settings, answering)
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
    print(redact.redact(message), file=sys.stderr)
    return 2


def run_bot() -> int:
    """``cchc run``: long polling, or a webhook when CCHC_WEBHOOK_URL is set, until SIGTERM."""
    try:
        settings = BotSettings()
    except ValidationError as exc:
        return _fail(f"cchc run: {describe_settings_error(exc, BotSettings)}")
    if not settings.token:
        return _fail(
            "cchc run: chưa đặt TELEGRAM_BOT_TOKEN (mã bot do @BotFather cấp); "
            "để hỏi đáp ngay trong cửa sổ dòng lệnh, dùng `cchc chat`."
        )
    redact.install(settings.token)
    logging.getLogger("bot").setLevel(logging.INFO)
    try:
        answering = AnsweringService(settings)
    except CoreError as exc:
        return _fail(f"cchc run: {messages.describe(exc)}")
    try:
        app = build_application(settings, answering)
    except (OSError, sqlite3.Error) as exc:
        return _fail(f"cchc run: không mở được nhật ký bot {settings.bot_db_path} ({exc}).")
    mode = "webhook" if settings.webhook_url else "long polling"
    log.info("Bot đang chạy (%s), API %s", mode, settings.telegram_api_base_url)
    try:
        if settings.webhook_url:
            app.run_webhook(**webhook_options(settings))
        else:
            app.run_polling(**polling_options())
    except InvalidToken:
        return _fail("cchc run: Telegram từ chối TELEGRAM_BOT_TOKEN; hãy kiểm tra lại mã bot.")
    except TelegramError as exc:
        return _fail(f"cchc run: không kết nối được với Telegram ({exc}).")
    except OSError as exc:
        return _fail(f"cchc run: không mở được cổng webhook ({exc}).")
    return 0
