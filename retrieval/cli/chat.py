"""``cchc chat``: the assistant in the terminal, with ``/quiz`` and ``/vanban``.

On a terminal: line editing and a history kept in the data dir (``chat_history``), and
answers wrapped at word boundaries to the window (``retrieval.cli.terminal``).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from typing import Any

from retrieval.cli import terminal, texts
from retrieval.cli.practice import run_practice
from retrieval.cli.render import render_text
from retrieval.config import Settings
from retrieval.domain import naming
from retrieval.service.answering import AnsweringService
from retrieval.service.quiz import QuizService

HISTORY_FILE = "chat_history"


def _quiz(line: str, quiz: QuizService, show: Callable[[str], None]) -> None:
    parts = line.split()[1:]
    n = int(parts.pop(0)) if parts and parts[0].isdigit() else 5
    topic = " ".join(parts) or None
    chosen = quiz.choose(topic, max(1, min(n, 50)), random.Random())
    run_practice(chosen, topic, input, show)


def documents_text(answering: AnsweringService) -> str:
    """Each document with its id (for ``--remove`` and quiz topics) and, where it has one,
    its validity (a news article has none)."""
    lines = []
    for doc in answering.documents():
        line = f"• {naming.document_label(doc)}"
        if (validity := naming.validity(doc)) is not None:
            line += f" ({validity})"
        lines.append(f"{line}\n  {texts.CHAT_DOC_ID.format(doc_id=doc.id)}")
    return "\n".join(lines)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    print(texts.CHAT_LOADING, file=sys.stderr)
    answering = AnsweringService(settings)
    quiz = QuizService(
        settings, answering.index_version, answering.corpus, encoder=answering.encoder
    )
    show = terminal.printer()
    save_history = terminal.line_editing(settings.data_dir / HISTORY_FILE)
    show(texts.CHAT_WELCOME)
    try:
        while True:
            try:
                line = input(texts.CHAT_PROMPT)
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            command = line.strip().split()[0].lower() if line.strip() else ""
            if command in {"/thoat", "/exit", "/quit", "thoát"}:
                return 0
            if command in {"/help", "/start"}:
                show(texts.CHAT_HELP)
            elif command == "/quiz":
                _quiz(line, quiz, show)
            elif command == "/vanban":
                show(documents_text(answering))
            else:
                answering.reload_if_changed()
                show(render_text(answering.ask(line, k=args.k)))
    finally:
        save_history()


def register(sub: Any) -> None:
    chat = sub.add_parser("chat", help="trò chuyện trong cửa sổ dòng lệnh")
    chat.add_argument("-k", type=int, default=None)
    chat.set_defaults(func=cmd_chat)
