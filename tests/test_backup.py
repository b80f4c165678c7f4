"""``cchc backup`` and ``cchc restore``: a restored data dir answers as the original did."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.question_log import QuestionLog
from bot.storage.sqlite import Database
from retrieval.config import Settings
from retrieval.domain.errors import BackupError
from retrieval.embedding.encoder import Encoder
from retrieval.index.builder import build_index
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.service import backup as backup_service
from retrieval.service.admin import AdminService, read_paths
from retrieval.service.answering import AnsweringService
from retrieval.service.backup import MANIFEST, backup, restore
from tests.conftest import ROOT, make_settings, seed_from_project_index

QUESTIONS = [
    "Các giải pháp của Nghị quyết 76/NQ-CP là gì?",
    "Bài học kinh nghiệm trong cải cách hành chính là gì?",
    "Sổ tay số hoá hồ sơ một cửa của tỉnh Hoà Bình hướng dẫn những bước nào?",
]
ADDED = """---
id: so-tay-so-hoa-hoa-binh
title: Sổ tay số hoá hồ sơ một cửa tỉnh Hoà Bình
kind: kế hoạch
number: 12/KH-UBND
issued: 2024-03-01
summary: Hướng dẫn số hoá hồ sơ tại bộ phận một cửa
---
# Các bước số hoá hồ sơ một cửa

Sổ tay số hoá hồ sơ một cửa của tỉnh Hoà Bình hướng dẫn bốn bước: tiếp nhận hồ sơ giấy, quét
và ký số bản sao điện tử, gắn mã hồ sơ và lưu vào kho dữ liệu điện tử của tổ chức, cá nhân,
trả kết quả điện tử cho người dân trên Cổng dịch vụ công của tỉnh Hoà Bình.
"""


def answers(settings: Settings, encoder: Encoder) -> list[tuple[bool, list[tuple[str, str]]]]:
    service = AnsweringService(settings, encoder=encoder)
    out = []
    for q in QUESTIONS:
        a = service.ask(q)
        out.append((a.abstained, [(c.hit.document.id, c.hit.passage.text) for c in a.citations]))
    return out


@pytest.fixture(scope="module")
def live(tmp_path_factory, encoder: Encoder) -> tuple[Settings, Database]:
    """A data dir as a running bot leaves it: an index, an added document, a removed one, the
    bot's log in WAL mode with rows not yet checkpointed (its connection stays open)."""
    settings = make_settings(tmp_path_factory.mktemp("live") / "data")
    seed_from_project_index(settings)
    build_index(settings, encoder, load_knowledge_dir(settings.knowledge_dir))
    source = tmp_path_factory.mktemp("upload") / "so-tay.md"
    source.write_text(ADDED, encoding="utf-8")
    docs, errors = read_paths([source], 1 << 20, {})
    assert not errors
    admin = AdminService(settings, encoder=encoder)
    assert admin.add(docs).published
    assert admin.remove("bcd-cchc-phien-hop-2022").published
    database = Database(settings.data_dir / "bot.sqlite")
    QuestionLog(database).record_refusal(4242, 4242, "message")
    return settings, database


def test_restore_into_a_fresh_folder_answers_the_same(live, encoder, tmp_path) -> None:
    settings, _ = live
    before = answers(settings, encoder)
    assert not before[2][0] and before[2][1][0][0] == "so-tay-so-hoa-hoa-binh"

    manifest = backup(settings, tmp_path / "bk")
    names = {f.path for f in manifest.files}
    assert {"bot.sqlite", "reindex_runs.sqlite", "vector_cache.sqlite"} <= names
    assert {"documents/so-tay-so-hoa-hoa-binh.md", "documents/removed.txt"} <= names
    live_version = (settings.index_root / "CURRENT").read_text().strip()
    assert manifest.index_version == live_version
    assert {f"index/{live_version}/{n}" for n in ("store.sqlite", "manifest.json")} <= names
    assert not any("models" in n for n in names)  # rebuilt by `cchc setup`, not backed up
    stored = json.loads((tmp_path / "bk" / MANIFEST).read_text())
    assert len(stored["files"]) == len(manifest.files)

    fresh = make_settings(tmp_path / "fresh")  # holds only the link to the models
    report = restore(fresh, tmp_path / "bk")
    assert report.previous is None
    assert answers(fresh, encoder) == before
    rows = Database(fresh.data_dir / "bot.sqlite").query("SELECT user_id FROM refusals")
    assert [r["user_id"] for r in rows] == [4242]  # the WAL's rows are in the copy
    assert (fresh.data_dir / "documents" / "removed.txt").read_text().split() == [
        "bcd-cchc-phien-hop-2022"
    ]
    assert (fresh.data_dir / "models").is_symlink()  # what is not data stays
    mode = (fresh.data_dir / "bot.sqlite").stat().st_mode & 0o777
    assert mode == 0o600


