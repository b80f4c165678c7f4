"""Curated questions from ``knowledge/quiz/*.yaml``, validated, and tied to their passage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from retrieval.domain.errors import CuratedQuizError
from retrieval.domain.quiz import (
    MAX_EXPLANATION,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    Difficulty,
    QuizQuestion,
    QuizSource,
    QuizTopic,
)
from retrieval.domain.text import nfc
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.wording import occurs


class CuratedError(CuratedQuizError):
    """A curated question that cannot be used; ``problem`` names the file and the item."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem=problem)


class CuratedSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: str
    #: Words of the passage that prove the answer, copied from it.
    quote: str = Field(min_length=10)
    #: Optional: part of the section path, when the quote occurs in several passages.
    section: str | None = None


class CuratedItem(BaseModel):
    """One question as written in YAML."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    question: str = Field(min_length=5, max_length=MAX_QUESTION)
    options: list[str] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    correct: int = Field(ge=0)
    explanation: str = Field(min_length=1, max_length=MAX_EXPLANATION)
    difficulty: Difficulty = "trung bình"
    source: CuratedSource

    @model_validator(mode="after")
    def _options_fit(self) -> CuratedItem:
        for option in self.options:
            if not option.strip() or len(option) > MAX_OPTION:
                raise ValueError(f"phương án rỗng hoặc dài quá {MAX_OPTION} ký tự: {option!r}")
        if len({" ".join(o.lower().split()) for o in self.options}) != len(self.options):
            raise ValueError("các phương án bị trùng nhau")
        if self.correct >= len(self.options):
            raise ValueError(f"correct={self.correct} vượt quá số phương án ({len(self.options)})")
        return self


@dataclass(frozen=True)
class CuratedEntry:
    """A validated item and where it was written."""

    item: CuratedItem
    file: Path
    position: int  # 1-based, in its file

    @property
    def name(self) -> str:
        return f"{self.file}: câu {self.position} ({self.item.id})"


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(x) for x in e['loc']) or 'câu hỏi'}: {e['msg']}" for e in exc.errors()
    )


def load_file(path: Path) -> list[CuratedEntry]:
    """The items of one YAML file (a list of questions)."""
    try:
        data = yaml.safe_load(nfc(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise CuratedError(f"{path}: YAML không đọc được ({exc})") from exc
    if not isinstance(data, list):
        raise CuratedError(f"{path}: tệp phải là một danh sách câu hỏi")
    entries: list[CuratedEntry] = []
    for i, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            raise CuratedError(f"{path}: câu {i}: phải là một bảng khóa: giá trị")
        label = raw.get("id", "không có mã")
        try:
            entries.append(CuratedEntry(CuratedItem(**raw), path, i))
        except ValidationError as exc:
            raise CuratedError(f"{path}: câu {i} ({label}): {_describe(exc)}") from exc
    return entries


def load_curated(directory: Path) -> list[CuratedEntry]:
    """Every ``*.yaml`` file in ``directory`` (none when it does not exist); ids are unique."""
    if not directory.is_dir():
        return []
    entries = [e for path in sorted(directory.glob("*.yaml")) for e in load_file(path)]
    seen: dict[str, CuratedEntry] = {}
    for e in entries:
        if e.item.id in seen:
            raise CuratedError(f"{e.name}: mã câu hỏi trùng với {seen[e.item.id].name}")
        seen[e.item.id] = e
    return entries


def resolve(entry: CuratedEntry, corpus: Corpus) -> QuizQuestion:
    """The question with its source passage found by the quote; errors name file and item."""
    item, src = entry.item, entry.item.source
    if src.document_id not in corpus.docs:
        raise CuratedError(f"{entry.name}: không có văn bản {src.document_id}")
    matches = [
        p
        for p in corpus.passages
        if p.doc_id == src.document_id
        and occurs(src.quote, p.text)
        and (src.section is None or src.section in p.section)
    ]
    if not matches:
        raise CuratedError(f"{entry.name}: trích dẫn không có trong văn bản {src.document_id}")
    passage = next((p for p in matches if corpus.usable(p)), None)
    if passage is None:
        raise CuratedError(f"{entry.name}: đoạn nguồn đã bị bãi bỏ, không dùng làm đáp án")
    return QuizQuestion(
        id=f"c-{item.id}",
        question=item.question,
        options=item.options,
        correct=item.correct,
        explanation=item.explanation,
        origin="curated",
        style="curated",
        topic=QuizTopic(document_id=passage.doc_id, kind=passage.kind),
        difficulty=item.difficulty,
        source=QuizSource(
            document_id=passage.doc_id,
            section=passage.section,
            passage=passage.text,
            quote=src.quote,
            ordinal=passage.ordinal,
            status=passage.status,
        ),
    )
