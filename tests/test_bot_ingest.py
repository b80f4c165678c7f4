"""Admin ingestion from Telegram, end to end: the real Application and HTTP client, the fake
Bot API server (getFile and its file endpoint), the real loaders, ``AdminService`` and index.

The module has a data dir of its own (a copy of the session's index), so that what the tests
add or remove never reaches the index the other bot tests use.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from pathlib import Path

import pytest
import pytest_asyncio

from bot import texts
from bot.admin import ingest, rebuild
from bot.testing.fake_api import Call
from bot.testing.harness import BotHarness, parse_html, running_bot
from retrieval.config import Settings
from retrieval.embedding.encoder import Encoder
from retrieval.index.builder import BuildReport, Plan
from retrieval.index.lock import ReindexLock
from retrieval.index.versions import CURRENT, current_version_dir
from retrieval.knowledge.documents import parse_markdown
from retrieval.knowledge.loaders import LoaderError, load_file
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService
from tests.conftest import make_settings

in_session_loop = pytest.mark.asyncio(loop_scope="session")

ADMIN = 4242
SLOW = 180.0  # a reindex on two shared cores can take a while

UPLOAD_MD = """---
id: kh-lam-son-xanh-2026
title: Kế hoạch hỗ trợ ký số hồ sơ năm 2026 của tỉnh Lam Sơn Xanh
kind: kế hoạch
number: 45/KH-UBND
issuer: Ủy ban nhân dân tỉnh Lam Sơn Xanh
issued: 2026-03-10
summary: Kế hoạch thử nghiệm về hỗ trợ người dân ký số hồ sơ năm 2026.
---

I. MỤC TIÊU

1. Đến hết năm 2026, toàn bộ hồ sơ thủ tục hành chính của tỉnh được ký số.

II. GIẢI PHÁP

1. Thành lập đội Hoa Sen Vàng để hỗ trợ người dân ký số hồ sơ tại bộ phận một cửa.
"""
UPLOAD_QUESTION = "Đội Hoa Sen Vàng hỗ trợ người dân làm gì?"

OFFICIAL_TXT = """ỦY BAN NHÂN DÂN
TỈNH BẮC NGÂN HÀ
Số: 77/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bắc Ngân Hà, ngày 20 tháng 4 năm 2026

KẾ HOẠCH
Rà soát thủ tục hành chính năm 2026

I. MỤC TIÊU
1. Cắt giảm ít nhất 20% thời gian giải quyết thủ tục hành chính cấp tỉnh.
II. GIẢI PHÁP
1. Thành lập tổ rà soát Chim Lạc để đề xuất cắt giảm thủ tục hành chính.
"""

REMOVE_MD = """---
id: kh-canh-dieu-bac-2026
title: Kế hoạch tiếp nhận phản ánh năm 2026 của huyện Cánh Diều
kind: kế hoạch
number: 9/KH-UBND
issuer: Ủy ban nhân dân huyện Cánh Diều
issued: 2026-02-02
summary: Kế hoạch thử nghiệm về tiếp nhận phản ánh, kiến nghị năm 2026.
---

I. GIẢI PHÁP

1. Thành lập tổ Cánh Diều Bạc để tiếp nhận phản ánh của người dân qua tổng đài 1022.
"""
REMOVE_QUESTION = "Tổ Cánh Diều Bạc tiếp nhận phản ánh của người dân qua đâu?"

PICKUP_MD = """---
id: ct-mam-xanh-so-2026
title: Chương trình Mầm Xanh Số về dịch vụ công năm 2026
kind: kế hoạch
number: 3/CTr-UBND
issuer: Ủy ban nhân dân tỉnh Sông Ngọc
issued: 2026-01-15
summary: Chương trình thử nghiệm về dịch vụ công trực tuyến cho học sinh năm 2026.
---

I. NHIỆM VỤ

