"""``cchc backup DEST`` and ``cchc restore SRC``: the data that cannot be rebuilt, copied out
and put back (``retrieval.service.backup`` says what is in a backup)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from retrieval.cli import texts
from retrieval.config import Settings
from retrieval.domain import naming
from retrieval.service.backup import BackupManifest, backup, restore


def _summary(manifest: BackupManifest) -> dict[str, str]:
    return {
        "databases": naming.number(manifest.count("database")),
        "files": naming.number(manifest.count("file")),
        "size": naming.megabytes(manifest.total_bytes),
        "version": manifest.index_version or "—",
    }


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    dest = Path(args.dest)
    manifest = backup(settings, dest)
    print(texts.BACKUP_DONE.format(dest=dest.absolute(), **_summary(manifest)))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    report = restore(settings, Path(args.source), force=args.force)
    when = report.manifest.created_at.astimezone().strftime("%d/%m/%Y %H:%M")
    print(
        texts.RESTORE_DONE.format(target=settings.data_dir, when=when, **_summary(report.manifest))
    )
    if report.previous is not None:
        print(texts.RESTORE_PREVIOUS.format(path=report.previous))
    if not settings.models_dir.exists():
        print(texts.RESTORE_NEEDS_SETUP, file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    bk = sub.add_parser("backup", help="sao lưu dữ liệu không dựng lại được vào một thư mục mới")
    bk.add_argument("dest", help="thư mục đích (mới hoặc trống)")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="khôi phục một bản sao lưu vào CCHC_DATA_DIR")
    rs.add_argument("source", help="thư mục của bản sao lưu")
    rs.add_argument(
        "--force",
        action="store_true",
        help="thay dữ liệu đang có (dữ liệu cũ được giữ lại trong một thư mục bên cạnh)",
    )
    rs.set_defaults(func=cmd_restore)
