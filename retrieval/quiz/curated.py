"""Curated quiz material from ``knowledge/quiz/``: questions written by hand (any ``*.yaml`` but
the special files below), validated, and tied to their passage; plus the lists, names, legal
rules, scenario templates and review decisions the generators use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from retrieval.domain.quiz import (
    LEGACY_DIFFICULTY,
    MAX_EXPLANATION,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    Difficulty,
    QuizQuestion,
)
from retrieval.quiz.assemble import explain, shuffled, source_of, topic_of
from retrieval.quiz.catalogue import (
    LISTS_FILE,
    SOURCES_FILE,
    ItemList,
    SourceName,
    load_lists,
    load_sources,
)
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.errors import CuratedError, read_yaml
from retrieval.quiz.legal import LegalRules
from retrieval.quiz.review import REVIEW_FILE, Review, load_review
from retrieval.quiz.scenarios import SCENARIOS_FILE, Scenario, load_scenarios

LEGAL_FILE = "legal.yaml"
#: Files of ``knowledge/quiz/`` that are not lists of questions.
SPECIAL_FILES = {LISTS_FILE, SOURCES_FILE, LEGAL_FILE, REVIEW_FILE, SCENARIOS_FILE}

__all__ = ["CuratedEntry", "CuratedError", "CuratedItem", "CuratedSet", "load_curated", "resolve"]


class CuratedSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: str
    #: Words of the passage that prove the answer, copied from it.
    quote: str = Field(min_length=10)
    #: Optional: part of the section path, when the quote occurs in several passages.
    section: str | None = None
    #: Other statements of the document the question rests on (all the years it compares).
    also: list[str] = []


class CuratedItem(BaseModel):
    """One question as written in YAML."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    question: str = Field(min_length=5, max_length=MAX_QUESTION)
    options: list[str] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    correct: int = Field(ge=0)
    #: Written by hand, or left out: then the quote and where it is from.
    explanation: str | None = Field(None, min_length=1, max_length=MAX_EXPLANATION)
    difficulty: Difficulty = "hiểu"
    #: The kind of question, when it is one the generators also make ("cause_effect", …).
    style: str = "curated"
    #: A list of ``lists.yaml`` whose items the question asks about: every wrong option is
    #: then checked against every item of it.
    list_id: str | None = Field(None, alias="list")
    source: CuratedSource

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("difficulty") in LEGACY_DIFFICULTY:
            data = {**data, "difficulty": LEGACY_DIFFICULTY[data["difficulty"]]}
        return data

    @model_validator(mode="after")
    def _options_fit(self) -> CuratedItem:
        for option in self.options:
            if not option.strip() or len(option) > MAX_OPTION:
                raise ValueError(f"phương án rỗng hoặc dài quá {MAX_OPTION} ký tự: {option!r}")
        if len({" ".join(o.lower().split()) for o in self.options}) != len(self.options):
            raise ValueError("các phương án bị trùng nhau")
        if self.correct >= len(self.options):
            raise ValueError(f"correct={self.correct} vượt quá số phương án ({len(self.options)})")
        if self.style not in {
            "curated",
            "cause_effect",
            "count",
            "not_in_list",
            "list_item",
            "true_false",
        }:
            raise ValueError(f"style «{self.style}» không dùng cho câu biên soạn")
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


@dataclass
class CuratedSet:
    """Everything curated in a ``knowledge/quiz`` folder. Iterating gives the questions."""

    questions: list[CuratedEntry] = field(default_factory=list)
    lists: list[ItemList] = field(default_factory=list)
    sources: dict[str, SourceName] = field(default_factory=dict)
    rules: LegalRules = field(default_factory=LegalRules)
    scenarios: list[Scenario] = field(default_factory=list)
    review: Review = field(default_factory=Review)

    def __iter__(self) -> Iterator[CuratedEntry]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(x) for x in e['loc']) or 'câu hỏi'}: {e['msg']}" for e in exc.errors()
    )


def load_file(path: Path) -> list[CuratedEntry]:
    """The items of one YAML file (a list of questions)."""
    data = read_yaml(path, CuratedError, list)
    assert isinstance(data, list)
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


