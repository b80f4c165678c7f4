"""Admin reindexing: incremental, safe against crashes, one run at a time, recorded."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.domain.errors import ReindexBusyError, UnknownDocumentError
from retrieval.domain.messages import describe
from retrieval.domain.models import Document
from retrieval.domain.naming import validity_note
from retrieval.embedding.encoder import Encoder
from retrieval.index.lock import ReindexLock
from retrieval.index.run_log import ReindexLog
from retrieval.index.tantivy_index import FORMAT_FILE, TANTIVY_DIR, has_tantivy
from retrieval.index.versions import current_version_dir, read_manifest
from retrieval.knowledge.documents import parse_markdown
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService
from retrieval.service.setup import index_is_stale
from tests.conftest import copy_of_index

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Tổ công tác Sao Mai hướng dẫn người dân làm gì?"

NEW_DOC = """---
id: kh-hoa-binh-xanh-2026
title: Kế hoạch cải cách hành chính năm 2026 của tỉnh Hòa Bình Xanh
kind: kế hoạch
number: 12/KH-UBND
issuer: Ủy ban nhân dân tỉnh Hòa Bình Xanh
issued: 2026-01-05
summary: Kế hoạch thử nghiệm về hồ sơ trực tuyến năm 2026.
---

I. MỤC TIÊU

1. Đến hết năm 2026, tối thiểu 87% hồ sơ thủ tục hành chính của tỉnh được tiếp nhận trực tuyến.

II. GIẢI PHÁP

1. Thành lập tổ công tác Sao Mai để hướng dẫn người dân nộp hồ sơ trực tuyến tại nhà văn hóa.
"""


def new_doc(text: str = NEW_DOC) -> Document:
    return parse_markdown(text, "kh.md")


@pytest.fixture
def data(built_index: Settings, tmp_path: Path) -> Settings:
    """A data dir of its own, starting from a copy of the session's index."""
    return copy_of_index(built_index, tmp_path / "data")


def cited_docs(settings: Settings, encoder: Encoder, question: str) -> list[str]:
    answer = AnsweringService(settings, encoder=encoder).ask(question, k=3)
    return [h.document.id for h in answer.hits]


def test_identical_rebuild_embeds_nothing_and_publishes_nothing(
    data: Settings, encoder: Encoder
) -> None:
    before = current_version_dir(data.index_root)
    report = AdminService(data, encoder=encoder).rebuild()
    assert report.embedded == 0 and not report.published
    assert report.plan.nothing_to_do and len(report.plan.unchanged) == 6
    assert current_version_dir(data.index_root) == before


def test_a_change_of_lexical_engine_rebuilds_with_the_same_answers(
    data: Settings, encoder: Encoder
) -> None:
    """A version of the FTS5 default is stale under tantivy: ``cchc setup`` rebuilds it
    (embedding nothing), and the answers stay the same."""
    question = "Nguyên tắc thực hiện thủ tục hành chính là gì?"
    fts5 = data.model_copy(update={"lexical_engine": "fts5"})
    assert AdminService(fts5, encoder=encoder).rebuild().published  # tantivy → FTS5
    assert not has_tantivy(current_version_dir(data.index_root))
    assert index_is_stale(data) and not index_is_stale(fts5)
    before = cited_docs(fts5, encoder, question)
    report = AdminService(data, encoder=encoder).rebuild()
    assert report.published and report.embedded == 0
    assert has_tantivy(current_version_dir(data.index_root)) and not index_is_stale(data)
    assert AnsweringService(data, encoder=encoder).searcher.lexical.engine == "tantivy"
    assert cited_docs(data, encoder, question) == before


