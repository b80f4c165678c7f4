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
from bot.settings import BotSettings
from retrieval.assistant import Assistant
from retrieval.documents import load_knowledge_dir
from retrieval.models import Answer, DocumentMeta, Passage

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
    assistant: Assistant
    store: LogStore
    access: Access
    throttle: Throttle
    executor: ThreadPoolExecutor = field(repr=False)
    examples: list[str] = field(default_factory=lambda: list(EXAMPLES))

    @classmethod
    def create(
        cls, settings: BotSettings, assistant: Assistant, store: LogStore | None = None
    ) -> Services:
        return cls(
            settings=settings,
            assistant=assistant,
            store=store or LogStore(settings.bot_db_path),
            access=Access(settings.admin_ids, settings.allowed_users, settings.allowed_chats),
            throttle=Throttle(limit=settings.throttle_per_minute),
            executor=ThreadPoolExecutor(settings.workers, thread_name_prefix="cchc-ask"),
        )

    async def in_worker(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run blocking retrieval work on the worker pool, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    async def ask(self, question: str, k: int) -> Answer:
        return await self.in_worker(self.assistant.ask, question, k=k)

    async def db(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """A log-store call in a thread; a database error is logged and gives None."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except sqlite3.Error as exc:
            log.warning("Không ghi/đọc được nhật ký bot: %s", exc)
            return None

    def documents(self) -> list[DocumentMeta]:
        """The documents the assistant can cite, oldest first."""
        searcher = getattr(self.assistant, "searcher", None)
        docs: list[DocumentMeta] = list(getattr(searcher, "documents", {}).values())
        if not docs:
            docs = list(load_knowledge_dir(self.settings.knowledge_dir))
        return sorted(docs, key=lambda d: (d.issued is None, d.issued or 0, d.title))

    def passages(self, ids: list[int]) -> list[tuple[Passage, DocumentMeta]]:
        """Passages of the live index by id, in the order given; missing ones are skipped."""
        searcher = self.assistant.searcher
        found = searcher.version.store.passages(ids)
        out = []
        for pid in ids:
            p = found.get(pid)
            if p is not None and p.doc_id in searcher.documents:
                out.append((p, searcher.documents[p.doc_id]))
        return out

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.store.close()


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]
