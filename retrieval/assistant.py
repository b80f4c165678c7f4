"""The assistant: validates a question, searches, abstains or builds the cited answer."""

from __future__ import annotations

import logging
import threading

from retrieval.answer import abstain, build_answer
from retrieval.embedding import Encoder
from retrieval.models import Answer
from retrieval.search import Searcher, SearchFilters
from retrieval.settings import Settings
from retrieval.text import clean, syllables

log = logging.getLogger(__name__)


class Assistant:
    """Loads the model and the live index once; ``ask`` is safe to call from worker threads."""

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self.encoder = encoder or Encoder(settings)
        self.searcher = Searcher(settings, self.encoder)
        self._reload_lock = threading.Lock()

    def check_question(self, question: str) -> str | None:
        """A Vietnamese message saying why the question cannot be searched, or None."""
        text = clean(question)
        if not text:
            return "Câu hỏi đang trống. Vui lòng nhập câu hỏi về cải cách hành chính."
        if len(text) > self.settings.max_question_chars:
            return (
                f"Câu hỏi quá dài ({len(text):,} ký tự). Vui lòng hỏi ngắn gọn, dưới "
                f"{self.settings.max_question_chars:,} ký tự.".replace(",", ".")
            )
        if not syllables(text):
            return (
                "Tôi chưa thấy chữ nào trong câu hỏi. Vui lòng hỏi bằng lời, ví dụ: "
                "“Bài học kinh nghiệm trong cải cách hành chính là gì?”"
            )
        return None

    def reload_if_changed(self) -> bool:
        with self._reload_lock:
            changed = self.searcher.reload_if_changed()
        if changed:
            log.info("Đã chuyển sang phiên bản chỉ mục %s", self.searcher.version.folder.name)
        return changed

    def ask(
        self, question: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> Answer:
        problem = self.check_question(question)
        if problem:
            return abstain(question, reason="invalid", error=problem)
        text = clean(question)
        result = self.searcher.search(text, k=k, filters=filters)
        if not result.hits or result.confidence < self.settings.abstain_threshold:
            answer = abstain(question, reason="weak_evidence")
            answer.confidence = result.confidence
            return answer
        answer = build_answer(question, result.hits, result.confidence)
        return answer
