"""What the handlers share: settings, the assistant, the log store, access and throttle."""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram.ext import ContextTypes

from bot.access import Access, Throttle
from bot.log_store import LogStore
from bot.quiz_store import QuizStore
from bot.settings import BotSettings
from retrieval.domain.models import Answer, DocumentMeta, Passage
from retrieval.service.answering import AnsweringService
from retrieval.service.quiz import QuizService

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Three questions the knowledge base answers well, offered as buttons by /start.
EXAMPLES = [
    "Các giải pháp của Nghị quyết 76/NQ-CP là gì?",
    "Bài học kinh nghiệm trong cải cách hành chính là gì?",
    "Những hạn chế trong cải cách hành chính giai đoạn 2011-2020?",
]


@dataclass
class Services:
    settings: BotSettings
    answering: AnsweringService
    store: LogStore
    access: Access
    throttle: Throttle
    executor: ThreadPoolExecutor = field(repr=False)
    examples: list[str] = field(default_factory=lambda: list(EXAMPLES))
    #: Reindex runs take minutes: one thread of their own, so questions keep their workers.
    reindex_executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="cchc-reindex"),
        repr=False,
    )
    #: Held while this bot runs a reindex (another process is kept out by the core's lock).
    reindexing: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    #: Quiz state (sessions, polls, answers); the same SQLite file as ``store``.
    quiz_store: QuizStore | None = field(default=None, repr=False)
    #: The question bank over the documents served, built once per index version.
    quizzes: QuizService | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls, settings: BotSettings, answering: AnsweringService, store: LogStore | None = None
    ) -> Services:
        return cls(
            settings=settings,
            answering=answering,
            store=store or LogStore(settings.bot_db_path),
            access=Access(settings.admin_ids, settings.allowed_users, settings.allowed_chats),
            throttle=Throttle(limit=settings.throttle_per_minute),
            executor=ThreadPoolExecutor(settings.workers, thread_name_prefix="cchc-ask"),
            quiz_store=QuizStore(settings.bot_db_path),
            quizzes=QuizService(settings, answering.index_version, answering.corpus),
        )

    @property
    def quiz(self) -> QuizStore:
        if self.quiz_store is None:
            self.quiz_store = QuizStore(self.settings.bot_db_path)
        return self.quiz_store

    def index_version(self) -> str:
        """The name of the index version being served."""
        return self.answering.index_version()

    @property
    def bank(self) -> QuizService:
        if self.quizzes is None:
            self.quizzes = QuizService(
                self.settings, self.answering.index_version, self.answering.corpus
            )
        return self.quizzes

    async def in_worker(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run blocking retrieval work on the worker pool, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    async def in_reindex_worker(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run a reindex on its own thread; the event loop and the question workers go on."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.reindex_executor, functools.partial(fn, *args))

    def refresh_index(self) -> bool:
        """Switch to a newly published version, if any; True when it did. Blocking; questions
        in flight finish on the old version first (the core's swap lock)."""
        return self.answering.reload_if_changed()

    def _ask(self, question: str, k: int) -> Answer:
        try:
            self.refresh_index()
        except Exception:  # a broken new version: keep answering from the one we have
            log.exception("Không chuyển được sang phiên bản chỉ mục mới")
        return self.answering.ask(question, k=k)

    async def ask(self, question: str, k: int) -> Answer:
        """Answer from the newest published version: checked between questions."""
        return await self.in_worker(self._ask, question, k)

    async def db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """A log-store call in a thread; a database error is logged and gives None."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except sqlite3.Error as exc:
            log.warning("Không ghi/đọc được nhật ký bot: %s", exc)
            return None

    def documents(self) -> list[DocumentMeta]:
        """The documents the assistant can cite, oldest first."""
        return self.answering.documents()

    def passages(self, ids: list[int]) -> list[tuple[Passage, DocumentMeta]]:
        """Passages of the live index by id, in the order given; missing ones are skipped."""
        return self.answering.passages(ids)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.reindex_executor.shutdown(wait=False, cancel_futures=True)
        self.store.close()
        if self.quiz_store is not None:
            self.quiz_store.close()


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]
