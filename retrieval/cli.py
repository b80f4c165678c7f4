"""``cchc``: the command-line entry point (ask, chat, reindex, eval, setup, run)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from retrieval.answer import render_text
from retrieval.bench import register_cli as register_bench
from retrieval.models import Answer
from retrieval.quiz.cli import register_cli as register_quiz
from retrieval.settings import DEFAULT_MODEL, Settings

EXIT_USAGE = 2
EXIT_FAILURE = 1


class UsageError(Exception):
    """Bad usage: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line in Vietnamese instead of usage + trace
        raise UsageError(f"cách dùng không đúng: {message} (xem `cchc --help`)")


def answer_json(answer: Answer) -> dict:
    """The JSON object of ``interfaces.md``."""
    out: dict = {
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
                "warning": c.warning,
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
    if answer.error:
        out["error"] = answer.error
    return out


def _progress_bar(label: str) -> Callable[[int, int], None]:
    start = time.perf_counter()

    def show(done: int, total: int) -> None:
        elapsed = time.perf_counter() - start
        eta = elapsed / done * (total - done) if done else 0.0
        width = 24
        filled = int(width * done / max(total, 1))
        bar = "█" * filled + "░" * (width - filled)
        end = "\n" if done >= total else ""
        print(f"\r{label} {bar} {done}/{total} đoạn, còn ~{eta:.0f} s", end=end, file=sys.stderr)

    return show


def _assistant(settings: Settings):
    from retrieval.assistant import Assistant

    return Assistant(settings)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if not args.file and not args.question:
        raise UsageError("cần một câu hỏi, hoặc --file TỆP")
    from retrieval.search import SearchFilters

    filters = SearchFilters(
        kinds=set(args.kind) if args.kind else None,
        doc_ids=set(args.doc) if args.doc else None,
        years=set(args.year) if args.year else None,
    )
    assistant = _assistant(settings)
    if args.file:
        path = Path(args.file)
        if args.file != "-" and not path.is_file():
            raise UsageError(f"không đọc được tệp câu hỏi {args.file}")
        raw = sys.stdin.buffer.read() if args.file == "-" else path.read_bytes()
        for line in raw.decode("utf-8", errors="replace").splitlines():
            answer = assistant.ask(line, k=args.k, filters=filters)
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        return 0
    answer = assistant.ask(" ".join(args.question), k=args.k, filters=filters)
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        print(render_text(answer))
    return 0


CHAT_HELP = (
    "Gõ câu hỏi về cải cách hành chính để nhận câu trả lời có trích dẫn.\n"
    "  /quiz [số câu] [chủ đề]  luyện tập trắc nghiệm, ví dụ: /quiz 5 giai_phap\n"
    "  /vanban                 danh sách văn bản trong cơ sở tri thức\n"
    "  /thoat                  kết thúc"
)


def _chat_quiz(line: str, settings: Settings) -> None:
    import random

    from retrieval.quiz.bank import load_bank
    from retrieval.quiz.practice import run_practice

    parts = line.split()[1:]
    n = int(parts.pop(0)) if parts and parts[0].isdigit() else 5
    topic = " ".join(parts) or None
    bank = load_bank(settings.knowledge_dir).questions
    run_practice(bank, max(1, min(n, 50)), topic, input, print, random.Random())


def _chat_documents(assistant) -> None:
    from retrieval.answer import format_date

    for doc in assistant.searcher.documents.values():
        number = f" — số {doc.number}" if doc.number else ""
        date = f" — ngày {format_date(doc)}" if doc.issued else ""
        print(f"• {doc.title}{number}{date} ({doc.status})")


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    print("Đang nạp mô hình và chỉ mục…", file=sys.stderr)
    assistant = _assistant(settings)
    print("Trợ lý CCHC — hỏi về cải cách hành chính. Gõ /help để xem hướng dẫn, /thoat để thoát.")
    while True:
        try:
            line = input("\nBạn hỏi: ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        command = line.strip().split()[0].lower() if line.strip() else ""
        if command in {"/thoat", "/exit", "/quit", "thoát"}:
            return 0
        if command in {"/help", "/start"}:
            print(CHAT_HELP)
        elif command == "/quiz":
            _chat_quiz(line, settings)
        elif command == "/vanban":
            _chat_documents(assistant)
        else:
            assistant.reload_if_changed()
            print(render_text(assistant.ask(line, k=args.k)))


def _overrides(args: argparse.Namespace) -> dict:
    keys = ("title", "number", "issued", "kind", "source")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None)}


