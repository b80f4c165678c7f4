"""``cchc chat``: the assistant in the terminal, with ``/quiz`` and ``/vanban``."""

from __future__ import annotations

import argparse
import random
import sys
from typing import Any

from retrieval.cli import texts
from retrieval.cli.practice import run_practice
from retrieval.cli.render import render_text
from retrieval.config import Settings
from retrieval.domain import naming
from retrieval.service.answering import AnsweringService
from retrieval.service.quiz import QuizService


def _quiz(line: str, quiz: QuizService) -> None:
    parts = line.split()[1:]
    n = int(parts.pop(0)) if parts and parts[0].isdigit() else 5
    topic = " ".join(parts) or None
    chosen = quiz.choose(topic, max(1, min(n, 50)), random.Random())
    run_practice(chosen, topic, input, print)


def _documents(answering: AnsweringService) -> None:
    for doc in answering.documents():
        print(f"• {naming.document_label(doc)} ({doc.status})")


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    print(texts.CHAT_LOADING, file=sys.stderr)
    answering = AnsweringService(settings)
    quiz = QuizService(settings, answering.index_version, answering.corpus)
    print(texts.CHAT_WELCOME)
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
            print(texts.CHAT_HELP)
        elif command == "/quiz":
            _quiz(line, quiz)
        elif command == "/vanban":
            _documents(answering)
        else:
            answering.reload_if_changed()
            print(render_text(answering.ask(line, k=args.k)))


def register(sub: Any) -> None:
    chat = sub.add_parser("chat", help="trò chuyện trong cửa sổ dòng lệnh")
    chat.add_argument("-k", type=int, default=None)
    chat.set_defaults(func=cmd_chat)
