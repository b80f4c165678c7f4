"""``cchc eval``: retrieval and answer quality on a questions file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from retrieval.cli import texts
from retrieval.cli.errors import UsageError
from retrieval.config import Settings
from retrieval.service.answering import AnsweringService
from retrieval.service.evaluation import evaluate, load_questions


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if not Path(args.file).is_file():
        raise UsageError(texts.CANNOT_READ_QUESTIONS.format(path=args.file))
    report = evaluate(AnsweringService(settings), load_questions(Path(args.file)), k=args.k)
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    for r in report.rows:
        if r.abstained:
            mark = texts.EVAL_ROW_SKIPPED
        else:
            mark = texts.EVAL_ROW_RANK.format(rank=r.rank) if r.rank else texts.EVAL_ROW_MISSED
        print(f"{r.id:>5}  {mark:<8} {r.confidence:.3f}  {r.question}")
    print(
        texts.EVAL_SUMMARY.format(
            r1=report.recall_at_1,
            r5=report.recall_at_5,
            mrr=report.mrr,
            abstention=report.abstention_accuracy,
            false_abstentions=report.false_abstentions,
            answerable=report.answerable,
        )
    )
    return 0


def register(sub: Any) -> None:
    ev = sub.add_parser("eval", help="đo chất lượng truy xuất trên tệp câu hỏi")
    ev.add_argument("file")
    ev.add_argument("-k", type=int, default=5)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)
