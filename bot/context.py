"""What every handler and job gets: a typed ``context`` that exposes the bot's services.

As in python-telegram-bot's ``contexttypesbot.py`` example: the ``Application`` is built with
``ContextTypes(context=CustomContext, bot_data=BotData)``, so that a handler reads
``context.answering``, ``context.question_log`` or ``context.quiz_state`` instead of digging
them out of a dict. The services are made once per ``Application`` (:meth:`BotServices.create`)
and closed when it shuts down.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from telegram.ext import CallbackContext, ExtBot

from bot import texts
from bot.access import Access, Throttle
from bot.health import Health, HealthServer
from bot.metrics import Metrics
from bot.quiz.inflight import PollsInFlight
from bot.settings import BotSettings
from bot.storage.inbox import Inbox
from bot.storage.outbox import Outbox
from bot.storage.pending import PendingActions
from bot.storage.question_log import QuestionLog
from bot.storage.quiz_sets import QuizSets
from bot.storage.quiz_state import QuizState
from bot.storage.sqlite import Database, DatabaseError
from retrieval.domain.models import Answer
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService
from retrieval.service.quiz import QuizService

log = logging.getLogger(__name__)
T = TypeVar("T")


class Server(Protocol):
    """A server the bot runs beside Telegram's client (the webhook's)."""

    async def stop(self) -> None: ...


@dataclass
class BotServices:
    """The bot's parts, made once at start-up."""

    settings: BotSettings
    answering: AnsweringService
    database: Database
    question_log: QuestionLog
    quiz_state: QuizState
    #: Trainers' own question sets (files sent to the bot).
    quiz_sets: QuizSets
    pending: PendingActions
    #: Updates received and not yet handled, and messages sent for them (``bot.delivery``).
    inbox: Inbox
    outbox: Outbox
    #: The question bank over the documents served, built once per index version.
    quiz_bank: QuizService
    access: Access
    throttle: Throttle
    #: Question answering runs on these threads, off the event loop.
    executor: ThreadPoolExecutor = field(repr=False)
    #: Reindex runs take minutes: one thread of their own, so questions keep their workers.
    reindex_executor: ThreadPoolExecutor = field(repr=False)
    #: Held while this bot runs a reindex (another process is kept out by the core's lock).
    reindexing: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    #: The key of the upload being ingested (a Cancel press must not race it).
    upload_running: str | None = None
    #: Quiz polls being sent and stored (an answer to one waits for it).
    polls_in_flight: PollsInFlight = field(default_factory=PollsInFlight, repr=False)
    #: One lock per group quiz session: a step of the session and /dungquiz never interleave.
    session_locks: defaultdict[int, asyncio.Lock] = field(
        default_factory=lambda: defaultdict(asyncio.Lock), repr=False
    )
    examples: list[str] = field(default_factory=lambda: list(texts.EXAMPLES))
    #: Makes the core's ``AdminService`` (a test may hand in its own).
    make_admin: Callable[..., AdminService] = AdminService
    #: The counters of ``/metrics`` (``bot.metrics``).
    metrics: Metrics = field(default_factory=Metrics, repr=False)
    #: The contact with Telegram, for ``/healthz`` (``bot.health``).
    health: Health = field(default_factory=Health, repr=False)
    #: The ``/healthz`` and ``/metrics`` server while the bot runs (CCHC_HEALTH_PORT set).
    http: HealthServer | None = field(default=None, repr=False)
    #: The webhook's server while the bot runs in webhook mode (``bot.webhook``).
    webhook: Server | None = field(default=None, repr=False)

    @classmethod
    def create(cls, settings: BotSettings, answering: AnsweringService) -> BotServices:
        database = Database(settings.bot_db_path)
        return cls(
            settings=settings,
            answering=answering,
            database=database,
            question_log=QuestionLog(database),
            quiz_state=QuizState(database),
            quiz_sets=QuizSets(database),
            pending=PendingActions(database),
            inbox=Inbox(database),
            outbox=Outbox(database),
            quiz_bank=QuizService(
                settings, answering.index_version, answering.corpus, encoder=answering.encoder
            ),
            access=Access(settings.admin_ids, settings.allowed_users, settings.allowed_chats),
            throttle=Throttle(limit=settings.throttle_per_minute),
            executor=ThreadPoolExecutor(settings.workers, thread_name_prefix="cchc-ask"),
            reindex_executor=ThreadPoolExecutor(1, thread_name_prefix="cchc-reindex"),
        )

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.reindex_executor.shutdown(wait=False, cancel_futures=True)
        self.database.close()


