"""Reindex runs that die after the swap lose nothing; a full disk or SIGTERM is recorded and
leaves nothing half-written; start-up repairs what a killed run left (issue 15)."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.domain.errors import DiskFullError
from retrieval.domain.messages import describe
from retrieval.domain.models import Document
from retrieval.embedding.encoder import Encoder
from retrieval.index import builder
from retrieval.index.changes import CHANGE, Change, write_change
from retrieval.index.docstore import docstore
from retrieval.index.run_log import ReindexLog
from retrieval.index.vector_cache import VectorCache
from retrieval.index.versions import CURRENT, IndexVersion, current_version_dir, read_manifest
from retrieval.knowledge.chunking import chunk_document, document_context, embedding_text
from retrieval.service.admin import AdminService, read_file
from retrieval.service.answering import AnsweringService
from tests.conftest import copy_of_index
from tests.test_reindex import NEW_DOC, QUESTION

ROOT = Path(__file__).resolve().parents[1]
NEW_ID = "kh-hoa-binh-xanh-2026"
KNOWLEDGE_ID = "bai-hoc-cchc-2011-2020"


@pytest.fixture
def data(built_index: Settings, tmp_path: Path) -> Settings:
    return copy_of_index(built_index, tmp_path / "data")


def child_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "TELEGRAM_"))}
    env.update(
        CCHC_DATA_DIR=str(settings.data_dir),
        CCHC_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        CCHC_HOME=str(settings.data_dir.parent),
        PYTHONPATH=str(ROOT),
    )
    return env


def cache_vectors(settings: Settings, encoder: Encoder, doc: Document) -> None:
    """Embed ``doc``'s passages here, into the data dir's vector cache, so that a child run
    finds them there instead of loading the model."""
    passages = chunk_document(doc)
    context = document_context(doc)
    vectors = encoder.encode_passages([embedding_text(p, context) for p in passages])
    cache = VectorCache(settings.data_dir / "vector_cache.sqlite", encoder.name)
    cache.put_many({p.content_hash: v for p, v in zip(passages, vectors, strict=True)})
    cache.close()


def runs(settings: Settings) -> list[dict]:
    log = ReindexLog(settings.data_dir / "reindex_runs.sqlite")
    try:
        return log.recent()
    finally:
        log.close()


def indexed_ids(settings: Settings) -> set[str]:
    version = IndexVersion(current_version_dir(settings.index_root))
    try:
        return {d.id for d in version.store.documents()}
    finally:
        version.close()


def leftovers(settings: Settings) -> list[str]:
    """Version folders that are half-written or still carry a change."""
    return sorted(
        p.name
        for p in settings.index_root.glob("v*")
        if not (p / "manifest.json").exists() or (p / CHANGE).exists()
    )


# -- a SIGKILL between the swap and the end of the run -------------------------------------------
CRASHES = [
    ("add", "publish"),
    ("add", "documents"),
    ("remove", "publish"),
    ("remove", "log"),
]


@pytest.mark.parametrize(("action", "point"), CRASHES)
def test_sigkill_after_the_swap_loses_nothing(
    data: Settings, encoder: Encoder, tmp_path: Path, action: str, point: str
) -> None:
    path = tmp_path / "kh.md"
    path.write_text(NEW_DOC, encoding="utf-8")
    doc = read_file(path, 1 << 20)
    cache_vectors(data, encoder, doc)
    before = current_version_dir(data.index_root)
    arg = str(path) if action == "add" else KNOWLEDGE_ID
    child = subprocess.run(
        [sys.executable, "-m", "tests.crash_child", point, action, arg],
        env=child_env(data), cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr

    # The swap happened: the new version serves, whatever the child did not get to do.
    after = current_version_dir(data.index_root)
    assert after is not None and after != before
    crashed = runs(data)[0]
    assert crashed["action"] == action

    # What the issue did next: a plain `cchc reindex` (a rebuild from knowledge/ + documents/).
    report = AdminService(data, encoder=encoder).rebuild()
    assert report.embedded == 0  # the added document's vectors were not dropped
    ids = indexed_ids(data)
    store = docstore(data)
    if action == "add":
        assert NEW_ID in ids
        assert (data.data_dir / "documents" / f"{NEW_ID}.md").exists()
        hits = AnsweringService(data, encoder=encoder).ask(QUESTION, k=3).hits
        assert hits[0].document.id == NEW_ID
    else:
        assert KNOWLEDGE_ID not in ids  # not brought back
        assert KNOWLEDGE_ID in store.removed()
    # The killed run is recorded as what it was: a success, not "bị gián đoạn".
    by_id = {r["id"]: r for r in runs(data)}
    assert by_id[crashed["id"]]["outcome"] == "thành công"
    assert json.loads(by_id[crashed["id"]]["summary"])["version"] == after.name
    assert leftovers(data) == []


def test_a_removed_added_document_stays_removed_after_a_kill(
    data: Settings, encoder: Encoder, tmp_path: Path
) -> None:
    AdminService(data, encoder=encoder).add([Document.model_validate(_doc_dict())])
    assert (data.data_dir / "documents" / f"{NEW_ID}.md").exists()
    child = subprocess.run(
        [sys.executable, "-m", "tests.crash_child", "publish", "remove", NEW_ID],
        env=child_env(data), cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert (data.data_dir / "documents" / f"{NEW_ID}.md").exists()  # the child died first
    AdminService(data, encoder=encoder).rebuild()
    assert NEW_ID not in indexed_ids(data)
    assert not (data.data_dir / "documents" / f"{NEW_ID}.md").exists()


def _doc_dict() -> dict:
    from tests.test_reindex import new_doc

    return new_doc().model_dump()


# -- start-up repair ----------------------------------------------------------------------------
def test_repair_removes_leftovers_and_settles_interrupted_runs(data: Settings) -> None:
    root = data.index_root
    live = current_version_dir(root)
    partial = root / "v29990101T000000-aaaaaa"  # a build killed while writing
    partial.mkdir()
    (partial / "store.sqlite").write_bytes(b"half")
    orphan = root / "v29990101T000001-bbbbbb"  # complete, never swapped in
    shutil.copytree(live, orphan)
    write_change(orphan, Change(run_id=99, delete=["nq-76-2021-chuong-trinh-tong-the"]))
    log = ReindexLog(data.data_dir / "reindex_runs.sqlite")
    killed = log.start("add", {"documents": ["x"]}, "test")
    log.close()

    repaired = AdminService(data).repair()

    assert repaired is not None and sorted(repaired.removed) == [partial.name, orphan.name]
    assert not repaired.completed and repaired.interrupted == 1
    assert sorted(p.name for p in root.glob("v*")) == [live.name]
    assert (root / CURRENT).read_text().strip() == live.name
    assert {r["id"]: r["outcome"] for r in runs(data)}[killed] == "bị gián đoạn"
    assert docstore(data).removed() == set()  # the orphan's change was not applied
    assert AdminService(data).repair().anything is False  # nothing left to do


# -- a full disk --------------------------------------------------------------------------------
def test_disk_full_while_writing_a_version_is_recorded_and_tidied(
    data: Settings, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A simulated ENOSPC (the real one, on a small tmpfs, is below)."""
    before = current_version_dir(data.index_root)
    written: list[Path] = []

    def full(index: object, folder: Path) -> None:
        written.append(folder)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "dense.faiss"))

    monkeypatch.setattr(builder, "save_faiss", full)
    with pytest.raises(DiskFullError) as caught:
        AdminService(data, encoder=encoder).remove(KNOWLEDGE_ID)
    message = describe(caught.value)
    assert "đầy" in message and "\n" not in message and str(data.data_dir) in message
    assert written and not written[0].exists()  # the partial version is gone
    assert current_version_dir(data.index_root) == before
    assert leftovers(data) == []
    assert docstore(data).removed() == set()
    last = runs(data)[0]
    assert last["outcome"] == "thất bại" and "disk_full" in last["summary"]


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
    )
    return done.returncode == 0


