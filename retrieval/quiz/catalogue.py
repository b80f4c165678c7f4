"""Curated knowledge the generators use (``knowledge/quiz/``): the lists of each document with a
short label for every item, and how questions name each document.

A list item's label is what a learner reads as an option: the substance of the item in a few
words, written once by a person, so that options are never cut and never copied sentences.
Its quote is the source's own words, which prove it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from retrieval.domain.quiz import MAX_OPTION, MAX_QUESTION, Difficulty
from retrieval.quiz.errors import CuratedError, read_yaml

LISTS_FILE = "lists.yaml"
SOURCES_FILE = "sources.yaml"
ListStyle = Literal["list_item", "not_in_list", "true_false"]


class CatalogueError(CuratedError):
    """A curated file that cannot be used; the message names the file and the entry."""


class ListItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The source's words that make this an item of the list (occur in one passage).
    quote: str = Field(min_length=3)
    #: The item as an option: its substance, whole, within a poll option.
    label: str = Field(min_length=3, max_length=MAX_OPTION)
    #: Other names of the same thing that the model cannot see are the same ("Hiện đại hóa
    #: hành chính" for "Chính phủ điện tử"): never offered as wrong beside this list.
    aliases: list[str] = []


class ItemList(BaseModel):
    """One enumeration of a document ("5 quan điểm", "6 nội dung", "Điều 18: trách nhiệm")."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    document_id: str
    #: A Pháp điển article code ("44.5.NĐ.18"): its act and article fill {citation}.
    article: str | None = None
    #: What an item is, for explanations: "quan điểm cải cách hành chính giai đoạn 2021 - 2030".
    name: str
    #: The same, briefly, for explanations: "quan điểm", "giải pháp" (``name`` when not given).
    short: str | None = None
    #: Stems; {citation} is "Điều 18 Nghị định 63/2010/NĐ-CP" for a legal list.
    member: str | None = Field(None, max_length=MAX_QUESTION - 20)
    not_member: str | None = Field(None, max_length=MAX_QUESTION - 20)
    #: A true/false question reads "«label» là {statement}."
    statement: str | None = None
    #: "cause_effect" for causes and effects of the same report: the style of its questions.
    style: Literal["list_item", "cause_effect"] = "list_item"
    #: The register of its items ("định hướng", "hạn chế", "việc làm"…): wrong options come
    #: only from lists of the same register, so that the key does not stand out by its tone.
    tone: str = Field("định hướng", alias="register")
    #: Lists of the same document whose items are the first choice of wrong options.
    siblings: list[str] = []
    #: At most this many questions of each kind from this list.
    ask: dict[ListStyle, int] = {}
    difficulty: dict[ListStyle, Difficulty] = {}
    #: Only a set of correct statements to check others against: no question of its own.
    check_only: bool = False
    items: list[ListItem] = Field(min_length=2)
    #: Statements written by hand that are certainly not items of the list.
    wrong: list[str] = []

    @model_validator(mode="after")
    def _stems(self) -> ItemList:
        needs = {"list_item": self.member, "not_in_list": self.not_member}
        for style, stem in needs.items():
            if self.ask.get(style, 0) and not stem:
                raise ValueError(f"ask.{style} > 0 nhưng thiếu câu hỏi mẫu")
        if self.ask.get("true_false", 0) and not self.statement:
            raise ValueError("ask.true_false > 0 nhưng thiếu statement")
        return self

    def cap(self, style: ListStyle) -> int:
        return 0 if self.check_only else self.ask.get(style, 0)

    def level(self, style: ListStyle) -> Difficulty:
        return self.difficulty.get(style, "hiểu" if style != "list_item" else "nhớ")


class SourceName(BaseModel):
    """How questions name a document."""

    model_config = ConfigDict(extra="forbid")

    ref: str  # in a stem: "Theo {ref}, …"
    short: str = Field(max_length=60)  # in an explanation
    note: str | None = Field(None, max_length=70)  # what has changed since (merged, renamed)


def load_lists(directory: Path) -> list[ItemList]:
    path = directory / LISTS_FILE
    if not path.is_file():
        return []
    data = read_yaml(path, CatalogueError, list)
    assert isinstance(data, list)
    out: list[ItemList] = []
    for i, raw in enumerate(data, start=1):
        try:
            out.append(ItemList.model_validate(raw))
        except ValidationError as exc:
            label = raw.get("id", "?") if isinstance(raw, dict) else "?"
            raise CatalogueError(f"{path}: mục {i} ({label}): {exc.errors()[0]['msg']}") from exc
    ids = [lst.id for lst in out]
    if len(ids) != len(set(ids)):
        raise CatalogueError(f"{path}: mã danh sách trùng nhau")
    return out


def load_sources(directory: Path) -> dict[str, SourceName]:
    path = directory / SOURCES_FILE
    if not path.is_file():
        return {}
    data = read_yaml(path, CatalogueError, dict)
    assert isinstance(data, dict)
    try:
        return {k: SourceName.model_validate(v) for k, v in data.items()}
    except ValidationError as exc:
        raise CatalogueError(f"{path}: {exc.errors()[0]['msg']}") from exc
