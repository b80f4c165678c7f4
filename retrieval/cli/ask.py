"""``cchc ask``: one answer as a person reads it, or JSON objects for checks and scripts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from retrieval.cli import terminal, texts
from retrieval.cli.errors import UsageError
from retrieval.cli.render import render_text
from retrieval.config import Settings
from retrieval.domain import messages, naming
from retrieval.domain.models import Answer, SearchFilters
from retrieval.service.answering import AnsweringService


def answer_json(answer: Answer) -> dict[str, Any]:
    """The JSON object of ``interfaces.md``."""
    out: dict[str, Any] = {
        "question": answer.question,
        "abstained": answer.abstained,
        "passages": [
            {
                "rank": c.number,
                "text": c.hit.passage.text,
                "kind": c.hit.passage.kind,
                "section": c.hit.passage.section,
                "score": round(c.hit.score, 6),
                "status": c.hit.passage.status,
                "warning": naming.validity_note(c.hit.passage, c.hit.document),
                "excerpt": c.excerpt,
                "document": {
                    "id": c.hit.document.id,
                    "title": c.hit.document.title,
                    "number": c.hit.document.number,
                    "issued": c.hit.document.issued.isoformat() if c.hit.document.issued else None,
                    "source": c.hit.document.source,
                    "status": c.hit.document.status,
                },
            }
            for c in answer.citations
        ],
        "answer": render_text(answer),
        "confidence": round(answer.confidence, 4),
    }
    if answer.problem is not None:
        out["error"] = messages.question_problem(answer.problem)
    return out


#: Characters that ``str.splitlines`` (and many readers) take for a line break, besides
#: "\n" and "\r": escaped in output lines, where JSON allows them raw.
_LINE_BREAKS_JSON_KEEPS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def question_lines(text: str) -> list[str]:
    """One question per "\n" and nothing else: ``\f``, ``\v``, ``\x1c``, U+2028 and the
    other characters ``str.splitlines`` breaks on stay inside their line (issue 15: 5,000
    fuzzed lines gave 6,650 answers). A final "\n" ends the last line, as in any text file."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def json_line(obj: dict[str, Any]) -> str:
    """One JSON object on exactly one line, whatever line breaks its strings hold."""
    text = json.dumps(obj, ensure_ascii=False)
    for raw, escaped in _LINE_BREAKS_JSON_KEEPS.items():
        text = text.replace(raw, escaped)
    return text


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if not args.file and not args.question:
        raise UsageError(texts.NEED_QUESTION)
    filters = SearchFilters(
        kinds=set(args.kind) if args.kind else None,
        doc_ids=set(args.doc) if args.doc else None,
        years=set(args.year) if args.year else None,
    )
    if args.file:
        path = Path(args.file)
        if args.file != "-" and not path.is_file():
            raise UsageError(texts.CANNOT_READ_QUESTIONS.format(path=args.file))
        raw = sys.stdin.buffer.read() if args.file == "-" else path.read_bytes()
        answering = AnsweringService(settings)
        for line in question_lines(raw.decode("utf-8", errors="replace")):
            answer = answering.ask(line, k=args.k, filters=filters)
            print(json_line(answer_json(answer)), flush=True)
        return 0
    answer = AnsweringService(settings).ask(" ".join(args.question), k=args.k, filters=filters)
    if args.json:
        print(json_line(answer_json(answer)))
    else:
        terminal.printer()(render_text(answer))  # wrapped on a terminal only
    return 0


def register(sub: Any) -> None:
    ask = sub.add_parser("ask", help="hỏi một câu")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--file", help="mỗi dòng một câu hỏi; in một đối tượng JSON mỗi dòng")
    ask.add_argument("-k", type=int, default=None, help="số đoạn trích dẫn (mặc định 5)")
    ask.add_argument("--kind", action="append", help="lọc theo loại đoạn, ví dụ giai_phap")
    ask.add_argument("--doc", action="append", help="lọc theo mã văn bản")
    ask.add_argument("--year", action="append", type=int, help="lọc theo năm ban hành")
    ask.set_defaults(func=cmd_ask)
