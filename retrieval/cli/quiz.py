"""``cchc quiz``: practise in the terminal, print the bank as JSON lines, write it as a review
sheet, merge a marked sheet back into ``knowledge/quiz/review.yaml``, or say what the bank
holds and what it left out."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

from retrieval.cli import terminal, texts
from retrieval.cli.errors import EXIT_USAGE, UsageError
from retrieval.cli.practice import run_practice
from retrieval.cli.quiz_review import read_sheet, stats_text, write_sheet
from retrieval.config import Settings
from retrieval.service.quiz import QuizService, dump_json_lines


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")
        print(texts.QUIZ_WRITTEN.format(path=out), file=sys.stderr)


def _apply_review(path: Path, quiz: QuizService) -> int:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(texts.QUIZ_SHEET_UNREADABLE.format(path=path, cause=exc)) from exc
    kept, dropped = quiz.apply_review(read_sheet(text))
    print(texts.QUIZ_REVIEW_APPLIED.format(kept=kept, dropped=dropped))
    return 0


def cmd_quiz(args: argparse.Namespace, settings: Settings) -> int:
    """``cchc quiz [--dump-json | --review | --stats | --apply-review SHEET] [-n N] [--topic]``."""
    if args.n < 1:
        print(f"cchc: {texts.QUIZ_BAD_COUNT}", file=sys.stderr)
        return EXIT_USAGE
    quiz = QuizService.from_index(settings)
    if args.apply_review:
        return _apply_review(Path(args.apply_review), quiz)
    report = quiz.report(strict=True)
    out = Path(args.out) if args.out else None
    if args.dump_json:
        try:
            _emit("\n".join(dump_json_lines(report.questions)), out)
        except BrokenPipeError:  # `cchc quiz --dump-json | head`
            sys.stderr.close()
        return 0
    if args.review:
        fmt = args.format or ("csv" if out is not None and out.suffix == ".csv" else "md")
        _emit(write_sheet(report.questions, quiz.review(), fmt), out)
        return 0
    if args.stats:
        _emit(stats_text(report), out)
        return 0
    counts = report.counts()
    print(
        texts.QUIZ_BANK.format(
            total=len(report.questions), curated=counts["curated"], generated=counts["generated"]
        )
    )
    chosen = quiz.choose(args.topic, args.n, random.Random())
    run_practice(chosen, args.topic, input, terminal.printer())
    return 0


def register(sub: Any) -> None:
    quiz = sub.add_parser("quiz", help="luyện tập trắc nghiệm, hoặc in ngân hàng câu hỏi")
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
        help="chủ đề: mã văn bản, loại nội dung, mức độ hoặc kiểu câu, ví dụ giai_phap, scenario",
    )
    quiz.set_defaults(func=cmd_quiz)
