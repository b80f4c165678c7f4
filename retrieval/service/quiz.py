"""The quiz bank over the documents being served: curated questions and scenarios
(``knowledge/quiz``) and questions generated from the live index version, built once per
version; and the reviewer's decisions on it (``knowledge/quiz/review.yaml``).

The bot and the terminal see the same bank, including the documents that admins added. Wrong
options are checked with the project's own embedding model: the bot hands in the encoder it
answers with, a one-shot command loads it only when a statement's vector is not cached yet.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from retrieval.atomic import write_text_atomically
from retrieval.config import Settings
from retrieval.domain.models import Document, Passage
from retrieval.domain.quiz import QuizQuestion
from retrieval.embedding.encoder import LazyEncoder
from retrieval.index.versions import IndexVersion
from retrieval.quiz.bank import BankReport, build_report, dump_json_lines
from retrieval.quiz.curated import CuratedError, load_curated
from retrieval.quiz.review import REVIEW_FILE, Mark, Review, apply_marks, dump_review, load_review
from retrieval.quiz.similarity import CACHE_FILE, Embedder, Similarity
from retrieval.quiz.topics import filter_topic
from retrieval.quiz.trainer_set import QuestionSet, SetProblem, read_question_set, set_name

log = logging.getLogger(__name__)

__all__ = [
    "BankReport",
    "Mark",
    "QuestionSet",
    "QuizService",
    "Review",
    "SetProblem",
    "TopicCounts",
    "dump_json_lines",
    "read_question_set",
    "set_name",
]


@dataclass(frozen=True)
class TopicCounts:
    """How many questions of the bank each topic has (see ``retrieval.quiz.topics``)."""

    documents: Counter[str]
    kinds: Counter[str]
    levels: Counter[str]
    styles: Counter[str]


#: (version name, documents with bodies, passages) of the index being served.
CorpusSource = Callable[[], tuple[str, list[Document], list[Passage]]]


def similarity_for(settings: Settings, encoder: Embedder | None) -> Similarity:
    """The restatement check over ``encoder``, its vectors kept in the data dir."""
    key = f"{settings.index_model_name()} passage"
    return Similarity(encoder, cache_path=settings.data_dir / CACHE_FILE, key=key)


class QuizService:
    """``version`` names the index version served (cheap, asked on every call); ``corpus``
    reads it (only when that name changes). ``encoder`` checks the wrong options (without
    one, generated list questions are left out)."""

    def __init__(
        self,
        settings: Settings,
        version: Callable[[], str],
        corpus: CorpusSource,
        encoder: Embedder | None = None,
    ):
        self.settings = settings
        self._version = version
        self._corpus = corpus
        self._similarity = similarity_for(settings, encoder)
        self._lock = threading.Lock()
        self._built: tuple[str, BankReport] | None = None

    @classmethod
    def from_index(cls, settings: Settings) -> QuizService:
        """For a one-shot command: reads the live version once; the model is loaded only if
        a statement to check has no cached vector."""
        version = IndexVersion.open_current(settings)
        try:
            name, (documents, passages) = version.folder.name, version.corpus()
        finally:
            version.close()
        return cls(
            settings,
            lambda: name,
            lambda: (name, documents, passages),
            encoder=LazyEncoder(settings),
        )

    @property
    def quiz_dir(self):
        return self.settings.knowledge_dir / "quiz"

    def report(self, strict: bool = False) -> BankReport:
        """The bank and what was rejected. A curated question that lost its passage raises
        ``CuratedError`` when ``strict``; otherwise the curated files are skipped, logged."""
        with self._lock:
            if self._built is not None and self._built[0] == self._version():
                return self._built[1]
            name, documents, passages = self._corpus()
            try:
                curated = load_curated(self.quiz_dir)
                report = build_report(documents, passages, curated, similarity=self._similarity)
            except CuratedError:
                if strict:
                    raise
                log.warning("Bỏ qua câu hỏi soạn sẵn không hợp lệ", exc_info=True)
                report = build_report(documents, passages, similarity=self._similarity)
            self._built = (name, report)
            return report

    def bank(self) -> list[QuizQuestion]:
        return self.report().questions

    def pool(self, topic: str | None) -> list[QuizQuestion]:
        """The questions of ``topic`` (every question when None)."""
        return filter_topic(self.bank(), topic)

    def choose(self, topic: str | None, count: int, rng: random.Random) -> list[QuizQuestion]:
        """``count`` random questions of ``topic`` (any topic when None); [] when none fit."""
        pool = self.pool(topic)
        return rng.sample(pool, min(count, len(pool)))

    def topics(self) -> TopicCounts:
        """How many questions each document, kind, level and kind of question has."""
        bank = self.bank()
        return TopicCounts(
            documents=Counter(q.topic.document_id for q in bank),
            kinds=Counter(q.topic.kind for q in bank),
            levels=Counter(q.difficulty for q in bank),
            styles=Counter(q.style for q in bank),
        )

    def find(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.bank() if q.id == question_id), None)

    # -- the reviewer's decisions -------------------------------------------------------------
    def review(self) -> Review:
        return load_review(self.quiz_dir)

    def apply_review(self, marks: Iterable[Mark]) -> tuple[int, int]:
        """Record the decisions in ``review.yaml``; how many were newly kept and dropped.
        The next build honours them."""
        review, kept, dropped = apply_marks(self.review(), marks)
        write_text_atomically(self.quiz_dir / REVIEW_FILE, dump_review(review))
        with self._lock:
            self._built = None
        return kept, dropped