class BotData:
    """``context.bot_data``: holds the services, set once by ``build_application``."""

    def __init__(self) -> None:
        self._services: BotServices | None = None

    @property
    def services(self) -> BotServices:
        if self._services is None:
            raise RuntimeError("the bot's services are not set up")
        return self._services

    @services.setter
    def services(self, value: BotServices) -> None:
        self._services = value


class CustomContext(CallbackContext[ExtBot, BotData, dict, dict]):
    """The ``context`` of every handler, error handler and job of the bot."""

    @property
    def services(self) -> BotServices:
        return self.bot_data.services

    @property
    def settings(self) -> BotSettings:
        return self.services.settings

    @property
    def answering(self) -> AnsweringService:
        return self.services.answering

    @property
    def question_log(self) -> QuestionLog:
        return self.services.question_log

    @property
    def quiz_state(self) -> QuizState:
        return self.services.quiz_state

    @property
    def quiz_sets(self) -> QuizSets:
        return self.services.quiz_sets

    @property
    def pending(self) -> PendingActions:
        return self.services.pending

    @property
    def quiz_bank(self) -> QuizService:
        return self.services.quiz_bank

    @property
    def access(self) -> Access:
        return self.services.access

    @property
    def throttle(self) -> Throttle:
        return self.services.throttle

    @property
    def examples(self) -> list[str]:
        return self.services.examples

    @property
    def metrics(self) -> Metrics:
        return self.services.metrics

    def admin(
        self, progress: Callable[[int, int], None] | None = None, who: str | None = None
    ) -> AdminService:
        """A new ``AdminService`` that shares the answering model (no second load)."""
        svc = self.services
        return svc.make_admin(
            svc.settings, encoder=svc.answering.encoder, progress=progress, who=who
        )

    # -- running blocking work off the event loop -------------------------------------------
    async def in_worker(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run blocking retrieval work on the question workers (the update's request id
        goes along, for the log)."""
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, fn, *args)
        return await loop.run_in_executor(self.services.executor, call)

    async def in_reindex_worker(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run a reindex on its own thread; the event loop and the question workers go on."""
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, fn, *args)
        return await loop.run_in_executor(self.services.reindex_executor, call)

    async def db(self, fn: Callable[..., T], /, *args: Any) -> T:
        """A store call in a thread; errors propagate (quiz state must not be lost)."""
        return await asyncio.to_thread(fn, *args)

    async def db_or_none(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """A store call in a thread where the log is a nicety: a database error is logged and
        gives None, and the user still gets their answer."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except DatabaseError as exc:
            log.warning("Không ghi/đọc được nhật ký bot: %s", exc)
            return None

    # -- the index being served --------------------------------------------------------------
    def index_version(self) -> str:
        return self.answering.index_version()

    def refresh_index(self) -> bool:
        """Switch to a newly published version, if any; True when it did. Blocking; questions
        in flight finish on the old version first (the core's swap lock)."""
        return self.answering.reload_if_changed()

    def _ask(self, question: str, k: int, lookahead: int) -> Answer:
        try:
            self.refresh_index()
        except Exception:  # a broken new version: keep answering from the one we have
            log.exception("Không chuyển được sang phiên bản chỉ mục mới")
        return self.answering.ask(question, k=k, lookahead=lookahead)

    async def ask(self, question: str, k: int, lookahead: int = 0) -> Answer:
        """Answer from the newest published version: checked between questions."""
        return await self.in_worker(self._ask, question, k, lookahead)

    async def more(self, question: str, k: int, page: int, size: int) -> Answer:
        """Page ``page`` of "more results" for ``question`` (see ``AnsweringService.more``)."""
        return await self.in_worker(self.answering.more, question, k, page, size)
