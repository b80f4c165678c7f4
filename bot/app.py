"""Builds the Telegram ``Application``: one builder chain and the table of handlers.
``bot.runner`` runs it (``cchc run``).

The builder is given the parts that deliver every answer once (``bot.delivery``): the update
queue that records updates, the update processor that claims them, and the rate limiter that
retries and remembers what was sent."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    TypeHandler,
    filters,
)

from bot import logs, redact, texts
from bot.admin import commands as admin
from bot.admin import ingest
from bot.context import BotData, BotServices, CustomContext
from bot.delivery.limiter import DeliveryLimiter
from bot.delivery.processor import OnceProcessor
from bot.delivery.queue import RecordingQueue
from bot.gate import access_gate, ignore_edits, note_update, on_error
from bot.health import StateCollector
from bot.questions import answer, buttons, intro
from bot.quiz import group
from bot.quiz import handlers as quiz
from bot.quiz import sets as quiz_sets
from bot.request import CallObserver, ObservedRequest
from bot.settings import BotSettings
from bot.storage.sqlite import DatabaseError
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
#: Updates handled at once (python-telegram-bot's default for ``concurrent_updates(True)``).
CONCURRENT_UPDATES = 256
#: An update whose answer could not be delivered is handled again (every
#: ``CCHC_REDELIVER_SECONDS``) up to this many times in all.
MAX_ATTEMPTS = 10


def command(name: str, callback: Callable[..., Awaitable[object]]) -> CommandHandler:
    """A command in a new message only: an edited ``/hoi`` is not answered again (issue 15;
    ``CommandHandler`` takes edited messages too by default)."""
    return CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE)


#: The commands, with what answers each.
COMMAND_HANDLERS = [
    ("start", intro.on_start),
    ("myid", intro.on_myid),
    ("help", intro.on_help),
    ("vanban", intro.on_vanban),
    ("hoi", answer.on_hoi),
    ("thongke", admin.on_stats),
    ("reload", admin.on_reload),
    ("reindex", admin.on_reindex),
    ("xoa", ingest.on_remove),
    ("quiz", quiz.on_quiz),
    ("dungquiz", quiz.on_stop),
    ("ketqua", quiz.on_results),
    ("diem", quiz.on_history),
]


def add_handlers(app: Application) -> None:
    """Every handler, in the order they are tried; the catch-alls come last."""
    new_messages = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, note_update), group=-3)
    app.add_handler(TypeHandler(Update, ignore_edits), group=-2)
    app.add_handler(TypeHandler(Update, access_gate), group=-1)
    for name, callback in COMMAND_HANDLERS:
        app.add_handler(command(name, callback))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, quiz.on_migrate))
    app.add_handler(PollAnswerHandler(quiz.on_poll_answer))
    app.add_handler(MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, answer.on_text))
    app.add_handler(
        MessageHandler(new_messages & private & filters.COMMAND, intro.on_unknown_command)
    )
    question_file = filters.Document.FileExtension(quiz_sets.EXTENSIONS[0])
    for extension in quiz_sets.EXTENSIONS[1:]:
        question_file |= filters.Document.FileExtension(extension)
    app.add_handler(
        MessageHandler(new_messages & private & question_file, quiz_sets.on_question_file)
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
    """One ``Application.builder()`` chain: token, API root, the delivery parts, timeouts, and
    the typed context. Its ``JobQueue`` runs the group quiz sessions and looks at the inbox.
    In webhook mode there is no ``Updater``: ``bot.webhook`` receives the updates."""
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    redact.install(
        token, settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )
    logs.install()
    root = settings.telegram_api_base_url
    services = services or BotServices.create(settings, answering)
    metrics, health = services.metrics, services.health
    observer = CallObserver(metrics, health)
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=CustomContext, bot_data=BotData))
        .update_queue(RecordingQueue(services.inbox, metrics))
        .concurrent_updates(
            OnceProcessor(
                services.inbox,
                CONCURRENT_UPDATES,
                retry_in=settings.redeliver_seconds,
                max_attempts=MAX_ATTEMPTS,
            )
        )
        .rate_limiter(
            DeliveryLimiter(
                services.outbox,
                metrics,
                budget=settings.send_retry_seconds,
                read_timeout=settings.send_timeout,
            )
        )
        .request(
            ObservedRequest(
                observer,
                connection_pool_size=CONCURRENT_UPDATES,
                connect_timeout=10,
                read_timeout=settings.send_timeout,
                write_timeout=settings.send_timeout,
                pool_timeout=10,
            )
        )
        .get_updates_request(ObservedRequest(observer, connection_pool_size=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.webhook_url:
        builder = builder.updater(None)
    app = builder.build()
    if app.job_queue is None:  # APScheduler missing: python-telegram-bot[job-queue]
        raise RuntimeError("python-telegram-bot[job-queue] is not installed")
    metrics.register(StateCollector(health, services.answering))
    app.bot_data.services = services
    add_handlers(app)
    return app
