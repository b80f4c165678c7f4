"""The ``cchc quiz`` subcommand: print the bank as JSON lines, or practise in the terminal."""

from __future__ import annotations

import argparse
import random
import sys
from typing import Any

from retrieval.documents import DocumentError
from retrieval.quiz.bank import dump_json_lines, load_bank
from retrieval.quiz.curated import CuratedError
from retrieval.quiz.practice import run_practice
from retrieval.settings import Settings


def cmd_quiz(args: argparse.Namespace, settings: Settings) -> int:
    """``cchc quiz [--dump-json] [-n N] [--topic CHỦ_ĐỀ]``."""
    if args.n < 1:
        print("cchc: -n phải là số câu hỏi dương", file=sys.stderr)
        return 2
    try:
        report = load_bank(settings.knowledge_dir)
    except (CuratedError, DocumentError) as exc:
        print(f"cchc: {exc}", file=sys.stderr)
        return 1
    if args.dump_json:
        try:
            for line in dump_json_lines(report.questions):
                print(line)
        except BrokenPipeError:  # `cchc quiz --dump-json | head`
            sys.stderr.close()
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
    quiz.add_argument(
        "--dump-json", action="store_true", help="in toàn bộ ngân hàng, mỗi dòng một câu JSON"
    )
    quiz.add_argument("-n", type=int, default=10, help="số câu luyện tập (mặc định 10)")
    quiz.add_argument(
        "--topic", help="chủ đề: mã văn bản hoặc loại nội dung, ví dụ giai_phap, «bài học»"
    )
    quiz.set_defaults(func=cmd_quiz)
    return quiz
