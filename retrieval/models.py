"""Pydantic models at the seams: documents, passages, hits and answers."""

from __future__ import annotations

import datetime as dt
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

KIND_LABELS: dict[str, str] = {
    "quan_diem": "Quan điểm",
    "muc_tieu": "Mục tiêu",
    "nhiem_vu": "Nhiệm vụ",
    "giai_phap": "Giải pháp",
    "bai_hoc": "Bài học kinh nghiệm",
    "ket_qua": "Kết quả",
    "han_che": "Hạn chế",
    "nguyen_nhan": "Nguyên nhân",
    "quy_dinh": "Quy định",
    "khac": "Thông tin khác",
}


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
    content_hash: str = ""


class Hit(BaseModel):
    """A passage found by search, with its document and the evidence for it."""

    passage: Passage
    document: DocumentMeta
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    dense_score: float | None = None


class Citation(BaseModel):
    number: int
    hit: Hit
    excerpt: list[str]
    warning: str | None = None


class Answer(BaseModel):
    """An extractive, cited answer, or an honest abstention."""

    question: str
    abstained: bool
    citations: list[Citation] = []
    reason: str | None = None
    error: str | None = None
    confidence: float = 0.0

    @property
    def hits(self) -> list[Hit]:
        return [c.hit for c in self.citations]