def _load_rules(directory: Path) -> LegalRules:
    path = directory / LEGAL_FILE
    if not path.is_file():
        return LegalRules()
    try:
        return LegalRules.model_validate(read_yaml(path) or {})
    except ValidationError as exc:
        raise CuratedError(f"{path}: {exc}") from exc


def load_curated(directory: Path) -> CuratedSet:
    """Every curated file of ``directory`` (nothing when it does not exist); ids are unique."""
    if not directory.is_dir():
        return CuratedSet()
    paths = [p for p in sorted(directory.glob("*.yaml")) if p.name not in SPECIAL_FILES]
    entries = [e for path in paths for e in load_file(path)]
    seen: dict[str, CuratedEntry] = {}
    for e in entries:
        if e.item.id in seen:
            raise CuratedError(f"{e.name}: mã câu hỏi trùng với {seen[e.item.id].name}")
        seen[e.item.id] = e
    return CuratedSet(
        questions=entries,
        lists=load_lists(directory),
        sources=load_sources(directory),
        rules=_load_rules(directory),
        scenarios=load_scenarios(directory),
        review=load_review(directory),
    )


def as_set(curated: CuratedSet | list[CuratedEntry] | None) -> CuratedSet:
    """What ``build_report`` accepts: a whole set, a bare list of questions, or nothing."""
    if curated is None:
        return CuratedSet()
    if isinstance(curated, CuratedSet):
        return curated
    return CuratedSet(questions=list(curated))


def _explanation(entry: CuratedEntry, corpus: Corpus, passage, quote: str) -> str:
    """The item's explanation, or one made from its quote; with the document's time note."""
    item = entry.item
    key = item.options[item.correct]
    shows_key = item.style not in ("true_false", "not_in_list")  # else the key is not quoted
    text = item.explanation or explain(corpus, passage, quote, key if shows_key else quote)
    note = corpus.note(passage.doc_id)
    if note and note not in text:
        text = f"{text.rstrip()} Lưu ý: {note}"
    if len(text) > MAX_EXPLANATION:
        raise CuratedError(
            f"{entry.name}: giải thích dài {len(text)} > {MAX_EXPLANATION} ký tự "
            f"(kể cả ghi chú «{note}»)"
        )
    return text


def resolve(
    entry: CuratedEntry, corpus: Corpus, lists: dict[str, list[str]] | None = None
) -> QuizQuestion:
    """The question with its source passage found by the quote; errors name file and item.
    ``lists`` gives the items of each curated list, for questions that name one."""
    item, src = entry.item, entry.item.source
    if src.document_id not in corpus.docs:
        raise CuratedError(f"{entry.name}: không có văn bản {src.document_id}")
    matches = corpus.find(src.document_id, src.quote, src.section)
    if not matches:
        raise CuratedError(f"{entry.name}: trích dẫn không có trong văn bản {src.document_id}")
    passage = next((p for p in matches if corpus.usable(p)), None)
    if passage is None:
        raise CuratedError(f"{entry.name}: đoạn nguồn đã bị bãi bỏ, không dùng làm đáp án")
    for other in src.also:
        if not corpus.find(src.document_id, other):
            raise CuratedError(f"{entry.name}: «{other}» không có trong văn bản {src.document_id}")
    items: list[str] = []
    if item.list_id:
        if lists is None or item.list_id not in lists:
            raise CuratedError(f"{entry.name}: không có danh sách {item.list_id}")
        items = lists[item.list_id]
    options, correct = shuffled(item.options, item.correct, item.id)
    return QuizQuestion(
        id=f"c-{item.id}",
        question=item.question,
        options=options,
        correct=correct,
        explanation=_explanation(entry, corpus, passage, src.quote),
        origin="curated",
        style=item.style,  # type: ignore[arg-type]  # checked by CuratedItem
        topic=topic_of(passage),
        difficulty=item.difficulty,
        source=source_of(passage, src.quote, corpus.citation(passage), items, src.also),
    )
