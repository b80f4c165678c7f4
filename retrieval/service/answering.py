"""Answering: checks a question, searches the live index, abstains or composes a cited answer.

The service is handed its components (settings, encoder, searcher); ``ask`` is safe to call
from worker threads, and a newer published index version is picked up between questions.
"""

from __future__ import annotations

import logging
import threading

from retrieval.answer.compose import abstain, compose, compose_more, refuse_missing
from retrieval.config import Settings
from retrieval.domain.models import (
    Answer,
    Document,
    DocumentMeta,
    Passage,
    QuestionProblem,
    SearchFilters,
)
from retrieval.domain.text import STOPWORDS, clean, fold, syllables
from retrieval.embedding.encoder import Encoder
from retrieval.search.searcher import Searcher, SearchResult

log = logging.getLogger(__name__)


class AnsweringService:
    """Loads the model and the live index once; every method is thread-safe."""

    def __init__(
        self,
        settings: Settings,
        encoder: Encoder | None = None,
        searcher: Searcher | None = None,
    ) -> None:
        self.settings = settings
        self.encoder = encoder or (searcher.encoder if searcher else Encoder(settings))
        self.searcher = searcher or Searcher(settings, self.encoder)
        self._reload_lock = threading.Lock()

    def check(self, question: str) -> QuestionProblem | None:
        """Why the question cannot be searched, or None."""
        text = clean(question)
        if not text:
            return QuestionProblem(code="empty")
        if len(text) > self.settings.max_question_chars:
            return QuestionProblem(
                code="too_long", length=len(text), limit=self.settings.max_question_chars
            )
        words = syllables(text)
        if not words:
            return QuestionProblem(code="no_words")
        if not any(
            fold(w) not in STOPWORDS and (len(w) > 1 or w.isdigit()) for w in words
        ):  # "b", "đ", "là gì?": nothing to look for
            return QuestionProblem(code="no_content")
        return None

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        lookahead: int = 0,
    ) -> Answer:
        """The answer from the ``k`` best passages; with ``lookahead``, that many more are
        looked at to count what "more results" could show (``Answer.further``)."""
        problem = self.check(question)
        if problem:
            return abstain(question, reason="invalid", problem=problem)
        result = self.searcher.search(clean(question), k=k, filters=filters, extra=lookahead)
        if (refusal := self._refusal(question, result)) is not None:
            return refusal
        answer = compose(result.query, result, self.searcher.idf, self.searcher.superseded)
        answer.question = question
        return answer

    def more(self, question: str, k: int, page: int, size: int) -> Answer:
        """Page ``page`` (1, 2 …) of the passages still about ``question`` that its answer
        (from ``k`` passages) did not cite, ``size`` a page."""
        problem = self.check(question)
        if problem:
            return abstain(question, reason="invalid", problem=problem)
        result = self.searcher.search(clean(question), k=k, extra=page * size + 1)
        if (refusal := self._refusal(question, result)) is not None:
            return refusal
        answer = compose_more(
            result.query, result, self.searcher.idf, page, size, self.searcher.superseded
        )
        answer.question = question
        return answer

    def _refusal(self, question: str, result: SearchResult) -> Answer | None:
        if not result.hits or result.confidence < self.settings.abstain_threshold:
            answer = abstain(question, reason="weak_evidence")
            answer.confidence = result.confidence
            answer.english = result.query.english
            return answer
        if result.evidence.missing:
            return refuse_missing(question, result.query, result, result.evidence.missing)
        return None

    def reload_if_changed(self) -> bool:
        """Switch to a newly published index version; True when it did. Questions in flight
        finish on the old version first."""
        with self._reload_lock:
            changed = self.searcher.reload_if_changed()
        if changed:
            log.info("Đã chuyển sang phiên bản chỉ mục %s", self.index_version())
        return changed

    def index_version(self) -> str:
        """The name of the index version being served."""
        return self.searcher.version.folder.name

    def documents(self) -> list[DocumentMeta]:
        """The documents that can be cited, oldest first (undated last)."""
        docs = list(self.searcher.documents.values())
        return sorted(docs, key=lambda d: (d.issued is None, d.issued or 0, d.title))

    def passages(self, ids: list[int]) -> list[tuple[Passage, DocumentMeta]]:
        """Passages of the live version by id, in the order given; missing ones skipped."""
        return self.searcher.passages(ids)

    def corpus(self) -> tuple[str, list[Document], list[Passage]]:
        """The served version's name, documents (with their bodies) and passages."""
        return self.searcher.corpus()