def test_restore_refuses_a_folder_with_data_unless_forced(live, encoder, tmp_path) -> None:
    settings, _ = live
    backup(settings, tmp_path / "bk")
    other = make_settings(tmp_path / "other")
    seed_from_project_index(other)  # an index of its own: data
    (other.data_dir / "backups").mkdir()  # not data: stays
    with pytest.raises(BackupError) as refused:
        restore(other, tmp_path / "bk")
    assert refused.value.code == "restore_target_not_empty"
    report = restore(other, tmp_path / "bk", force=True)
    assert report.previous == tmp_path / f"other.before-restore-{report.previous.name[-15:]}"
    assert (report.previous / "index" / "CURRENT").exists()  # the old data, kept aside
    assert (other.data_dir / "backups").is_dir() and (other.data_dir / "models").exists()
    assert answers(other, encoder) == answers(settings, encoder)
    assert not list(tmp_path.glob(".other.restore-*"))  # no staging folder left


def test_a_damaged_backup_changes_nothing(live, tmp_path) -> None:
    settings, _ = live
    backup(settings, tmp_path / "bk")
    store = next((tmp_path / "bk" / "index").glob("v*/store.sqlite"))
    data = bytearray(store.read_bytes())
    data[5000] ^= 0xFF
    store.write_bytes(bytes(data))
    target = make_settings(tmp_path / "target")
    with pytest.raises(BackupError) as damaged:
        restore(target, tmp_path / "bk", force=True)
    assert (
        damaged.value.code == "backup_damaged" and "store.sqlite" in damaged.value.details["file"]
    )
    assert sorted(p.name for p in target.data_dir.iterdir()) == ["models"]
    with pytest.raises(BackupError) as not_one:
        restore(target, tmp_path)
    assert not_one.value.code == "backup_not_a_backup"
    with pytest.raises(BackupError) as not_empty:
        backup(settings, tmp_path / "bk")
    assert not_empty.value.code == "backup_target_not_empty"


def test_restore_into_a_mount_point_swaps_inside_it(live, encoder, tmp_path, monkeypatch):
    """A Docker volume cannot be renamed: its entries are swapped one by one, inside it."""
    settings, _ = live
    backup(settings, tmp_path / "bk")
    volume = make_settings(tmp_path / "volume")
    seed_from_project_index(volume)
    (volume.data_dir / "bot.sqlite-wal").write_bytes(b"")  # a stale sidecar goes aside too
    mounted = volume.data_dir
    monkeypatch.setattr(backup_service.os.path, "ismount", lambda p: Path(p) == mounted)
    report = restore(volume, tmp_path / "bk", force=True)
    assert report.previous is not None and report.previous.parent == mounted
    assert {p.name for p in report.previous.iterdir()} == {"index", "bot.sqlite-wal"}
    assert answers(volume, encoder) == answers(settings, encoder)
    assert not [p for p in mounted.iterdir() if p.name.startswith(".volume.restore")]


def test_the_commands(live, tmp_path) -> None:
    settings, _ = live
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "TELEGRAM_"))}
    env.update(CCHC_DATA_DIR=str(settings.data_dir), CCHC_HOME=str(tmp_path), PYTHONPATH=str(ROOT))

    def cchc(*args: str, data: Path | None = None) -> subprocess.CompletedProcess:
        run_env = {**env, **({"CCHC_DATA_DIR": str(data)} if data else {})}
        return subprocess.run(
            [sys.executable, "-m", "retrieval.cli.main", *args],
            env=run_env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    out = cchc("backup", "bk")
    assert out.returncode == 0, out.stderr
    assert "Đã sao lưu vào" in out.stdout and "cơ sở dữ liệu" in out.stdout
    assert (tmp_path / "bk" / MANIFEST).is_file()  # relative to the current directory
    again = cchc("backup", str(tmp_path / "bk"))
    assert again.returncode != 0 and len(again.stderr.strip().splitlines()) == 1
    restored = cchc("restore", str(tmp_path / "bk"), data=tmp_path / "new")
    assert restored.returncode == 0, restored.stderr
    assert "Đã khôi phục" in restored.stdout and "cchc setup" in restored.stderr  # no model
    refused = cchc("restore", str(tmp_path / "bk"), data=tmp_path / "new")
    assert refused.returncode != 0 and "--force" in refused.stderr
    forced = cchc("restore", "--force", str(tmp_path / "bk"), data=tmp_path / "new")
    assert forced.returncode == 0 and "before-restore" in forced.stdout
    shutil.rmtree(tmp_path / "new")