def test_disk_full_on_a_small_tmpfs(built_index: Settings, tmp_path: Path) -> None:
    """``cchc reindex --remove`` on a data dir that fills up while the new version is written:
    one Vietnamese line, the run recorded as failed, no partial version; once space is freed
    the same command succeeds."""
    mount = tmp_path / "small"
    # room for the live version, a new one beside it and the run's databases, no more
    version_bytes = sum(
        f.stat().st_size for f in current_version_dir(built_index.index_root).iterdir()
    )
    if not _mount_tmpfs(mount, f"{(3 * version_bytes) // 1024 + 2048}k"):
        pytest.skip("cannot mount a tmpfs here (needs root): the simulated ENOSPC test covers it")
    try:
        data = copy_of_index(built_index, mount / "data")
        live = current_version_dir(data.index_root)
        free = shutil.disk_usage(mount).free
        ballast = mount / "ballast"
        ballast.write_bytes(b"\0" * max(0, free - version_bytes // 2))
        command = [sys.executable, "-m", "retrieval.cli.main", "reindex", "--remove", KNOWLEDGE_ID]
        env = child_env(data)
        full = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        assert full.returncode == 1, full.stderr
        lines = full.stderr.strip().splitlines()
        assert len(lines) == 1 and "đầy" in lines[0] and "Traceback" not in full.stderr
        assert current_version_dir(data.index_root) == live
        assert leftovers(data) == []
        assert runs(data)[0]["outcome"] == "thất bại"
        assert not (data.data_dir / "documents" / "removed.txt").exists()

        ballast.unlink()
        again = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert KNOWLEDGE_ID in docstore(data).removed()
        assert current_version_dir(data.index_root) != live
        assert runs(data)[0]["outcome"] == "thành công"
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


# -- SIGTERM ------------------------------------------------------------------------------------
def embedding(stderr: bytes) -> bool:
    """Whether a progress line says the run is embedding, with more to embed after it
    ("Đang nhúng: 16/162 đoạn")."""
    return any(
        int(done) < int(total) for done, total in re.findall(rb"nh\xc3\xbang: (\d+)/(\d+)", stderr)
    )


def test_sigterm_during_a_reindex_is_recorded(data: Settings, tmp_path: Path) -> None:
    """A real ``cchc reindex FILE`` stopped by SIGTERM while it embeds: one line, exit 143,
    the run "bị dừng" with the signal, nothing half-written, the old version serving."""
    items = "\n\n".join(
        f"{i}. Nhiệm vụ số {i} của đề án thử nghiệm: số hóa hồ sơ của thủ tục nhóm {i}."
        for i in range(1, 80)
    )
    path = tmp_path / "de-an.md"
    path.write_text(
        NEW_DOC.replace("II. GIẢI PHÁP", f"III. NHIỆM VỤ\n\n{items}\n\nII. GIẢI PHÁP"),
        encoding="utf-8",
    )
    before = current_version_dir(data.index_root)
    proc = subprocess.Popen(
        [sys.executable, "-m", "retrieval.cli.main", "reindex", str(path)],
        env=child_env(data), cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    seen = b""
    deadline = time.monotonic() + 240
    while not embedding(seen) and time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 256)
        if not chunk:
            break
        seen += chunk
    assert embedding(seen), seen.decode(errors="replace")
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    text = (seen + rest).decode()
    assert "SIGTERM" in text.splitlines()[-1] and "Traceback" not in text
    last = runs(data)[0]
    assert last["outcome"] == "bị dừng" and last["summary"] == "SIGTERM"
    assert current_version_dir(data.index_root) == before
    assert leftovers(data) == []
    assert read_manifest(before).document_count == 6
