"""The bot end to end: real Application, real HTTP client, fake Bot API server, real index."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time

import pytest
import pytest_asyncio

from bot import texts
from bot.access import Access
from bot.testing.harness import BotHarness, parse_html, running_bot
from retrieval.domain import messages
from retrieval.domain.messages import ABSTAIN
from retrieval.domain.models import QuestionProblem
from retrieval.domain.naming import document_date

pytestmark = pytest.mark.asyncio(loop_scope="session")

ADMIN = 42
GROUP = -1001234567
QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bot(built_index, assistant, tmp_path_factory):
    db = tmp_path_factory.mktemp("bot") / "bot.sqlite"
    async with running_bot(
        built_index, assistant, db, admin_ids=str(ADMIN), throttle_per_minute=4, typing_delay=0
    ) as harness:
        yield harness


async def ask(bot: BotHarness, text: str, *, user: int | None = None, **kwargs) -> tuple:
    """Send ``text`` and return (the user's message, the bot's first reply's params)."""
    user = user or bot.new_user()
    chat_id = kwargs.get("chat_id", user)
    before = len(bot.fake.calls_of("sendMessage", chat_id=chat_id))
    msg = bot.fake.send_text(text, user_id=user, **kwargs)
    calls = await bot.fake.wait_for("sendMessage", chat_id=chat_id, count=before + 1)
    return msg, calls[before].params


def buttons(params: dict) -> list[dict]:
    markup = params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def last_bot_message(bot: BotHarness, chat_id: int) -> dict:
    return bot.fake.sent(chat_id)[-1]


# -- commands -------------------------------------------------------------------------------
async def test_start_lists_documents_and_example_buttons(bot: BotHarness) -> None:
    _, reply = await ask(bot, "/start")
    assert reply["parse_mode"] == "HTML"
    text, _ = parse_html(reply["text"])
    assert "Xin chào" in text
    docs = bot.services.answering.documents()
    assert docs
    for doc in docs:
        assert doc.title in text
        if date := document_date(doc):
            assert date in text
    examples = buttons(reply)
    assert [b["callback_data"] for b in examples] == ["ex:0", "ex:1", "ex:2"]
    assert all(b["text"] for b in examples)
    assert bot.fake.calls_of("setMyCommands"), "the command menu is published at start-up"


async def test_help_and_vanban(bot: BotHarness) -> None:
    user = bot.new_user()
    _, help_reply = await ask(bot, "/help", user=user)
    text, _ = parse_html(help_reply["text"])
    assert "/hoi" in text and "/vanban" in text and "@cchc_test_bot" in text
    assert "/thongke" not in text  # admin commands only shown to admins
    _, reply = await ask(bot, "/vanban", user=user)
    text, _ = parse_html(reply["text"])
    entries = text.split("\n\n")[1:-1]  # the head, one entry per document, the hint
    docs = bot.services.answering.documents()
    assert len(entries) == len(docs)
    for doc, entry in zip(docs, entries, strict=True):
        assert doc.title in entry and f"Mã: {doc.id}" in entry  # ids, for /xoa and quiz topics
        if doc.number:
            assert doc.number in entry
        # validity only for documents that have one: a news article is not "in force"
        assert ("còn hiệu lực" in entry) == (doc.kind in ("nghị quyết", "pháp điển"))
    assert any(d.kind == "tin bài" for d in docs)
    assert "/xoa" in text and "/quiz" in text


async def test_myid_in_private_and_in_a_group(bot: BotHarness) -> None:
    user = bot.new_user()
    _, reply = await ask(bot, "/myid", user=user)
    text, _ = parse_html(reply["text"])
    assert f"Số id Telegram của bạn: {user}" in text and "id của nhóm" not in text
    group = dict(chat_id=GROUP - 3, chat_type="supergroup")
    _, reply = await ask(bot, "/myid@cchc_test_bot", user=user, **group)
    text, _ = parse_html(reply["text"])
    assert f"Số id Telegram của bạn: {user}" in text
    assert f"Số id của nhóm này: {GROUP - 3}" in text
    assert reply["reply_parameters"]["message_id"]  # a reply to the command
    bot.fake.send_text("/myid@another_bot", user_id=user, **group)  # not for us
    await bot.settled()
    assert len(bot.fake.calls_of("sendMessage", chat_id=GROUP - 3)) == 1


async def test_unknown_command_and_sticker_get_polite_lines(bot: BotHarness) -> None:
    user = bot.new_user()
    _, reply = await ask(bot, "/khongcolenhnay", user=user)
    assert reply["text"] == texts.UNKNOWN_COMMAND
    bot.fake.send_sticker(user_id=user)
    calls = await bot.fake.wait_for("sendMessage", chat_id=user, count=2)
    assert calls[1].params["text"] == texts.NOT_TEXT


# -- questions ------------------------------------------------------------------------------
async def test_private_question_gets_cited_html_answer(bot: BotHarness) -> None:
    user = bot.new_user()
    msg, reply = await ask(bot, QUESTION, user=user)
    assert reply["parse_mode"] == "HTML"
    assert reply["reply_parameters"]["message_id"] == msg["message_id"]
    text, _ = parse_html(reply["text"])  # well-formed HTML (the fake also checks it)
    assert "📌 IV. GIẢI PHÁP THỰC HIỆN [1]" in text  # the direct answer, then the whole list
    assert "\n1. Tăng cường công tác chỉ đạo" in text and "\n6. Đẩy mạnh ứng dụng" in text
    assert "[1]" in text and "Nguồn trích dẫn" in text
    assert "Nghị quyết" in text and "76/NQ-CP" in text
    assert "mục:" in text
    # the typing indicator was shown while searching
    assert bot.fake.calls_of("sendChatAction", chat_id=user, action="typing")
    # buttons: full passages, more results, feedback — all within 64 bytes
    data = [b["callback_data"] for b in buttons(reply)]
    assert any(d.startswith("full:") for d in data)
    assert any(d.startswith("more:") for d in data)
    assert any(d.startswith("fb:") and d.endswith(":1") for d in data)
    assert all(len(d.encode()) <= 64 for d in data)
    # logged with its cited passage ids and latency, and the user's numeric id only
    rows = list(bot.services.database.query("SELECT * FROM questions WHERE user_id = ?", [user]))
    assert len(rows) == 1
    assert rows[0]["question"] == QUESTION and not rows[0]["abstained"]
    assert json.loads(rows[0]["passage_ids"]) and rows[0]["latency_ms"] > 0


async def test_question_text_is_escaped(bot: BotHarness) -> None:
    question = "<b>Giải pháp</b> & bài học cải cách hành chính là gì?"
    _, reply = await ask(bot, question)
    assert "&lt;b&gt;Giải pháp&lt;/b&gt; &amp; bài học" in reply["text"]
    text, _ = parse_html(reply["text"])
    assert question in text


async def test_abstention_is_honest_and_suggests_how_to_ask(bot: BotHarness) -> None:
    _, reply = await ask(bot, "Giá vàng SJC hôm nay bao nhiêu một lượng?")
    text, _ = parse_html(reply["text"])
    assert ABSTAIN in text and "Gợi ý" in text
    assert "[1]" not in text


async def test_too_long_message_gets_a_kind_reply(bot: BotHarness) -> None:
    _, reply = await ask(bot, "cải cách hành chính " * 250)  # 5,000 characters
    assert "quá dài" in reply["text"]


@pytest.mark.parametrize("letter", ["b", "g", "đ", "B)", "là gì?"])
async def test_a_question_with_no_content_word_is_refused(bot: BotHarness, letter: str) -> None:
    """Issue 15, defect 6: "b" was answered with citations of list markers like "b)"."""
    _, reply = await ask(bot, letter)
    text, _ = parse_html(reply["text"])
    assert text == messages.question_problem(QuestionProblem(code="no_content"))
    assert "[1]" not in text and not buttons(reply)


async def test_ten_users_at_once_all_answered(bot: BotHarness) -> None:
    users = [bot.new_user() for _ in range(10)]
    for user in users:
        bot.fake.send_text("Bài học kinh nghiệm trong cải cách hành chính là gì?", user_id=user)
    for user in users:
        calls = await bot.fake.wait_for("sendMessage", chat_id=user, timeout=60)
        assert "[1]" in calls[0].params["text"]


# -- groups ---------------------------------------------------------------------------------
async def test_group_answers_only_when_addressed(bot: BotHarness) -> None:
    user = bot.new_user()
    group = dict(chat_id=GROUP, chat_type="supergroup", user_id=user)
    bot.fake.send_text("Bài học kinh nghiệm trong cải cách hành chính là gì?", **group)
    mention = bot.fake.send_text(
        "@cchc_test_bot Bài học kinh nghiệm trong cải cách hành chính là gì?", **group
    )
    calls = await bot.fake.wait_for("sendMessage", chat_id=GROUP)
    assert calls[0].params["reply_parameters"]["message_id"] == mention["message_id"]
    assert "[1]" in calls[0].params["text"]

    hoi = bot.fake.send_text(f"/hoi@cchc_test_bot {QUESTION}", **group)
    calls = await bot.fake.wait_for("sendMessage", chat_id=GROUP, count=2)
    assert calls[1].params["reply_parameters"]["message_id"] == hoi["message_id"]
    assert "GIẢI PHÁP THỰC HIỆN" in calls[1].params["text"]

    answer = last_bot_message(bot, GROUP)
    reply = bot.fake.send_text("Còn hạn chế thì sao?", reply_to=answer, **group)
    calls = await bot.fake.wait_for("sendMessage", chat_id=GROUP, count=3)
    assert calls[2].params["reply_parameters"]["message_id"] == reply["message_id"]

    # the first, unaddressed question was never answered
    await bot.settled()
    replied_to = {
        c.params["reply_parameters"]["message_id"]
        for c in bot.fake.calls_of("sendMessage", chat_id=GROUP)
    }
    assert len(bot.fake.calls_of("sendMessage", chat_id=GROUP)) == 3
    assert mention["message_id"] - 1 not in replied_to


async def test_group_hoi_without_question_explains(bot: BotHarness) -> None:
    user = bot.new_user()
    _, reply = await ask(bot, "/hoi", user=user, chat_id=GROUP - 1, chat_type="group")
    assert reply["text"] == texts.ASK_EMPTY


# -- buttons --------------------------------------------------------------------------------
async def _answered(bot: BotHarness, user: int, question: str = QUESTION) -> dict:
    await ask(bot, question, user=user)
    return last_bot_message(bot, user)


def buttons_starting(message: dict, prefix: str) -> list[str]:
    return [b["callback_data"] for b in buttons(message) if b["callback_data"].startswith(prefix)]


def _data(message: dict, prefix: str) -> str:
    return next(
        b["callback_data"] for b in buttons(message) if b["callback_data"].startswith(prefix)
    )


async def test_full_passages_button(bot: BotHarness) -> None:
    user = bot.new_user()
    answer = await _answered(bot, user)
    bot.fake.press(answer, _data(answer, "full:"), user_id=user)
    calls = await bot.fake.wait_for("sendMessage", chat_id=user, count=2)
    full = "\n".join(c.params["text"] for c in calls[1:])
    assert "<blockquote>" in full and "[1]" in full
    await bot.fake.wait_for("answerCallbackQuery")


async def test_more_results_button_shows_next_page(bot: BotHarness) -> None:
    user = bot.new_user()
    answer = await _answered(bot, user)
    bot.fake.press(answer, _data(answer, "more:"), user_id=user)
    calls = await bot.fake.wait_for("sendMessage", chat_id=user, count=2)
    text, _ = parse_html(calls[1].params["text"])
    first, _ = parse_html(calls[0].params["text"])
    assert "trang 2" in text and "[1]" in text and "Nguồn trích dẫn" in text
    # more passages of the document the question names, none quoted in the answer itself
    quoted = text.split("\n\n")[1].split("\n")[1].removeprefix("• ")[:60]
    assert quoted and quoted not in first
    sources = text.split("Nguồn trích dẫn")[1]
    assert "76/NQ-CP" in sources and "08-NQ/TU" not in sources
    assert not buttons_starting(last_bot_message(bot, user), "more:")  # nothing else on topic
    # its own buttons work too
    page = last_bot_message(bot, user)
    bot.fake.press(page, _data(page, "full:"), user_id=user)
    calls = await bot.fake.wait_for("sendMessage", chat_id=user, count=3)
    assert "[1]" in calls[2].params["text"] and "<blockquote>" in calls[2].params["text"]


async def test_feedback_is_stored_and_marked(bot: BotHarness) -> None:
    user = bot.new_user()
    answer = await _answered(bot, user)
    like = _data(answer, "fb:")
    key = like.split(":")[1]
    bot.fake.press(answer, like, user_id=user)
    await bot.fake.wait_for("editMessageReplyMarkup", chat_id=user)
    acks = await bot.fake.wait_for("answerCallbackQuery", text=texts.FEEDBACK_THANKS)
    assert acks
    rows = list(bot.services.database.query("SELECT * FROM feedback WHERE key = ?", [key]))
    assert [(r["user_id"], r["value"]) for r in rows] == [(user, 1)]
    marked = last_bot_message(bot, user)
    assert any(b["text"].startswith("✅") for b in buttons(marked))
    # pressing the same vote again: Telegram says "not modified", the bot shrugs it off
    bot.fake.press(marked, like, user_id=user)
    await bot.fake.wait_for("editMessageReplyMarkup", chat_id=user, ok_only=False, count=2)
    await bot.fake.wait_for("answerCallbackQuery", text=texts.FEEDBACK_THANKS, count=2)
    await bot.settled()
    assert not bot.fake.calls_of("sendMessage", chat_id=user, text=texts.ERROR)
    # changing one's mind replaces the vote
    bot.fake.press(marked, f"fb:{key}:0", user_id=user)
    await bot.fake.wait_for("answerCallbackQuery", text=texts.FEEDBACK_THANKS, count=3)
    rows = list(bot.services.database.query("SELECT * FROM feedback WHERE key = ?", [key]))
    assert [r["value"] for r in rows] == [-1]


async def test_unknown_or_stale_buttons_say_expired(bot: BotHarness) -> None:
    user = bot.new_user()
    answer = await _answered(bot, user)
    for data in ("full:AAAAAAAA", "more:AAAAAAAA:1", "fb:AAAAAAAA:1", "quiz:old", "ex:9"):
        bot.fake.press(answer, data, user_id=user)
    acks = await bot.fake.wait_for("answerCallbackQuery", text=texts.EXPIRED, count=5)
    assert all(a.params.get("show_alert") for a in acks)


async def test_example_button_asks_the_example(bot: BotHarness) -> None:
    user = bot.new_user()
    await ask(bot, "/start", user=user)
    welcome = last_bot_message(bot, user)
    bot.fake.press(welcome, "ex:0", user_id=user)
    calls = await bot.fake.wait_for("sendMessage", chat_id=user, count=2)
    assert bot.services.examples[0] in parse_html(calls[1].params["text"])[0]
    assert "[1]" in calls[1].params["text"]


# -- limits and access ----------------------------------------------------------------------
async def test_throttle_answers_kindly(bot: BotHarness) -> None:
    user = bot.new_user()
    for _ in range(5):
        bot.fake.send_text("Bài học kinh nghiệm trong cải cách hành chính?", user_id=user)
    calls = await bot.fake.wait_for("sendMessage", chat_id=user, count=5)
    throttled = [c for c in calls if "hỏi hơi nhanh" in c.params["text"]]
    assert len(throttled) == 1
    assert "4 câu mỗi phút" in throttled[0].params["text"]


async def test_allowlist_refuses_politely_and_logs(bot: BotHarness, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    svc = bot.services
    saved = svc.access
    member, outsider = bot.new_user(), bot.new_user()
    svc.access = Access(admin_ids=saved.admin_ids, allowed_users=frozenset({member}))
    try:
        _, reply = await ask(bot, QUESTION, user=outsider)
        text, _ = parse_html(reply["text"])
        assert reply["text"].startswith(texts.REFUSED)
        # the refused user is told the id to send to an admin
        assert f"Số id Telegram của bạn là {outsider}" in text and "quản trị viên" in text
        _, reply = await ask(bot, QUESTION, user=member)
        assert "[1]" in reply["text"]
        # in an unlisted group, unaddressed chatter is ignored silently
        group = dict(chat_id=GROUP - 7, chat_type="group")
        bot.fake.send_text("xin chào mọi người", user_id=outsider, **group)
        _, reply = await ask(bot, f"/hoi {QUESTION}", user=outsider, **group)
        text, _ = parse_html(reply["text"])
        assert reply["text"].startswith(texts.REFUSED)
        assert str(outsider) in text and f"nhóm này là {GROUP - 7}" in text
        assert len(bot.fake.calls_of("sendMessage", chat_id=GROUP - 7)) == 1
        # /myid is open to everyone: learning one's id is how one gets in
        _, reply = await ask(bot, "/myid", user=outsider)
        text, _ = parse_html(reply["text"])
        assert f"Số id Telegram của bạn: {outsider}" in text and "CCHC_ALLOWED_USERS" in text
    finally:
        svc.access = saved
    refusals = list(svc.database.query("SELECT * FROM refusals WHERE user_id = ?", [outsider]))
    assert len(refusals) == 2  # /myid is not a refusal
    assert f"người dùng {outsider}" in caplog.text


async def test_admin_commands(bot: BotHarness) -> None:
    _, reply = await ask(bot, "/thongke")
    assert reply["text"] == texts.ADMIN_ONLY
    await ask(bot, QUESTION, user=ADMIN)
    _, reply = await ask(bot, "/thongke", user=ADMIN)
    text, _ = parse_html(reply["text"])
    assert "Người dùng:" in text and "Câu hỏi:" in text and "trung vị" in text
    stats = bot.services.question_log.stats()
    assert stats.questions >= 1 and stats.users >= 1
    assert f"Câu hỏi: {stats.questions}" in text or "Câu hỏi:" in text
    _, reply = await ask(bot, "/reload", user=ADMIN)
    assert "Chỉ mục không thay đổi" in reply["text"]
    _, reply = await ask(bot, "/help", user=ADMIN)
    assert "/thongke" in reply["text"]


# -- robustness -----------------------------------------------------------------------------
async def test_429_is_retried_and_the_answer_arrives(bot: BotHarness) -> None:
    user = bot.new_user()
    bot.fake.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    _, reply = await ask(bot, QUESTION, user=user)
    assert "[1]" in reply["text"]
    failed = [c for c in bot.fake.calls_of("sendMessage", ok_only=False) if c.status == 429]
    assert failed
    assert time.monotonic() - started >= 1.0


async def test_error_handler_tells_the_user_without_traceback(bot: BotHarness, caplog) -> None:
    user = bot.new_user()
    bot.fake.fail("sendMessage", 400, "Bad Request: something unexpected")
    bot.fake.send_text(QUESTION, user_id=user)
    calls = await bot.fake.wait_for("sendMessage", chat_id=user)
    assert calls[0].params["text"] == texts.ERROR
    assert "Traceback" not in calls[0].params["text"]
    assert "Lỗi khi xử lý cập nhật" in caplog.text


async def test_bad_html_falls_back_to_plain_text(bot: BotHarness) -> None:
    user = bot.new_user()
    bot.fake.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag")
    _, reply = await ask(bot, QUESTION, user=user)
    assert "parse_mode" not in reply and "[1]" in reply["text"] and "<b>" not in reply["text"]


async def test_polling_survives_5xx_and_network_errors(bot: BotHarness) -> None:
    bot.fake.fail("getUpdates", 502, times=2)
    bot.fake.fail("getUpdates", 500)
    await bot.fake.wait_for("getUpdates", ok_only=False, where=lambda c: c.status == 500)
    _, reply = await ask(bot, QUESTION)
    assert "[1]" in reply["text"]


async def test_answers_while_sqlite_is_locked_for_a_moment(bot: BotHarness) -> None:
    user = bot.new_user()
    conn = sqlite3.connect(
        bot.settings.bot_db_path, timeout=5, isolation_level=None, check_same_thread=False
    )
    conn.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(1.0, conn.execute, ["COMMIT"])
    release.start()
    try:
        _, reply = await ask(bot, QUESTION, user=user)
    finally:
        release.join()
        conn.close()
    assert "[1]" in reply["text"]
    assert buttons(reply), "the log write waited for the lock and the buttons work"
    rows = list(bot.services.database.query("SELECT id FROM questions WHERE user_id = ?", [user]))
    assert len(rows) == 1


async def test_token_never_logged(bot: BotHarness, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # httpx logs URLs, which hold the token
    caplog.set_level(logging.DEBUG, logger="telegram")
    bot.fake.fail("sendMessage", 429, retry_after=1)
    bot.fake.fail("sendChatAction", 500)
    _, reply = await ask(bot, QUESTION)
    assert "[1]" in reply["text"]
    assert "getUpdates" in caplog.text or "sendMessage" in caplog.text
    secret = bot.fake.token.split(":", 1)[1]
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in record.getMessage()
