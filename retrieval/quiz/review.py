"""The reviewer's decisions (``knowledge/quiz/review.yaml``), honoured at every regeneration, and
the review sheet a trainer reads and marks.

``deny`` removes a generated question, by id or by the statement it rests on (a document and a
quote), with the reviewer's reason. ``allow`` lists the generated questions a reviewer read and
kept: when a generator has a choice (which item to ask about), it makes the allowed one first,
so that a kept question does not give way to a new one when the bank is regenerated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval.quiz.errors import CuratedError, read_yaml
from retrieval.quiz.models import QuizQuestion
from retrieval.quiz.wording import occurs

REVIEW_FILE = "review.yaml"
KEEP_YES = {"có", "co", "c", "x", "yes", "y", "1", "giữ", "giu"}
KEEP_NO = {"không", "khong", "k", "no", "n", "0", "bỏ", "bo", "loại", "loai"}
SHEET_COLUMNS = [
    "id",
    "văn bản",
    "kiểu",
    "mức độ",
    "câu hỏi",
    "A",
    "B",
    "C",
    "D",
    "đáp án",
    "giải thích",
    "trích dẫn chứng minh",
    "keep",
    "ghi chú",
]


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


def _letter(i: int) -> str:
    return "ABCDEFGHIJ"[i]


def sheet_rows(bank: Iterable[QuizQuestion], review: Review) -> list[dict[str, str]]:
    rows = []
    for q in bank:
        row = {
            "id": q.id,
            "văn bản": q.source.citation or q.source.document_id,
            "kiểu": q.style,
            "mức độ": q.difficulty,
            "câu hỏi": q.question,
            "đáp án": _letter(q.correct),
            "giải thích": q.explanation,
            "trích dẫn chứng minh": q.source.quote,
            "keep": "có" if q.origin == "curated" or review.allowed(q.id) else "",
            "ghi chú": "",
        }
        for i, option in enumerate(q.options[:4]):
            row[_letter(i)] = option
        rows.append(row)
    return rows


def write_sheet(bank: list[QuizQuestion], review: Review, fmt: str) -> str:
    """The bank as a sheet to read and mark: CSV (with BOM, for spreadsheets) or Markdown."""
    rows = sheet_rows(bank, review)
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.DictWriter(out, fieldnames=SHEET_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    lines = [
        "# Ngân hàng câu hỏi — phiếu duyệt",
        "",
        "Ghi «có» hoặc «không» vào dòng **keep** của từng câu, lý do vào **ghi chú**.",
        "",
    ]
    for n, (q, row) in enumerate(zip(bank, rows, strict=True), start=1):
        lines += [
            f"## {n}. `{q.id}` — {row['kiểu']}, {row['mức độ']}, {row['văn bản']}",
            "",
            q.question,
            "",
        ]
        lines += [
            f"- {'**' if i == q.correct else ''}{_letter(i)}. {o}{'** ✔' if i == q.correct else ''}"
            for i, o in enumerate(q.options)
        ]
        lines += [
            "",
            f"> Giải thích: {q.explanation}",
            f"> Chứng minh: «{q.source.quote}»",
            "",
            f"keep: {row['keep']}",
            "ghi chú:",
            "",
        ]
    return "\n".join(lines)


def read_sheet(text: str) -> list[tuple[str, str, str]]:
    """(id, keep, note) of each marked row of a CSV sheet."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "id" not in reader.fieldnames or "keep" not in reader.fieldnames:
        raise ReviewError("phiếu duyệt phải có cột id và keep")
    out = []
    for row in reader:
        keep = (row.get("keep") or "").strip().lower()
        if keep:
            out.append((row["id"].strip(), keep, (row.get("ghi chú") or "").strip()))
    return out


def apply_sheet(review: Review, marks: list[tuple[str, str, str]]) -> tuple[Review, int, int]:
    """The review with the sheet's decisions on generated questions merged in."""
    allow = list(review.allow)
    deny = list(review.deny)
    kept = dropped = 0
    for qid, keep, note in marks:
        if not qid.startswith("g-"):
            continue  # curated questions are edited in their own file
        if keep in KEEP_YES and qid not in allow:
            allow.append(qid)
            kept += 1
        elif keep in KEEP_NO and not any(d.id == qid for d in deny):
            deny.append(Denial(id=qid, reason=note or "người duyệt không giữ"))
            allow = [a for a in allow if a != qid]
            dropped += 1
        elif keep not in KEEP_YES | KEEP_NO:
            raise ReviewError(f"{qid}: keep phải là «có» hoặc «không», không phải «{keep}»")
    return Review(allow=allow, deny=deny), kept, dropped


def dump_review(review: Review) -> str:
    head = (
        "# Quyết định của người duyệt ngân hàng câu hỏi; giữ nguyên khi sinh lại ngân hàng.\n"
        "# allow: câu tự sinh đã đọc và giữ. deny: câu bỏ (theo id, hoặc theo câu nguồn:\n"
        "# document_id + quote), kèm lý do. Cập nhật bằng `cchc quiz --apply-review PHIẾU.csv`.\n"
    )
    data = review.model_dump(exclude_none=True)
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
