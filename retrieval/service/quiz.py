"""The quiz bank over the documents being served: curated questions (``knowledge/quiz``) and
questions generated from the live index version, built once per version.

The bot and the terminal see the same bank, including the documents that admins added.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable

from retrieval.config import Settings
from retrieval.domain.models import Document, Passage
from retrieval.domain.quiz import QuizQuestion
from retrieval.index.versions import IndexVersion
from retrieval.quiz.bank import BankReport, build_report, dump_json_lines, filter_topic
from retrieval.quiz.curated import CuratedError, load_curated

log = logging.getLogger(__name__)

__all__ = ["BankReport", "QuizService", "dump_json_lines"]

#: (version name, documents with bodies, passages) of the index being served.
CorpusSource = Callable[[], tuple[str, list[Document], list[Passage]]]


class QuizService:
    """``version`` names the index version served (cheap, asked on every call); ``corpus``
    reads it (only when that name changes)."""

    def __init__(self, settings: Settings, version: Callable[[], str], corpus: CorpusSource):
        self.settings = settings
        self._version = version
        self._corpus = corpus
        self._lock = threading.Lock()
        self._built: tuple[str, BankReport] | None = None

    @classmethod
    def from_index(cls, settings: Settings) -> QuizService:
        """For a one-shot command: reads the live version once, loads no model."""

        version = IndexVersion.open_current(settings)
        try:
            name, (documents, passages) = version.folder.name, version.corpus()
        finally:
            version.close()
        return cls(settings, lambda: name, lambda: (name, documents, passages))

    def report(self, strict: bool = False) -> BankReport:
        """The bank and what was rejected. A curated question that lost its passage raises
        ``CuratedError`` when ``strict``; otherwise the curated file is skipped, logged."""
        with self._lock:
            if self._built is not None and self._built[0] == self._version():
                return self._built[1]
            name, documents, passages = self._corpus()
            try:
                curated = load_curated(self.settings.knowledge_dir / "quiz")
                report = build_report(documents, passages, curated)
            except CuratedError:
                if strict:
                    raise
                log.warning("Bỏ qua câu hỏi soạn sẵn không hợp lệ", exc_info=True)
                report = build_report(documents, passages)
            self._built = (name, report)
            return report

    def bank(self) -> list[QuizQuestion]:
        return self.report().questions

    def choose(self, topic: str | None, count: int, rng: random.Random) -> list[QuizQuestion]:
        """``count`` random questions of ``topic`` (any topic when None); [] when none fit."""
        pool = filter_topic(self.bank(), topic)
        return rng.sample(pool, min(count, len(pool)))

    def topics(self) -> tuple[Counter[str], Counter[str]]:
        """How many questions each document and each kind has."""
        bank = self.bank()
        return Counter(q.topic.document_id for q in bank), Counter(q.topic.kind for q in bank)

    def find(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.bank() if q.id == question_id), None)
