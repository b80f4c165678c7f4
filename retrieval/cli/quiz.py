"""``cchc quiz``: practise in the terminal, print the bank as JSON lines."""

from __future__ import annotations

import argparse
import random
import sys
from typing import Any

from retrieval.cli import terminal, texts
from retrieval.cli.errors import EXIT_USAGE
from retrieval.cli.practice import run_practice
from retrieval.config import Settings
from retrieval.service.quiz import QuizService, dump_json_lines


def cmd_quiz(args: argparse.Namespace, settings: Settings) -> int:
    """``cchc quiz [--dump-json] [-n N] [--topic CHỦ_ĐỀ]``."""
    if args.n < 1:
        print(f"cchc: {texts.QUIZ_BAD_COUNT}", file=sys.stderr)
        return EXIT_USAGE
    quiz = QuizService.from_index(settings)
    report = quiz.report(strict=True)
    if args.dump_json:
        try:
            for line in dump_json_lines(report.questions):
                print(line)
        except BrokenPipeError:  # `cchc quiz --dump-json | head`
            sys.stderr.close()
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
    quiz.add_argument(
        "--dump-json", action="store_true", help="in toàn bộ ngân hàng, mỗi dòng một câu JSON"
    )
    quiz.add_argument("-n", type=int, default=10, help="số câu luyện tập (mặc định 10)")
    quiz.add_argument(
        "--topic", help="chủ đề: mã văn bản hoặc loại nội dung, ví dụ giai_phap, «bài học»"
    )
    quiz.set_defaults(func=cmd_quiz)