1. Chương trình Mầm Xanh Số hướng dẫn học sinh trung học phổ thông nộp hồ sơ trực tuyến.
"""
PICKUP_QUESTION = "Chương trình Mầm Xanh Số hướng dẫn học sinh làm gì?"


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(built_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data dir of this module's own, starting from a copy of the session's index."""
    settings = make_settings(tmp_path_factory.mktemp("ingest") / "data")
    live = current_version_dir(built_index.index_root)
    settings.index_root.mkdir(parents=True)
    shutil.copytree(live, settings.index_root / live.name)
    (settings.index_root / CURRENT).write_text(live.name)
    return settings


@pytest.fixture(scope="module")
def own_assistant(data: Settings, encoder: Encoder) -> AnsweringService:
    return AnsweringService(data, encoder=encoder)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bot(data: Settings, own_assistant: AnsweringService):
    db = data.data_dir / "bot.sqlite"
    async with running_bot(
        data, own_assistant, db, admin_ids=str(ADMIN), throttle_per_minute=0
    ) as harness:
        yield harness


# -- helpers ------------------------------------------------------------------------------------
def text_of(call: Call) -> str:
    return parse_html(call.params.get("text", ""))[0]


async def wait_text(
    bot: BotHarness,
    chat_id: int,
    needle: str,
    method: str = "sendMessage",
    since: float = 0.0,
) -> Call:
    """The first ``method`` call to ``chat_id`` (made after ``since``, a ``time.monotonic()``)
    whose visible text contains ``needle``."""
    calls = await bot.fake.wait_for(
        method,
        chat_id=chat_id,
        timeout=SLOW,
        where=lambda c: c.at >= since and needle in text_of(c),
    )
    return calls[0]


