"""The reviewer's decisions (``knowledge/quiz/review.yaml``), honoured at every regeneration (the
sheet a reviewer reads and marks is the terminal's: ``retrieval.cli.quiz_review``).

``deny`` removes a generated question, by id or by the statement it rests on (a document and a
quote), with the reviewer's reason. ``allow`` lists the generated questions a reviewer read and
kept: when a generator has a choice (which item to ask about), it makes the allowed one first,
so that a kept question does not give way to a new one when the bank is regenerated.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval.domain.quiz import QuizQuestion
from retrieval.quiz.errors import CuratedError, read_yaml
from retrieval.quiz.wording import occurs

REVIEW_FILE = "review.yaml"


class ReviewError(CuratedError):
    """A review file or sheet that cannot be used."""


class Denial(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    document_id: str | None = None
    #: Words of the statement never to ask about (with ``document_id``).
    quote: str | None = Field(None, min_length=10)
    reason: str = Field(min_length=3)


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow: list[str] = []
    deny: list[Denial] = []

    def refusal(self, question_id: str, document_id: str, quote: str) -> str | None:
        """The reviewer's reason never to ask this question, or about this statement."""
        for d in self.deny:
            if d.id and d.id == question_id:
                return d.reason
            if (
                d.quote
                and d.document_id == document_id
                and (occurs(d.quote, quote) or occurs(quote, d.quote))
            ):
                return d.reason
        return None

    def denial(self, q: QuizQuestion) -> str | None:
        """The reviewer's reason to leave ``q`` out, or None."""
        return self.refusal(q.id, q.source.document_id, q.source.quote)

    def allowed(self, question_id: str) -> bool:
        return question_id in set(self.allow)


def load_review(directory: Path) -> Review:
    path = directory / REVIEW_FILE
    if not path.is_file():
        return Review()
    try:
        return Review.model_validate(read_yaml(path, ReviewError) or {})
    except ValidationError as exc:
        raise ReviewError(f"{path}: {exc}") from exc


class Mark(BaseModel):
    """A reviewer's decision on one question: keep it or not, and why (the reason recorded
    when it is dropped)."""

    id: str
    keep: bool
    note: str = Field(min_length=3)


def apply_marks(review: Review, marks: Iterable[Mark]) -> tuple[Review, int, int]:
    """The review with the decisions on generated questions merged in; how many were newly
    kept and newly dropped. Curated questions are edited in their own files."""
    allow = list(review.allow)
    deny = list(review.deny)
    kept = dropped = 0
    for mark in marks:
        if not mark.id.startswith("g-"):
            continue
        if mark.keep and mark.id not in allow:
            allow.append(mark.id)
            deny = [d for d in deny if d.id != mark.id]
            kept += 1
        elif not mark.keep and not any(d.id == mark.id for d in deny):
            deny.append(Denial(id=mark.id, reason=mark.note))
            allow = [a for a in allow if a != mark.id]
            dropped += 1
    return Review(allow=allow, deny=deny), kept, dropped


def dump_review(review: Review) -> str:
    head = (
        "# Quyết định của người duyệt ngân hàng câu hỏi; giữ nguyên khi sinh lại ngân hàng.\n"
        "# allow: câu tự sinh đã đọc và giữ. deny: câu bỏ (theo id, hoặc theo câu nguồn:\n"
        "# document_id + quote), kèm lý do. Cập nhật bằng `cchc quiz --apply-review PHIẾU.csv`.\n"
    )
    data = review.model_dump(exclude_none=True)
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
