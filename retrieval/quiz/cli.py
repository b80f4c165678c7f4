"""The ``cchc quiz`` subcommand: practise in the terminal, print the bank as JSON lines, write
it as a review sheet, merge a marked sheet back into ``knowledge/quiz/review.yaml``, or say
what the bank holds and what it left out."""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from retrieval.atomic import write_text_atomically
from retrieval.documents import DocumentError
from retrieval.quiz.bank import REASONS_BANK, BankReport, dump_json_lines, load_bank
from retrieval.quiz.curated import CuratedError
from retrieval.quiz.practice import run_practice
from retrieval.quiz.review import (
    REVIEW_FILE,
    ReviewError,
    apply_sheet,
    dump_review,
    load_review,
    read_sheet,
    write_sheet,
)
from retrieval.quiz.similarity import CACHE_FILE
from retrieval.settings import Settings


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_text_atomically(out, text)
        print(f"Đã ghi {out}", file=sys.stderr)


def stats_text(report: BankReport) -> str:
    """Counts by style, difficulty and document, and what was left out and why."""
    lines = [f"Ngân hàng: {len(report.questions)} câu hỏi ({dict(report.counts())})"]
    for name, key in (
        ("Kiểu", lambda q: q.style),
        ("Mức độ", lambda q: q.difficulty),
        ("Văn bản", lambda q: q.source.document_id),
    ):
        counts = Counter(key(q) for q in report.questions)
        lines.append(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    lines.append(f"Câu tự sinh đã dựng: {report.drafts}")
    lines.append(f"Câu bị loại: {len(report.rejected)}")
    for code, n in report.by_reason().most_common():
        lines.append(f"  {n:3d}  {REASONS_BANK.get(code, code)}")
    lines.append(f"Câu người duyệt đã loại, không sinh lại: {report.refused}")
    lines.append("Ứng viên bộ sinh bỏ qua:")
    for code, n in report.skipped.most_common():
        lines.append(f"  {n:3d}  {REASONS_BANK.get(code, code)}")
    turned = ", ".join(f"{k} {v}" for k, v in report.turned_away.most_common()) or "0"
    lines.append(f"Phương án nhiễu bị gạt vì trùng ý: {turned}")
    return "\n".join(lines)


def cmd_quiz(args: argparse.Namespace, settings: Settings) -> int:
    """``cchc quiz [--dump-json | --review | --stats | --apply-review SHEET] [-n N] [--topic]``."""
    if args.n < 1:
        print("cchc: -n phải là số câu hỏi dương", file=sys.stderr)
        return 2
    quiz_dir = settings.knowledge_dir / "quiz"
    if args.apply_review:
        try:
            review = load_review(quiz_dir)
            marks = read_sheet(Path(args.apply_review).read_text(encoding="utf-8"))
            review, kept, dropped = apply_sheet(review, marks)
        except (OSError, ReviewError) as exc:
            print(f"cchc: {exc}", file=sys.stderr)
            return 1
        write_text_atomically(quiz_dir / REVIEW_FILE, dump_review(review))
        print(f"Đã ghi {quiz_dir / REVIEW_FILE}: giữ thêm {kept} câu, loại thêm {dropped} câu.")
        return 0
    try:
        report = load_bank(settings.knowledge_dir, cache_path=settings.data_dir / CACHE_FILE)
    except (CuratedError, DocumentError) as exc:
        print(f"cchc: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else None
    if args.dump_json:
        try:
            _emit("\n".join(dump_json_lines(report.questions)), out)
        except BrokenPipeError:  # `cchc quiz --dump-json | head`
            sys.stderr.close()
        return 0
    if args.review:
        fmt = args.format or ("csv" if out is not None and out.suffix == ".csv" else "md")
        review = load_review(quiz_dir)
        _emit(write_sheet(report.questions, review, fmt), out)
        return 0
    if args.stats:
        _emit(stats_text(report), out)
        return 0
    counts = report.counts()
    print(
        f"Ngân hàng có {len(report.questions)} câu hỏi ({counts['curated']} biên soạn, "
        f"{counts['generated']} tự sinh). Gõ q để dừng."
    )
    run_practice(report.questions, args.n, args.topic, input, print, random.Random())
    return 0


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``quiz`` to ``cchc``'s subcommands; the handler is ``args.func(args, settings)``."""
    quiz = subparsers.add_parser("quiz", help="luyện tập trắc nghiệm, hoặc in ngân hàng câu hỏi")
    what = quiz.add_mutually_exclusive_group()
    what.add_argument(
        "--dump-json", action="store_true", help="in toàn bộ ngân hàng, mỗi dòng một câu JSON"
    )
    what.add_argument(
        "--review",
        action="store_true",
        help="in ngân hàng thành phiếu duyệt (Markdown, hoặc CSV với --format csv / --out *.csv)",
    )
    what.add_argument(
        "--stats", action="store_true", help="số câu theo kiểu, mức độ, văn bản và lý do bị loại"
    )
    what.add_argument(
        "--apply-review",
        metavar="PHIẾU.csv",
        help="ghi quyết định «keep» của phiếu duyệt CSV vào knowledge/quiz/review.yaml",
    )
    quiz.add_argument("--out", help="ghi ra tệp thay vì in ra màn hình")
    quiz.add_argument("--format", choices=["csv", "md"], help="định dạng phiếu duyệt")
    quiz.add_argument("-n", type=int, default=10, help="số câu luyện tập (mặc định 10)")
    quiz.add_argument(
        "--topic",
        help="chủ đề: mã văn bản, loại nội dung hoặc kiểu câu, ví dụ giai_phap, scenario",
    )
    quiz.set_defaults(func=cmd_quiz)
    return quiz