def _print_report(report, dry_run: bool) -> None:
    from retrieval.ingest import describe_plan

    print("Kế hoạch:" if dry_run else "Kết quả:")
    for line in describe_plan(report.plan):
        print(f"  {line}")
    if dry_run:
        return
    if not report.published:
        print(f"Không có gì thay đổi: chỉ mục {report.version} vẫn đang dùng.")
        return
    print(
        f"Đã xây chỉ mục {report.version}: {report.documents} văn bản, {report.passages} đoạn "
        f"({report.embedded} đoạn mới nhúng, {report.reused} dùng lại). Thời gian: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    )


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.ingest import Reindexer

    if args.remove and args.paths:
        raise UsageError("--remove không dùng cùng với tệp cần thêm")
    if (_overrides(args) or args.supersedes) and not args.paths:
        raise UsageError("--title, --number, --issued, --kind, --source, --supersedes cần tệp")
    if {"title", "number"} & set(_overrides(args)) and (
        len(args.paths) > 1 or Path(args.paths[0]).is_dir()
    ):
        raise UsageError("--title và --number chỉ dùng khi thêm đúng một tệp")
    reindexer = Reindexer(settings, progress=_progress_bar("Đang nhúng"))
    failures = 0
    if args.remove:
        report = reindexer.remove(args.remove, dry_run=args.dry_run)
    elif args.paths:
        from retrieval.loaders import load_paths

        docs, errors = load_paths(
            [Path(p) for p in args.paths], int(args.max_mb * 1024 * 1024), _overrides(args)
        )
        for err in errors:
            print(f"Bỏ qua: {err}", file=sys.stderr)
        failures = len(errors)
        if not docs:
            print("Không có tệp nào đọc được; chỉ mục giữ nguyên.", file=sys.stderr)
            return EXIT_FAILURE
        report = reindexer.add(docs, supersedes=args.supersedes, dry_run=args.dry_run)
    else:
        report = reindexer.rebuild(dry_run=args.dry_run)
    _print_report(report, args.dry_run)
    return EXIT_FAILURE if failures else 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.evaluation import evaluate, load_questions

    if not Path(args.file).is_file():
        raise UsageError(f"không đọc được tệp câu hỏi {args.file}")
    report = evaluate(_assistant(settings), load_questions(Path(args.file)), k=args.k)
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    for r in report.rows:
        mark = "bỏ qua" if r.abstained else (f"hạng {r.rank}" if r.rank else "TRƯỢT")
        print(f"{r.id:>5}  {mark:<8} {r.confidence:.3f}  {r.question}")
    print(
        f"\nR@1 {report.recall_at_1:.3f}  R@5 {report.recall_at_5:.3f}  MRR {report.mrr:.3f}  "
        f"từ chối đúng {report.abstention_accuracy:.3f}  "
        f"từ chối nhầm {report.false_abstentions}/{report.answerable}"
    )
    return 0


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    """Build what is missing: the default model, then the index."""
    from retrieval.docstore import all_documents
    from retrieval.documents import corpus_hash
    from retrieval.index import CHUNKER_VERSION, current_version_dir, read_manifest

    if settings.embedding_model == DEFAULT_MODEL:
        from retrieval.model_build import build_default_model

        build_default_model(settings.default_model_dir)
        if settings.embedding_backend == "onnx-int8":
            from retrieval.embedding import export_onnx

            export_onnx(settings.default_model_dir)
    folder = current_version_dir(settings.index_root)
    manifest = read_manifest(folder) if folder else None
    stale = (
        manifest is None
        or manifest.model_name != settings.index_model_name()
        or manifest.chunker != CHUNKER_VERSION
        or manifest.corpus_hash != corpus_hash(all_documents(settings))
    )
    if stale:  # incremental: only new or changed passages are embedded
        from retrieval.ingest import Reindexer

        _print_report(Reindexer(settings, progress=_progress_bar("Đang nhúng")).rebuild(), False)
        return 0
    print(f"Chỉ mục {folder.name} đã sẵn sàng.", file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from bot.app import run_bot
    except ImportError:
        print("Bot Telegram chưa được cài đặt trong bản này; dùng `cchc chat`.", file=sys.stderr)
        return EXIT_FAILURE
    return run_bot()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cchc", description="Trợ lý cải cách hành chính (CCHC)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ask = sub.add_parser("ask", help="hỏi một câu")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--file", help="mỗi dòng một câu hỏi; in một đối tượng JSON mỗi dòng")
    ask.add_argument("-k", type=int, default=None, help="số đoạn trích dẫn (mặc định 5)")
    ask.add_argument("--kind", action="append", help="lọc theo loại đoạn, ví dụ giai_phap")
    ask.add_argument("--doc", action="append", help="lọc theo mã văn bản")
    ask.add_argument("--year", action="append", type=int, help="lọc theo năm ban hành")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="trò chuyện trong cửa sổ dòng lệnh")
    chat.add_argument("-k", type=int, default=None)
    chat.set_defaults(func=cmd_chat)

    rx = sub.add_parser("reindex", help="thêm văn bản, hoặc xây lại chỉ mục từ knowledge/")
    rx.add_argument("paths", nargs="*", help="tệp hoặc thư mục (.md .txt .html .docx .pdf)")
    rx.add_argument("--dry-run", action="store_true", help="chỉ in kế hoạch")
    rx.add_argument("--remove", metavar="DOC_ID", help="gỡ một văn bản")
    rx.add_argument("--title")
    rx.add_argument("--number", help="số hiệu, ví dụ 76/NQ-CP")
    rx.add_argument("--issued", help="ngày ban hành YYYY-MM-DD")
    rx.add_argument("--kind", help="loại văn bản, ví dụ “nghị quyết”")
    rx.add_argument("--source", help="địa chỉ nguồn")
    rx.add_argument(
        "--supersedes", action="append", default=[], metavar="SỐ", help="văn bản bị thay thế"
    )
    rx.add_argument("--max-mb", type=float, default=20.0, help="giới hạn dung lượng mỗi tệp")
    rx.set_defaults(func=cmd_reindex)

    ev = sub.add_parser("eval", help="đo chất lượng truy xuất trên tệp câu hỏi")
    ev.add_argument("file")
    ev.add_argument("-k", type=int, default=5)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)

    st = sub.add_parser("setup", help="dựng mô hình và chỉ mục khi còn thiếu")
    st.set_defaults(func=cmd_setup)

    register_quiz(sub)
    register_bench(sub)

    run = sub.add_parser("run", help="chạy bot Telegram")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from retrieval.documents import DocumentError
    from retrieval.embedding import ModelUnavailableError
    from retrieval.index import IndexMismatchError, IndexMissingError
    from retrieval.ingest import UnknownDocumentError
    from retrieval.reindex_lock import ReindexBusyError

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
    except Exception as exc:  # pydantic ValidationError: name the setting
        print(f"cchc: cấu hình không hợp lệ: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args, settings)
    except UsageError as exc:
        print(f"cchc: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (
        IndexMissingError,
        IndexMismatchError,
        ModelUnavailableError,
        DocumentError,
        ReindexBusyError,
        UnknownDocumentError,
    ) as exc:
        print(f"cchc: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("\ncchc: đã dừng.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
