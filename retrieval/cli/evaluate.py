"""``cchc eval``: retrieval and answer quality on a questions file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from retrieval.cli import texts
from retrieval.cli.errors import UsageError
from retrieval.cli.render import render_text
from retrieval.config import Settings
from retrieval.domain.models import Answer
from retrieval.service.answering import AnsweringService
from retrieval.service.evaluation import Renderer, evaluate, load_questions


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if not Path(args.file).is_file():
        raise UsageError(texts.CANNOT_READ_QUESTIONS.format(path=args.file))
    report = evaluate(
        AnsweringService(settings),
        load_questions(Path(args.file)),
        k=args.k,
        renderers=renderers(),
    )
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    for r in report.rows:
        if r.abstained:
            mark = texts.EVAL_ROW_SKIPPED
        else:
            mark = texts.EVAL_ROW_RANK.format(rank=r.rank) if r.rank else texts.EVAL_ROW_MISSED
        seen = "".join("✓" if r.visible.get(name) else "·" for name in ("terminal", "telegram"))
        listed = {None: " ", True: "L", False: "l"}[r.list_complete]
        shown = "" if r.abstain_expected else f"{seen}{listed}"
        print(f"{r.id:>5}  {mark:<8} {r.confidence:.3f} {shown:<3} {r.question}")
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
    print(
        texts.EVAL_VISIBLE.format(
            terminal=report.visible.get("terminal", 0.0),
            telegram=report.visible.get("telegram", 0.0),
            lists="—" if report.list_completeness is None else f"{report.list_completeness:.3f}",
        )
    )
    return 0


def renderers() -> dict[str, Renderer]:
    """What users read: the terminal's text and Telegram's message (as plain text)."""
    from bot.render import render_answer, to_plain

    def telegram(answer: Answer) -> str:
        # The question is echoed at the top of the message; only the answer counts.
        return to_plain(render_answer(answer)).split("\n", 1)[-1]

    return {"terminal": render_text, "telegram": telegram}


def register(sub: Any) -> None:
    ev = sub.add_parser("eval", help="đo chất lượng truy xuất trên tệp câu hỏi")
    ev.add_argument("file")
    ev.add_argument("-k", type=int, default=5)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)