def markup_data(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def upload(bot: BotHarness, name: str, data: bytes, user: int = ADMIN) -> dict:
    """Send a file; return the bot's preview message (as last edited, with its buttons)."""
    before = len(bot.fake.calls_of("editMessageText", chat_id=user))
    bot.fake.send_document(name, data, user_id=user)
    calls = await bot.fake.wait_for("editMessageText", chat_id=user, count=before + 1, timeout=SLOW)
    edited = calls[before]
    return bot.fake.messages[(user, edited.params["message_id"])]


async def ask(bot: BotHarness, question: str) -> str:
    user = bot.new_user()
    msg = bot.fake.send_text(question, user_id=user)
    calls = await bot.fake.wait_for(
        "sendMessage",
        chat_id=user,
        timeout=SLOW,
        where=lambda c: (
            (c.params.get("reply_parameters") or {}).get("message_id") == msg["message_id"]
        ),
    )
    return text_of(calls[0])


async def add_directly(data: Settings, encoder: Encoder, text: str) -> BuildReport:
    doc = parse_markdown(text, "test.md")
    return await asyncio.to_thread(AdminService(data, encoder=encoder).add, [doc])


def quarantined(data: Settings) -> list[Path]:
    root = data.data_dir / "quarantine"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# -- the upload flow ----------------------------------------------------------------------------
@in_session_loop
async def test_admin_upload_confirm_then_cited(
    bot: BotHarness, data: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rebuild, "PROGRESS_EVERY", 0.02)
    preview = await upload(bot, "ke-hoach-ky-so.md", UPLOAD_MD.encode())
    # downloaded through getFile and the file endpoint, into quarantine
    assert bot.fake.calls_of("getFile")
    assert bot.fake.calls_of("file")
    files = quarantined(data)
    assert [f.name for f in files] == ["ke-hoach-ky-so.md"]
    # the detected metadata and what confirming would do
    text, _ = parse_html(preview["text"])
    assert "Kế hoạch hỗ trợ ký số hồ sơ năm 2026 của tỉnh Lam Sơn Xanh" in text
    assert "Loại: kế hoạch" in text
    assert "Số hiệu: 45/KH-UBND" in text
    assert "Ngày ban hành: 10/03/2026" in text
    assert "Cơ quan ban hành: Ủy ban nhân dân tỉnh Lam Sơn Xanh" in text
    assert "kh-lam-son-xanh-2026" in text
    assert "Văn bản mới" in text and "Số đoạn cần nhúng:" in text
    data_ids = markup_data(preview)
    assert len(data_ids) == 2 and data_ids[0].startswith("up:ok:")
    assert data_ids[1].startswith("up:no:")
    assert all(len(d.encode()) <= 64 for d in data_ids)
    assert not (data.data_dir / "documents" / "kh-lam-son-xanh-2026.md").exists()

    bot.fake.press(preview, data_ids[0], user_id=ADMIN)
    summary = await wait_text(bot, ADMIN, "Đã cập nhật chỉ mục")
    text = text_of(summary)
    assert "kh-lam-son-xanh-2026" in text
    assert "Mới: 1" in text and f"Văn bản: {len(bot.services.answering.documents())}" in text
    assert "Nhúng mới:" in text and "Dùng lại:" in text
    assert "nhúng" in text and "ghi chỉ mục" in text and "tổng" in text
    assert texts.REPORT_SERVING in text
    # progress was shown by editing a message, then marked finished
    edits = [text_of(c) for c in bot.fake.calls_of("editMessageText", chat_id=ADMIN)]
    assert any("đoạn" in e and ("Đang nhúng" in e or "Đã nhúng" in e) for e in edits)
    assert texts.REINDEX_FINISHED in edits
    # the buttons are gone from the preview; the file left quarantine for the document store
    assert not markup_data(bot.fake.messages[(ADMIN, preview["message_id"])])
    assert quarantined(data) == []
    assert (data.data_dir / "documents" / "kh-lam-son-xanh-2026.md").exists()
    # and the running bot answers from it at once
    answer = await ask(bot, UPLOAD_QUESTION)
    assert "Lam Sơn Xanh" in answer and "Hoa Sen Vàng" in answer

    # a stale press of the same button is told kindly that it expired
    bot.fake.press(preview, data_ids[0], user_id=ADMIN)
    await bot.fake.wait_for(
        "answerCallbackQuery", where=lambda c: c.params.get("text") == texts.PENDING_EXPIRED
    )


@in_session_loop
async def test_cancel_deletes_the_quarantined_file(bot: BotHarness, data: Settings) -> None:
    preview = await upload(bot, "ke-hoach-ra-soat.txt", OFFICIAL_TXT.encode())
    text, _ = parse_html(preview["text"])
    # detected from the official header of a plain text file
    assert "77/KH-UBND" in text and "20/04/2026" in text
    assert "Bắc Ngân Hà" in text
    assert [f.name for f in quarantined(data)] == ["ke-hoach-ra-soat.txt"]
    cancel = markup_data(preview)[1]
    bot.fake.press(preview, cancel, user_id=ADMIN)
    edited = await wait_text(bot, ADMIN, "Đã huỷ", method="editMessageText")
    assert "ke-hoach-ra-soat.txt" in text_of(edited)
    assert quarantined(data) == []
    stored = (data.data_dir / "documents").glob("*.md")
    assert not [p for p in stored if "Chim Lạc" in p.read_text(encoding="utf-8")]
    key = cancel.rsplit(":", 1)[1]
    assert bot.services.pending.get(key) is None


@in_session_loop
async def test_non_admin_upload_is_refused(bot: BotHarness, data: Settings) -> None:
    user = bot.new_user()
    getfiles = len(bot.fake.calls_of("getFile"))
    bot.fake.send_document("de-xuat.md", UPLOAD_MD.encode(), user_id=user)
    call = await wait_text(bot, user, "chỉ quản trị viên")
    assert call.params["text"] == texts.UPLOAD_REFUSED
    assert len(bot.fake.calls_of("getFile")) == getfiles  # not even downloaded
    # a non-admin pressing an admin's button is refused too
    fake_preview = {"message_id": 1, "chat": {"id": user, "type": "private"}, "date": 0}
    bot.fake.press(fake_preview, "up:ok:abcdefgh", user_id=user)
    await bot.fake.wait_for(
        "answerCallbackQuery", where=lambda c: c.params.get("text") == texts.ADMIN_BUTTON_ONLY
    )
    # and questions from non-admins are answered as before
    answer = await ask(bot, "Các giải pháp của Nghị quyết 76/NQ-CP là gì?")
    assert "76/NQ-CP" in answer


@in_session_loop
async def test_corrupt_or_unsupported_files_get_the_reason(
    bot: BotHarness, data: Settings, tmp_path: Path
) -> None:
    garbage = b"\x00\x01\x02\xff\xfe\x00 not text at all \x00\x9c"
    sample = tmp_path / "hong.txt"
    sample.write_bytes(garbage)
    with pytest.raises(LoaderError) as refused:
        load_file(sample, 20 * 1024 * 1024)
    status = await upload(bot, "hong.txt", garbage)
    text, _ = parse_html(status["text"])
    assert "Không đọc được tệp hong.txt" in text
    assert refused.value.code == "file_unknown_encoding" and "không nhận ra bảng mã" in text
    assert not markup_data(status)
    # the file stays in quarantine for an admin to look at
    assert "hong.txt" in [f.name for f in quarantined(data)]

    getfiles = len(bot.fake.calls_of("getFile"))
    bot.fake.send_document("bang-tinh.xlsx", b"PK\x03\x04", user_id=ADMIN)
    call = await wait_text(bot, ADMIN, "bang-tinh.xlsx")
    assert "chưa được hỗ trợ" in text_of(call)
    assert len(bot.fake.calls_of("getFile")) == getfiles


# -- /xoa, /reindex -----------------------------------------------------------------------------
@in_session_loop
async def test_remove_flow(bot: BotHarness, data: Settings, encoder: Encoder) -> None:
    await add_directly(data, encoder, REMOVE_MD)
    assert "tổng đài 1022" in await ask(bot, REMOVE_QUESTION)

    bot.fake.send_text("/xoa", user_id=ADMIN)
    usage = await wait_text(bot, ADMIN, "Cú pháp")
    assert "kh-canh-dieu-bac-2026" in text_of(usage)
    bot.fake.send_text("/xoa khong-co-van-ban-nay", user_id=ADMIN)
    await wait_text(bot, ADMIN, "Không có văn bản mã khong-co-van-ban-nay")

    bot.fake.send_text("/xoa kh-canh-dieu-bac-2026", user_id=ADMIN)
    ask_call = await wait_text(bot, ADMIN, "Gỡ văn bản này")
    assert "Kế hoạch tiếp nhận phản ánh năm 2026 của huyện Cánh Diều" in text_of(ask_call)
    message = bot.fake.messages[(ADMIN, ask_call.result["message_id"])]
    confirm, cancel = markup_data(message)
    assert confirm.startswith("rm:ok:") and cancel.startswith("rm:no:")
    bot.fake.press(message, confirm, user_id=ADMIN)
    summary = await wait_text(bot, ADMIN, "Đã gỡ văn bản")
    assert "Gỡ bỏ: 1" in text_of(summary)
    assert not (data.data_dir / "documents" / "kh-canh-dieu-bac-2026.md").exists()
    answer = await ask(bot, REMOVE_QUESTION)
    assert "tổng đài 1022" not in answer and "huyện Cánh Diều" not in answer


@in_session_loop
async def test_admin_commands_refused_for_non_admins(bot: BotHarness) -> None:
    user = bot.new_user()
    for command in ("/reindex", "/xoa kh-lam-son-xanh-2026"):
        before = len(bot.fake.calls_of("sendMessage", chat_id=user))
        bot.fake.send_text(command, user_id=user)
        calls = await bot.fake.wait_for("sendMessage", chat_id=user, count=before + 1)
        assert calls[before].params["text"] == texts.ADMIN_ONLY


@in_session_loop
async def test_reindex_rebuilds_and_reports(bot: BotHarness) -> None:
    bot.fake.send_text("/reindex", user_id=ADMIN)
    call = await wait_text(bot, ADMIN, "Chỉ mục không thay đổi")  # nothing changed since
    text = text_of(call)
    assert "Nhúng mới: 0" in text and "Thời gian:" in text


@in_session_loop
async def test_reindex_while_another_run_holds_the_lock(bot: BotHarness, data: Settings) -> None:
    with ReindexLock(data.index_root):  # as if `cchc reindex` were running
        bot.fake.send_text("/reindex", user_id=ADMIN)
        call = await wait_text(bot, ADMIN, "Cập nhật chỉ mục không thành công")
        assert "Một lượt cập nhật chỉ mục khác đang chạy" in text_of(call)
        # questions are still answered meanwhile
        assert "76/NQ-CP" in await ask(bot, "Các giải pháp của Nghị quyết 76/NQ-CP là gì?")


@in_session_loop
async def test_questions_are_answered_while_a_reindex_runs(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()

    class Gated(AdminService):
        """The real ``AdminService``, held at the start of its run until the test lets it go."""

        def rebuild(self, dry_run: bool = False) -> BuildReport:
            started.set()
            assert release.wait(SLOW)
            return super().rebuild(dry_run)

    monkeypatch.setattr(bot.services, "make_admin", Gated)
    since = time.monotonic()
    bot.fake.send_text("/reindex", user_id=ADMIN)
    try:
        assert await asyncio.to_thread(started.wait, SLOW)
        await wait_text(bot, ADMIN, "Đang chuẩn bị", since=since)
        # the event loop is free: questions are answered, from the version being served
        assert "76/NQ-CP" in await ask(bot, "Các giải pháp của Nghị quyết 76/NQ-CP là gì?")
        # and a second run is told to wait
        bot.fake.send_text("/reindex", user_id=ADMIN)
        call = await wait_text(bot, ADMIN, "Đang có một lượt cập nhật", since=since)
        assert call.params["text"] == texts.REINDEX_BUSY
    finally:
        release.set()
    await wait_text(bot, ADMIN, "Chỉ mục không thay đổi", since=since)


# -- the running bot picks up a new version -------------------------------------------------------
@in_session_loop
async def test_new_version_is_picked_up_without_reload(
    bot: BotHarness, data: Settings, encoder: Encoder
) -> None:
    before = bot.services.answering.index_version()
    report = await add_directly(data, encoder, PICKUP_MD)
    assert report.published
    answer = await ask(bot, PICKUP_QUESTION)
    assert "Mầm Xanh Số" in answer
    assert bot.services.answering.index_version() == report.version != before


@in_session_loop
async def test_pending_upload_survives_a_restart(
    data: Settings, own_assistant: AnsweringService
) -> None:
    db = data.data_dir / "restart.sqlite"
    async with running_bot(data, own_assistant, db, admin_ids=str(ADMIN)) as first:
        preview = await upload(first, "ke-hoach-ra-soat.txt", OFFICIAL_TXT.encode())
    async with running_bot(data, own_assistant, db, admin_ids=str(ADMIN)) as second:
        second.fake.messages[(ADMIN, preview["message_id"])] = preview
        second.fake.press(preview, markup_data(preview)[1], user_id=ADMIN)
        await wait_text(second, ADMIN, "Đã huỷ", method="editMessageText")
    assert not [f for f in quarantined(data) if f.name == "ke-hoach-ra-soat.txt"]


# -- pieces -------------------------------------------------------------------------------------
def test_safe_name_keeps_files_in_quarantine() -> None:
    assert ingest.safe_name("../../etc/passwd.md") == "passwd.md"
    assert ingest.safe_name("C:\\Users\\x\\Nghị quyết 76.docx") == "Nghị quyết 76.docx"
    assert ingest.safe_name(None) == "van-ban"
    assert ingest.safe_name("...") == "van-ban"
    assert len(ingest.safe_name("a" * 500 + ".pdf")) <= 104


def test_report_is_escaped_and_lists_duplicates() -> None:
    report = BuildReport(
        version="v1<2>",
        plan=Plan(new=["a"], duplicates=[("b&c", "d")], passages=10, to_embed=2),
        documents=2,
        passages=10,
        embedded=2,
        reused=8,
        seconds={"chunking": 0.01, "embedding": 1.25, "total": 2.0},
    )
    html = rebuild.render_report(report, action="<b>x</b>", switched=True)
    text, _ = parse_html(html)
    assert "v1<2>" in text and "b&c" in text and "(bỏ qua)" in text
    assert "nhúng 1,2 giây" in text or "nhúng 1,3 giây" in text
    assert "tổng 2,0 giây" in text
