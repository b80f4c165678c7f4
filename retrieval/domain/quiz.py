"""The quiz question model: what the bank holds, the bot sends and ``--dump-json`` prints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from retrieval.domain.models import PassageKind, PassageStatus
from retrieval.domain.text import utf16_len

#: Telegram's quiz-poll limits, in UTF-16 code units as Telegram counts them.
MAX_QUESTION = 300
MAX_OPTION = 100
MAX_EXPLANATION = 200
MIN_OPTIONS = 2
MAX_OPTIONS = 10

Origin = Literal["curated", "generated"]
Difficulty = Literal["dễ", "trung bình", "khó"]
#: How a question was made; it says how its answer is proved by the passage.
Style = Literal[
    "curated",
    "list_item",  # "Đâu là một trong 5 quan điểm …": the option is the item's opening words
    "list_order",  # "Giải pháp thứ ba là gì?": siblings of the same list as distractors
    "count",  # "… tập trung vào bao nhiêu nội dung?": the number stated in the passage
    "rank",  # "Năm 2019 … xếp thứ mấy?"
    "date",  # "… được ban hành ngày nào?" / "… có hiệu lực kể từ ngày nào?"
    "deadline",  # fill in the blank: "chậm nhất là ___ ngày làm việc"
    "definition",  # which defined term a definition belongs to
    "origin",  # which act a codified article comes from
    "section",  # which part of a document a statement sits in
    "document",  # which document a statement comes from
]


class QuizSource(BaseModel):
    """The passage that proves the answer, and the words of it that do."""

    model_config = ConfigDict(extra="forbid")

    document_id: str
    section: str
    passage: str = Field(min_length=1)
    #: The excerpt of ``passage`` (or of ``section`` for "section" questions) that proves it.
    quote: str = Field(min_length=1)
    ordinal: int = -1
    status: PassageStatus = "còn hiệu lực"


class QuizTopic(BaseModel):
    """What a question is about: a document and a kind of passage."""

    model_config = ConfigDict(extra="forbid")

    document_id: str
    kind: PassageKind


class QuizQuestion(BaseModel):
    """One multiple-choice question within Telegram's quiz-poll limits."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)
    question: str = Field(min_length=5, max_length=MAX_QUESTION)
    options: list[str] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    correct: int = Field(ge=0)
    explanation: str = Field(min_length=1, max_length=MAX_EXPLANATION)
    origin: Origin
    style: Style
    topic: QuizTopic
    difficulty: Difficulty
    source: QuizSource

    @model_validator(mode="after")
    def _options_fit(self) -> QuizQuestion:
        for text, limit in ((self.question, MAX_QUESTION), (self.explanation, MAX_EXPLANATION)):
            if utf16_len(text) > limit:
                raise ValueError(f"dài quá {limit} đơn vị UTF-16 (giới hạn của Telegram): {text!r}")
        for option in self.options:
            if not option.strip() or utf16_len(option) > MAX_OPTION:
                raise ValueError(f"phương án rỗng hoặc dài quá {MAX_OPTION} ký tự: {option!r}")
        folded = [" ".join(o.lower().split()) for o in self.options]
        if len(set(folded)) != len(folded):
            raise ValueError("các phương án bị trùng nhau")
        if self.correct >= len(self.options):
            raise ValueError(f"correct={self.correct} vượt quá số phương án ({len(self.options)})")
        return self

    @property
    def answer(self) -> str:
        return self.options[self.correct]

    @property
    def distractors(self) -> list[str]:
        return [o for i, o in enumerate(self.options) if i != self.correct]