def test_a_tantivy_index_of_an_earlier_format_is_searched_then_rebuilt(
    data: Settings, encoder: Encoder
) -> None:
    """A tantivy index that does not say it holds whole syllables (made before they were
    indexed) is searched term piece by piece, with the same answers, and ``cchc setup``
    rebuilds it without embedding anything."""
    question = "Nghị định 63/2010/NĐ-CP có hiệu lực thi hành từ ngày nào?"
    before = cited_docs(data, encoder, question)
    marker = current_version_dir(data.index_root) / TANTIVY_DIR / FORMAT_FILE
    marker.unlink()
    assert index_is_stale(data)
    assert cited_docs(data, encoder, question) == before
    report = AdminService(data, encoder=encoder).rebuild()
    assert report.published and report.embedded == 0 and not index_is_stale(data)
    assert (current_version_dir(data.index_root) / TANTIVY_DIR / FORMAT_FILE).is_file()
    assert cited_docs(data, encoder, question) == before


def test_add_cite_readd_duplicate_remove(data: Settings, encoder: Encoder) -> None:
    reindexer = AdminService(data, encoder=encoder)
    plan = reindexer.add([new_doc()], dry_run=True).plan
    assert plan.new == ["kh-hoa-binh-xanh-2026"] and plan.to_embed >= 2
    assert current_version_dir(data.index_root) is not None

    report = reindexer.add([new_doc()])
    assert report.published and report.embedded == plan.to_embed
    assert cited_docs(data, encoder, QUESTION)[0] == "kh-hoa-binh-xanh-2026"
    assert (data.data_dir / "documents" / "kh-hoa-binh-xanh-2026.md").exists()

    again = reindexer.add([new_doc()])
    assert again.embedded == 0 and not again.published
    manifest = read_manifest(current_version_dir(data.index_root))
    assert manifest.document_count == 7

    twin = reindexer.add([new_doc(NEW_DOC.replace("kh-hoa-binh-xanh-2026", "ban-sao"))])
    assert twin.plan.duplicates == [("ban-sao", "kh-hoa-binh-xanh-2026")]
    assert read_manifest(current_version_dir(data.index_root)).document_count == 7

    reindexer.remove("kh-hoa-binh-xanh-2026")
    assert "kh-hoa-binh-xanh-2026" not in cited_docs(data, encoder, QUESTION)
    assert not (data.data_dir / "documents" / "kh-hoa-binh-xanh-2026.md").exists()
    with pytest.raises(UnknownDocumentError):
        reindexer.remove("khong-co")


def test_passage_ids_are_stable_across_versions(data: Settings, encoder: Encoder) -> None:
    assistant = AnsweringService(data, encoder=encoder)
    before = {p.content_hash: p.id for p in assistant.searcher.version.store.all_passages()}
    AdminService(data, encoder=encoder).add([new_doc()])
    assert assistant.reload_if_changed()
    after = {p.content_hash: p.id for p in assistant.searcher.version.store.all_passages()}
    assert all(after[h] == i for h, i in before.items())
    assert len(after) == len(before) + len(set(after) - set(before))


def test_supersedes_marks_the_old_document(data: Settings, encoder: Encoder) -> None:
    newer = NEW_DOC.replace("12/KH-UBND", "99/NQ-CP")
    AdminService(data, encoder=encoder).add([new_doc(newer)], supersedes=["76/nq-cp"])
    answer = AnsweringService(data, encoder=encoder).ask("Các quan điểm của Nghị quyết 76/NQ-CP")
    cites = [c for c in answer.citations if c.hit.document.id.startswith("nq-76")]
    warning = cites and validity_note(cites[0].hit.passage, cites[0].hit.document)
    assert warning and "bị thay thế" in warning and "99/NQ-CP" in warning
    # It survives a rebuild from knowledge/: the change is kept in the data dir.
    AdminService(data, encoder=encoder).rebuild()
    answer = AnsweringService(data, encoder=encoder).ask("Các quan điểm của Nghị quyết 76/NQ-CP")
    notes = [validity_note(c.hit.passage, c.hit.document) or "" for c in answer.citations]
    assert any("bị thay thế" in note for note in notes)


def test_second_run_refuses_while_one_holds_the_lock(data: Settings, encoder: Encoder) -> None:
    with ReindexLock(data.index_root):
        with pytest.raises(ReindexBusyError) as busy:
            AdminService(data, encoder=encoder).add([new_doc()])
    assert busy.value.details["pid"] == os.getpid()
    assert "đang chạy" in describe(busy.value)
    assert AdminService(data, encoder=encoder).add([new_doc()]).published


