"""``cchc reindex``: add or update documents, remove one, or rebuild from ``knowledge/``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from retrieval.cli import texts
from retrieval.cli.errors import EXIT_FAILURE, UsageError
from retrieval.cli.progress import progress_reporter
from retrieval.config import Settings
from retrieval.domain import messages, naming
from retrieval.domain.models import BuildReport, Document
from retrieval.service.admin import AdminService, read_paths


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("title", "number", "issued", "kind", "source")
    return {k: getattr(args, k) for k in keys if getattr(args, k, None)}


def print_report(report: BuildReport, dry_run: bool) -> None:
    print(texts.PLAN if dry_run else texts.RESULT)
    for line in messages.plan_lines(report.plan):
        print(f"  {line}")
    if dry_run:
        return
    if not report.published:
        print(texts.UNCHANGED.format(version=report.version))
        return
    print(
        texts.BUILT.format(
            version=report.version,
            documents=naming.number(report.documents),
            passages=naming.number(report.passages),
            embedded=naming.number(report.embedded),
            reused=naming.number(report.reused),
            times=", ".join(f"{k} {naming.decimal(v)} s" for k, v in report.seconds.items()),
        )
    )


def print_documents(docs: list[Document]) -> None:
    """What was read from each file, as the Telegram upload preview shows it."""
    unknown = texts.REINDEX_UNKNOWN
    print(texts.REINDEX_READ)
    for doc in docs:
        print(
            texts.REINDEX_DOCUMENT.format(
                title=naming.shorten(doc.title, 300),
                kind=doc.kind,
                number=doc.number or unknown,
                date=naming.document_date(doc) or unknown,
                issuer=naming.shorten(doc.issuer, 200) if doc.issuer else unknown,
                doc_id=doc.id,
            )
        )


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    if args.remove and args.paths:
        raise UsageError(texts.REINDEX_REMOVE_WITH_FILES)
    if (_overrides(args) or args.supersedes) and not args.paths:
        raise UsageError(texts.REINDEX_OVERRIDES_NEED_FILES)
    if {"title", "number"} & set(_overrides(args)) and (
        len(args.paths) > 1 or Path(args.paths[0]).is_dir()
    ):
        raise UsageError(texts.REINDEX_ONE_FILE_ONLY)
    admin = AdminService(settings, progress=progress_reporter(texts.EMBEDDING))
    failures = 0
    if args.remove:
        report = admin.remove(args.remove, dry_run=args.dry_run)
    elif args.paths:
        docs, errors = read_paths(
            [Path(p) for p in args.paths], int(args.max_mb * 1024 * 1024), _overrides(args)
        )
        for err in errors:
            print(texts.REINDEX_SKIPPED.format(reason=messages.describe(err)), file=sys.stderr)
        failures = len(errors)
        if not docs:
            print(texts.REINDEX_NOTHING_READ, file=sys.stderr)
            return EXIT_FAILURE
        if args.dry_run:
            print_documents(docs)
        report = admin.add(docs, supersedes=args.supersedes, dry_run=args.dry_run)
    else:
        report = admin.rebuild(dry_run=args.dry_run)
    print_report(report, args.dry_run)
    return EXIT_FAILURE if failures else 0


def register(sub: Any) -> None:
    rx = sub.add_parser("reindex", help="thêm văn bản, hoặc xây lại chỉ mục từ knowledge/")
    rx.add_argument("paths", nargs="*", help="tệp hoặc thư mục (.md .txt .html .docx .pdf)")
    rx.add_argument(
        "--dry-run",
        action="store_true",
        help="chỉ in thông tin đọc được từ tệp và kế hoạch, không thay đổi gì",
    )
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
