"""The quiz question model: what the bank holds, the bot sends and ``--dump-json`` prints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from retrieval.domain.models import PassageKind, PassageStatus
from retrieval.domain.text import utf16_len

#: Telegram's quiz-poll limits, in UTF-16 code units as Telegram counts them.
MAX_QUESTION = 300
MAX_OPTION = 100
MAX_EXPLANATION = 200
MIN_OPTIONS = 2
MAX_OPTIONS = 10


Origin = Literal["curated", "generated"]
#: The thinking a question asks for: recall the text, understand it, apply it to a case.
Difficulty = Literal["nhớ", "hiểu", "vận dụng"]
DIFFICULTIES: tuple[Difficulty, ...] = ("nhớ", "hiểu", "vận dụng")
#: Earlier banks (and sessions stored by the bot) used easy / medium / hard.
LEGACY_DIFFICULTY: dict[str, Difficulty] = {"dễ": "nhớ", "trung bình": "hiểu", "khó": "vận dụng"}

#: How a question was made; it says how its answer is proved by the passage.
Style = Literal[
    "curated",  # written by hand in knowledge/quiz/*.yaml
    "scenario",  # a situation, from a template in knowledge/quiz/scenarios.yaml, citing its article
    "list_item",  # "Đâu là một quan điểm …?": one member of a list among non-members
    "not_in_list",  # "Đâu KHÔNG phải là …?": three members and one non-member
    "true_false",  # "Đúng hay sai: «…» là một quan điểm …"
    "cause_effect",  # a cause among effects (or the reverse) of the same report
    "count",  # "… tập trung vào bao nhiêu nội dung?": the number stated in the passage
    "definition",  # which defined term a definition belongs to
    "deadline",  # a time limit of a provision, naming the act and the article
    # Retired generators, kept so that sessions stored by the bot still load:
    "rank",
    "list_order",
    "date",
    "origin",
    "section",
    "document",
]
#: The styles a generated question has when it asks about a list (its ``source.items``).
LIST_STYLES = frozenset({"list_item", "not_in_list", "true_false", "cause_effect"})


class QuizSource(BaseModel):
    """The passage that proves the answer, and the words of it that do."""

    model_config = ConfigDict(extra="forbid")

    document_id: str
    section: str
    passage: str = Field(min_length=1)
    #: The excerpt of ``passage`` that proves the answer.
    quote: str = Field(min_length=1)
    ordinal: int = -1
    status: PassageStatus = "còn hiệu lực"
    #: The act and article a legal question rests on: "Điều 20 Nghị định 63/2010/NĐ-CP".
    citation: str | None = None
    #: For a question on a list: every correct item of it (labels and quotes), against which
    #: each wrong statement was checked.
    items: list[str] = []
    #: Other statements of the same document that the question shows as true (the members
    #: offered in a "which is NOT" question); with ``quote`` they are what it rests on.
    also: list[str] = []


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

    @field_validator("difficulty", mode="before")
    @classmethod
    def _legacy_difficulty(cls, value: Any) -> Any:
        return LEGACY_DIFFICULTY.get(value, value) if isinstance(value, str) else value

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

    @property
    def wrong_statements(self) -> list[str]:
        """The options (or, for true/false, the statement) that the list does not hold: what
        must be far from every item of ``source.items``."""
        if self.style == "not_in_list":
            return [self.answer]
        if self.style == "true_false":
            return [] if self.answer == TRUE else [statement_of(self.question)]
        return self.distractors


TRUE, FALSE = "Đúng", "Sai"


def statement_of(question: str) -> str:
    """The statement between «» of a true/false question."""
    start, end = question.find("«"), question.rfind("»")
    return question[start + 1 : end] if 0 <= start < end else question
