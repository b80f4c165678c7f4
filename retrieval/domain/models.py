"""Pydantic models at the seams: documents, passages, hits, answers and index builds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DocKind = Literal[
    "nghị quyết",
    "nghị định",
    "quyết định",
    "thông tư",
    "chỉ thị",
    "luật",
    "báo cáo",
    "kế hoạch",
    "công văn",
    "tin bài",
    "pháp điển",
    "khác",
]
DocStatus = Literal["còn hiệu lực", "hết hiệu lực", "bị thay thế"]
PassageKind = Literal[
    "quan_diem",
    "muc_tieu",
    "nhiem_vu",
    "giai_phap",
    "bai_hoc",
    "ket_qua",
    "han_che",
    "nguyen_nhan",
    "quy_dinh",
    "khac",
]
PassageStatus = Literal["còn hiệu lực", "được sửa đổi", "bị bãi bỏ"]


class DocumentMeta(BaseModel):
    """The front matter of a knowledge document."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)
    title: str = Field(min_length=3)
    kind: DocKind
    number: str | None = None
    issuer: str | None = None
    issued: dt.date | None = None
    effective: dt.date | None = None
    status: DocStatus = "còn hiệu lực"
    replaced_by: str | None = None
    status_note: str | None = None
    source: str | None = None
    summary: str = Field(min_length=3)
    note: str | None = None

    @field_validator("summary")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\n" in v.strip():
            raise ValueError("summary phải là một dòng")
        return v.strip()

    @property
    def in_force(self) -> bool:
        return self.status == "còn hiệu lực"


class Document(DocumentMeta):
    """A knowledge document: metadata plus its cleaned body text."""

    body: str = Field(min_length=1)


class Passage(BaseModel):
    """A retrievable piece of a document, with where it sits and what it is."""

    id: int = -1
    doc_id: str
    ordinal: int
    section: str
    kind: PassageKind
    text: str
    status: PassageStatus = "còn hiệu lực"
    status_note: str | None = None
    #: For a codified article, the provision it comes from ("Điều 29 Nghị định số 63/2010/NĐ-CP").
    origin: str | None = None
    #: The one sector a provision applies to ("Bộ Công Thương"); None when it applies to all.
    scope: str | None = None
    #: Page furniture: a byline, an attendance list, a photo caption. Never the answer's lead.
    boilerplate: bool = False
    content_hash: str = ""


@dataclass
class SearchFilters:
    kinds: set[str] | None = None
    doc_ids: set[str] | None = None
    years: set[int] | None = None

    def accepts(self, passage: Passage, doc: DocumentMeta) -> bool:
        if self.kinds and passage.kind not in self.kinds:
            return False
        if self.doc_ids and passage.doc_id not in self.doc_ids:
            return False
        if self.years and (doc.issued is None or doc.issued.year not in self.years):
            return False
        return True

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.doc_ids or self.years)


class Hit(BaseModel):
    """A passage found by search, with its document and the evidence for it."""

    passage: Passage
    document: DocumentMeta
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    dense_score: float | None = None
    #: Similarity of the passage's sentence closest to the question.
    sentence_score: float | None = None


class Snippet(BaseModel):
    """Words of a passage as the answer shows them: whole sentences (or clauses) verbatim,
    a gap between them marked "…", and the spans to set in bold (the figure asked for)."""

    text: str
    bold: list[tuple[int, int]] = []


NoteCode = Literal["repealed", "amended", "document_status", "sector", "changed"]


class Note(BaseModel):
    """What a reader must know beside the words quoted: the provision was repealed or
    amended, the document replaced, it applies to one sector only, or a later provision
    changed it in substance (``quote``: the later provision's words, ``citation``: its
    number in this answer)."""

    code: NoteCode
    detail: str | None = None
    quote: str | None = None
    citation: int | None = None
    #: For "changed": the words out of date and what replaced them.
    was: str | None = None
    now: str | None = None


class Citation(BaseModel):
    """A passage the answer rests on, numbered in reading order."""

    number: int
    hit: Hit
    #: The other passages of the same article (or section) that the answer quotes.
    more: list[Hit] = []
    #: The words shown from it (every snippet, in order).
    excerpt: list[str] = []
    notes: list[Note] = []


class Bullet(BaseModel):
    citation: int
    snippet: Snippet


class AnswerGroup(BaseModel):
    """Bullets that share a kind, shown under one heading."""

    kind: PassageKind
    bullets: list[Bullet]


class ListItem(BaseModel):
    label: str | None
    snippet: Snippet
    citation: int


class AnswerList(BaseModel):
    """A whole list from a document, in its order: the sentence that opens it, then every
    item, each with its citation."""

    head: Bullet | None = None
    items: list[ListItem]


class QuestionProblem(BaseModel):
    """Why a question cannot be searched: ``empty``, ``too_long`` (``length`` over ``limit``
    characters), ``no_words`` or ``no_content`` (only function words or single letters)."""

    code: Literal["empty", "too_long", "no_words", "no_content"]
    length: int = 0
    limit: int = 0


class MissingFact(BaseModel):
    """A fact the question names that the knowledge base does not hold."""

    what: Literal["document", "year", "place", "figure", "person", "procedure"]
    value: str = ""


class Answer(BaseModel):
    """An extractive, cited answer (a direct answer first, then a list or grouped evidence),
    or an honest refusal."""

    question: str
    abstained: bool
    #: The sentence that answers, verbatim, with its citation.
    lead: Bullet | None = None
    listing: AnswerList | None = None
    groups: list[AnswerGroup] = []
    citations: list[Citation] = []
    #: The question was in English; the sources are Vietnamese.
    english: bool = False
    #: Why it abstained: ``invalid`` (see ``problem``), ``weak_evidence`` or
    #: ``missing_fact`` (see ``missing``; ``related`` holds the closest passages, which are
    #: not the answer).
    reason: str | None = None
    problem: QuestionProblem | None = None
    missing: list[MissingFact] = []
    related: list[Citation] = []
    confidence: float = 0.0
    #: How many more passages found are still about the question (for "more results").
    further: int = 0

    @property
    def hits(self) -> list[Hit]:
        """The passages cited, in the order the reader meets them."""
        return [c.hit for c in self.citations]

    def citation(self, number: int) -> Citation | None:
        return next((c for c in self.citations if c.number == number), None)


class Plan(BaseModel):
    """What an index build will do, computed before anything is embedded or written."""

    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    #: (document id, id of the document that already has the same text)
    duplicates: list[tuple[str, str]] = []
    passages: int = 0
    to_embed: int = 0
    #: Sentences whose vectors are not known yet (each sentence of a passage has its own).
    sentences_to_embed: int = 0

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new or self.changed or self.removed)


class BuildReport(BaseModel):
    """What an index build did (or, for a dry run, would do)."""

    version: str | None
    #: False when the live version already held this corpus and nothing was written.
    published: bool = True
    plan: Plan
    documents: int
    passages: int
    embedded: int
    reused: int
    seconds: dict[str, float]
