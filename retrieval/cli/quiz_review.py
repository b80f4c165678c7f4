"""The review sheet of ``cchc quiz --review``: the bank as a CSV or Markdown sheet that a
reviewer reads and marks, and the marks read back for ``--apply-review``."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable

from retrieval.cli.errors import UsageError
from retrieval.domain.messages import QUIZ_REASONS
from retrieval.domain.quiz import QuizQuestion
from retrieval.service.quiz import BankReport, Mark, Review

KEEP_YES = {"có", "co", "c", "x", "yes", "y", "1", "giữ", "giu"}
KEEP_NO = {"không", "khong", "k", "no", "n", "0", "bỏ", "bo", "loại", "loai"}
#: The reason recorded when a reviewer drops a question without saying why.
NO_REASON = "người duyệt không giữ"
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
LETTERS = "ABCDEFGHIJ"


def sheet_rows(bank: Iterable[QuizQuestion], review: Review) -> list[dict[str, str]]:
    rows = []
    for q in bank:
        row = {
            "id": q.id,
            "văn bản": q.source.citation or q.source.document_id,
            "kiểu": q.style,
            "mức độ": q.difficulty,
            "câu hỏi": q.question,
            "đáp án": LETTERS[q.correct],
            "giải thích": q.explanation,
            "trích dẫn chứng minh": q.source.quote,
            "keep": "có" if q.origin == "curated" or review.allowed(q.id) else "",
            "ghi chú": "",
        }
        for i, option in enumerate(q.options[:4]):
            row[LETTERS[i]] = option
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
        lines += [f"## {n}. `{q.id}` — {row['kiểu']}, {row['mức độ']}, {row['văn bản']}", ""]
        lines += [q.question, ""]
        for i, option in enumerate(q.options):
            mark = ("**", "** ✔") if i == q.correct else ("", "")
            lines.append(f"- {mark[0]}{LETTERS[i]}. {option}{mark[1]}")
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


def read_sheet(text: str) -> list[Mark]:
    """The decision of each marked row of a CSV sheet."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "id" not in reader.fieldnames or "keep" not in reader.fieldnames:
        raise UsageError("phiếu duyệt phải có cột id và keep")
    out = []
    for n, row in enumerate(reader, start=2):
        keep = (row.get("keep") or "").strip().lower()
        if not keep:
            continue
        if keep not in KEEP_YES | KEEP_NO:
            raise UsageError(
                f"dòng {n} ({row['id']}): keep phải là «có» hoặc «không», không phải «{keep}»"
            )
        note = (row.get("ghi chú") or "").strip()
        out.append(Mark(id=row["id"].strip(), keep=keep in KEEP_YES, note=note or NO_REASON))
    return out


def stats_text(report: BankReport) -> str:
    """Counts by style, difficulty and document, and what was left out and why."""
    counts = report.counts()
    lines = [
        f"Ngân hàng: {len(report.questions)} câu hỏi "
        f"({counts['curated']} biên soạn, {counts['generated']} tự sinh)"
    ]
    for name, key in (
        ("Kiểu", lambda q: q.style),
        ("Mức độ", lambda q: q.difficulty),
        ("Văn bản", lambda q: q.source.document_id),
    ):
        by = Counter(key(q) for q in report.questions)
        lines.append(f"{name}: " + ", ".join(f"{k} {v}" for k, v in by.most_common()))
    lines.append(f"Câu tự sinh đã dựng: {report.drafts}")
    lines.append(f"Câu bị loại: {len(report.rejected)}")
    for code, n in report.by_reason().most_common():
        lines.append(f"  {n:3d}  {QUIZ_REASONS.get(code, code)}")
    lines.append(f"Câu người duyệt đã loại, không sinh lại: {report.refused}")
    lines.append("Ứng viên bộ sinh bỏ qua:")
    for code, n in report.skipped.most_common():
        lines.append(f"  {n:3d}  {QUIZ_REASONS.get(code, code)}")
    turned = ", ".join(f"{k} {v}" for k, v in report.turned_away.most_common()) or "0"
    lines.append(f"Phương án nhiễu bị gạt vì trùng ý: {turned}")
    return "\n".join(lines)
