"""``cchc``: the command-line face (ask, chat, quiz, reindex, eval, bench, setup, run).

Every subcommand is one module of this package. Like the bot, it reaches the core only
through ``service/``, ``domain/`` and ``config``, and phrases the core's typed failures.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from retrieval.cli import ask, backup, bench, chat, evaluate, quiz, reindex, texts
from retrieval.cli.errors import EXIT_FAILURE, EXIT_USAGE, UsageError
from retrieval.cli.progress import progress_reporter
from retrieval.cli.reindex import print_report
from retrieval.config import Settings, describe_settings_error
from retrieval.domain import messages
from retrieval.domain.errors import CoreError, Stopped
from retrieval.service.setup import setup


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line in Vietnamese instead of usage + trace
        raise UsageError(texts.USAGE.format(message=message))


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Build what is missing: the default model, then the index."""
    report = setup(
        settings,
        progress=progress_reporter(texts.EMBEDDING),
        model_progress=progress_reporter(texts.MODEL_BUILDING, unit=texts.STEPS),
        exporting=lambda: print(texts.MODEL_EXPORTING, file=sys.stderr, flush=True),
    )
    if report.build is not None:
        print_report(report.build, dry_run=False)
    else:
        print(texts.INDEX_READY.format(version=report.ready_version), file=sys.stderr)
    print(texts.QUIZ_READY.format(total=report.quiz_questions), file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from bot.runner import run_bot
    except ImportError:
        print(texts.BOT_MISSING, file=sys.stderr)
        return EXIT_FAILURE
    return run_bot()


def _register_simple(sub: Any) -> None:
    st = sub.add_parser("setup", help="dựng mô hình và chỉ mục khi còn thiếu")
    st.set_defaults(func=cmd_setup)
    run = sub.add_parser("run", help="chạy bot Telegram")
    run.set_defaults(func=cmd_run)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cchc", description="Trợ lý cải cách hành chính (CCHC)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in (ask, chat, reindex, evaluate, quiz, bench, backup):
        module.register(sub)
    _register_simple(sub)
    return parser


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """While a command runs, SIGTERM ends it as Ctrl-C does, where it is: a reindex records
    itself as stopped and removes its half-written version, instead of vanishing "đang chạy".
    (``cchc run`` puts its own handler in place while its event loop runs.)"""

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signal.Signals(signum).name)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(f"cchc: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"cchc: {describe_settings_error(exc, Settings)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with _stop_on_sigterm():
            return args.func(args, settings)
    except UsageError as exc:
        print(f"cchc: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CoreError as exc:
        print(f"cchc: {messages.describe(exc)}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"\ncchc: {texts.INTERRUPTED}", file=sys.stderr)
        return 130
    except Stopped as exc:
        print(f"cchc: {texts.STOPPED_BY.format(signal=exc.signal)}", file=sys.stderr)
        return 128 + signal.Signals[exc.signal].value
    except BrokenPipeError:  # `cchc ask … | head`: the reader has what it wanted
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