def test_runs_are_recorded(data: Settings, encoder: Encoder) -> None:
    AdminService(data, encoder=encoder, who="admin-test").add([new_doc()])
    with pytest.raises(UnknownDocumentError):
        AdminService(data, encoder=encoder).remove("khong-co")
    log = ReindexLog(data.data_dir / "reindex_runs.sqlite")
    runs = log.recent()
    log.close()
    assert runs[0]["action"] == "remove" and runs[0]["outcome"] == "thất bại"
    assert runs[1]["who"] == "admin-test" and runs[1]["outcome"] == "thành công"
    assert "kh-hoa-binh-xanh-2026" in runs[1]["details"]


def test_sigkill_during_embedding_leaves_the_live_version_serving(
    data: Settings, encoder: Encoder, tmp_path: Path
) -> None:
    """Kill a real `cchc reindex` mid-embedding; search still answers from the old version,
    and the next run finishes, embedding only what the killed run had not saved."""
    items = "\n\n".join(
        f"{i}. Nhiệm vụ số {i} của đề án thử nghiệm: xây dựng quy trình điện tử cho thủ tục "
        f"hành chính nhóm {i}, bảo đảm công khai, minh bạch và thời hạn giải quyết {i} ngày."
        for i in range(1, 61)
    )
    big = NEW_DOC.replace("II. GIẢI PHÁP", f"III. NHIỆM VỤ CỤ THỂ\n\n{items}\n\nII. GIẢI PHÁP")
    path = tmp_path / "de-an.md"
    path.write_text(big.replace("kh-hoa-binh-xanh-2026", "de-an-lon"), encoding="utf-8")
    before = current_version_dir(data.index_root)
    env = {
        **os.environ,
        "CCHC_DATA_DIR": str(data.data_dir),
        "CCHC_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "retrieval.cli.main", "reindex", str(path)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, cwd=ROOT,
    )  # fmt: skip
    seen = b""
    deadline = time.monotonic() + 240
    progress = re.compile(rb"nh\xc3\xbang: (\d+)/(\d+)")  # "Đang nhúng: 16/124 đoạn"

    def midway() -> bool:
        return any(0 < int(a) < int(b) for a, b in progress.findall(seen))

    while not midway() and time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 256)
        if not chunk:
            break
        seen += chunk
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert midway(), seen.decode(errors="replace")

    assert current_version_dir(data.index_root) == before
    answer = AnsweringService(data, encoder=encoder).ask("Bài học kinh nghiệm thứ nhất là gì?")
    assert answer.hits and not answer.abstained
    assert "de-an-lon" not in {h.document.id for h in answer.hits}

    docs = [parse_markdown(path.read_text(encoding="utf-8"), str(path))]
    report = AdminService(data, encoder=encoder).add(docs)
    assert report.published and 0 < report.embedded < report.plan.passages
    assert report.reused > 165  # the killed run's finished batches were kept
    hits = AnsweringService(data, encoder=encoder).ask("Nhiệm vụ số 37 của đề án thử nghiệm").hits
    assert hits[0].document.id == "de-an-lon"
    leftovers = [p for p in data.index_root.glob("v*") if not (p / "manifest.json").exists()]
    assert leftovers == []


def test_swap_waits_for_searches_in_flight(data: Settings, encoder: Encoder) -> None:
    """Questions asked from worker threads while new versions are published all succeed."""
    from concurrent.futures import ThreadPoolExecutor

    assistant = AnsweringService(data, encoder=encoder)
    reindexer = AdminService(data, encoder=encoder)
    questions = ["Bài học kinh nghiệm thứ nhất là gì?", "Giải pháp về kỷ luật hành chính"] * 10

    def ask(q: str) -> bool:
        assistant.reload_if_changed()
        return bool(assistant.ask(q).hits)

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(ask, q) for q in questions]
        reindexer.add([new_doc()])
        reindexer.remove("kh-hoa-binh-xanh-2026")
        results = [f.result() for f in futures]
    assert all(results)
