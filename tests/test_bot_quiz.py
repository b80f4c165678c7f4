"""Quiz polls end to end: the real Application, real HTTP, the fake Bot API server, SQLite.

Poll answers are injected as ``poll_answer`` updates, as Telegram sends them. Group sessions use
periods of a couple of seconds (``quiz_min_period=1`` in these tests; 5 s in production).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import build_application
from bot.quiz import texts
from bot.quiz.args import parse_args
from bot.quiz.questions import source_key
from bot.runner import start, stop
from bot.storage.quiz_state import QuizAnswer, QuizState
from bot.storage.sqlite import Database
from bot.testing.fake_api import Call, FakeTelegram
from bot.testing.harness import BotHarness, bot_settings, parse_html, running_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")

ADMIN = 4242
TRAINER = 7001
A, B, C = 7101, 7102, 7103
#: Short polls for the tests; a long question's longer period has a test of its own.
FAST = dict(
    admin_ids=str(ADMIN),
    throttle_per_minute=0,
    quiz_min_period=1,
    quiz_grace=0.3,
    quiz_read_chars_per_second=0,
)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bot(built_index, assistant, tmp_path_factory):
    db = tmp_path_factory.mktemp("quiz") / "bot.sqlite"
    async with running_bot(built_index, assistant, db, **FAST) as harness:
        await asyncio.to_thread(harness.services.quiz_bank.bank)  # built once, before the tests
        yield harness


def buttons(message: dict) -> list[dict]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def text_of(call: Call) -> str:
    return parse_html(call.params["text"])[0]


async def poll_number(fake: FakeTelegram, chat_id: int, n: int, timeout: float = 30) -> dict:
    """The n-th (1-based) poll the bot sent to ``chat_id``: the message, as sent."""
    calls = await fake.wait_for("sendPoll", chat_id=chat_id, count=n, timeout=timeout)
    return calls[n - 1].result


def answer(fake: FakeTelegram, poll_message: dict, user: int, right: bool) -> int:
    poll = poll_message["poll"]
    correct = poll["correct_option_ids"][0]
    option = correct if right else (correct + 1) % len(poll["options"])
    fake.answer_poll(poll["id"], user, [option])
    return option


async def message_with(fake: FakeTelegram, chat_id: int, needle: str, timeout: float = 30) -> Call:
    calls = await fake.wait_for(
        "sendMessage", chat_id=chat_id, timeout=timeout, where=lambda c: needle in text_of(c)
    )
    return calls[-1]


async def answers_recorded(bot: BotHarness, run_id: int, count: int) -> list[QuizAnswer]:
    for _ in range(300):
        found = bot.services.quiz_state.answers(run_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} answers, got {bot.services.quiz_state.answers(run_id)}")


# -- pure parts -----------------------------------------------------------------------------
async def test_parse_args() -> None:
    assert parse_args("") == parse_args("   ")
    args = parse_args("10 30 giải pháp")
    assert (args.count, args.seconds, args.topic) == (10, 30, "giải pháp")
    args = parse_args("5 nq-76")
    assert (args.count, args.seconds, args.topic) == (5, None, "nq-76")


async def test_source_key_fits_in_callback_data() -> None:
    assert source_key("c-nq76-01") == "qzs:c-nq76-01"
    long_key = source_key("g-" + "x" * 62)
    assert len(long_key.encode()) <= 64 and long_key.startswith("qzs:#")


# -- practice alone -------------------------------------------------------------------------
async def test_private_practice_score_sources_and_retry(bot: BotHarness) -> None:
    fake, user = bot.fake, bot.new_user()
    fake.send_text("/quiz 3", user_id=user)
    start_msg = await message_with(fake, user, "Bắt đầu luyện tập: 3 câu")
    assert start_msg.params["parse_mode"] == "HTML"

    first = await poll_number(fake, user, 1)
    params = fake.calls_of("sendPoll", chat_id=user)[0].params
    assert params["type"] == "quiz" and params["is_anonymous"] is False
    assert 0 < len(params["explanation"]) <= 200 and "open_period" not in params
    assert 2 <= len(params["options"]) <= 10 and len(params["question"]) <= 300

    answer(fake, first, user, right=True)
    right = await message_with(fake, user, "Chính xác")
    source_button = buttons(right.result)[0]
    assert source_button["text"] == texts.BUTTON_SOURCE
    assert len(source_button["callback_data"].encode()) <= 64

    second = await poll_number(fake, user, 2)
    answer(fake, second, user, right=False)
    wrong = await message_with(fake, user, "Chưa đúng")
    missed_answer = second["poll"]["options"][second["poll"]["correct_option_ids"][0]]["text"]
    assert missed_answer in text_of(wrong)

    third = await poll_number(fake, user, 3)
    answer(fake, third, user, right=True)
    result = await message_with(fake, user, "Kết quả: 2/3")
    body = text_of(result)
    assert "Các câu cần ôn lại" in body and missed_answer in body and "Nguồn" not in body[:10]
    retry = [b for b in buttons(result.result) if b["callback_data"].startswith("qzr:")]
    assert retry and retry[0]["text"] == texts.BUTTON_RETRY_MISSED

    # the source button opens the full passage
    fake.press(right.result, source_button["callback_data"], user_id=user)
    passage = await fake.wait_for(
        "sendMessage", chat_id=user, where=lambda c: c.params["text"].startswith("📄")
    )
    assert len(text_of(passage[0])) > 40
    assert await fake.wait_for("answerCallbackQuery")

    # retry only the missed one
    fake.press(result.result, retry[0]["callback_data"], user_id=user)
    again = await poll_number(fake, user, 4)
    stem = re.sub(r"^(Câu )?\d+/\d+: ", "", second["poll"]["question"])  # without its number
    assert again["poll"]["question"].endswith(stem)
    # numbered, unless the question alone is at Telegram's 300-character limit
    assert "1/1" in again["poll"]["question"] or len(again["poll"]["question"]) > 294

    # the history
    fake.send_text("/diem", user_id=user)
    history = await message_with(fake, user, "Kết quả các lượt đố vui")
    assert "luyện tập: 2/3 câu đúng" in text_of(history)


async def test_unknown_topic_lists_the_topics(bot: BotHarness) -> None:
    user = bot.new_user()
    bot.fake.send_text("/quiz 3 chủ đề không có thật", user_id=user)
    reply = await message_with(bot.fake, user, "Chưa có câu hỏi nào")
    body = text_of(reply)
    assert "chủ đề không có thật" in body
    assert "nq-76-2021-chuong-trinh-tong-the" in body and "giải pháp" in body
    assert not bot.fake.calls_of("sendPoll", chat_id=user)


async def test_topic_filter_and_bad_count(bot: BotHarness) -> None:
    user = bot.new_user()
    bot.fake.send_text("/quiz 999", user_id=user)
    await message_with(bot.fake, user, "Số câu phải từ 1 đến")
    bot.fake.send_text("/quiz 2 phap-dien", user_id=user)
    await poll_number(bot.fake, user, 1)
    run = bot.services.quiz_state.running_in(user)
    assert run is not None and run.topic == "phap-dien"
    assert all(q.topic.document_id == "phap-dien-44-5" for q in run.questions)
    bot.fake.send_text("/dungquiz", user_id=user)
    await message_with(bot.fake, user, "Đã dừng")


# -- group sessions -------------------------------------------------------------------------
async def test_group_session_leaderboard_and_csv(bot: BotHarness) -> None:
    fake, group = bot.fake, -100111
    fake.members[(group, TRAINER)] = "administrator"
    where = dict(chat_id=group, chat_type="supergroup")

    fake.send_text("/quiz 2 2", user_id=A, **where)  # not a trainer
    refused = await message_with(fake, group, "Chỉ quản trị viên của nhóm")
    assert "/quiz" in text_of(refused)
    assert not fake.calls_of("sendPoll", chat_id=group)

    fake.send_text("/quiz 2 2", user_id=TRAINER, **where)
    await message_with(fake, group, "Phiên đố vui bắt đầu: 2 câu, 2 giây")
    first = await poll_number(fake, group, 1)
    params = fake.calls_of("sendPoll", chat_id=group)[0].params
    assert params["open_period"] == 2 and params["is_anonymous"] is False
    run = bot.services.quiz_state.running_in(group)
    assert run is not None and run.kind == "group"

    answer(fake, first, A, right=True)
    answer(fake, first, B, right=False)
    answer(fake, first, C, right=True)
    await answers_recorded(bot, run.id, 3)
    fake.answer_poll(first["poll"]["id"], C, [])  # C takes it back
    fake.send_text("/quiz 2 2", user_id=TRAINER, **where)  # one session at a time
    await message_with(fake, group, "Nhóm đang có một phiên đố vui")

    second = await poll_number(fake, group, 2)
    assert {a.user_id for a in bot.services.quiz_state.answers(run.id)} == {A, B}
    fake.answer_poll(first["poll"]["id"], C, first["poll"]["correct_option_ids"])  # too late
    answer(fake, second, A, right=True)
    answer(fake, second, B, right=True)
    board = await message_with(fake, group, "Bảng xếp hạng")
    lines = text_of(board).splitlines()
    a_line = next(i for i, line in enumerate(lines) if f"Cán bộ {A}" in line)
    b_line = next(i for i, line in enumerate(lines) if f"Cán bộ {B}" in line)
    assert a_line < b_line and "🥇" in lines[a_line] and "2/2 câu đúng" in lines[a_line]
    assert "1/2 câu đúng" in lines[b_line] and "tổng thời gian" in lines[b_line]
    assert f"Cán bộ {C}" not in text_of(board)
    assert {a.user_id for a in bot.services.quiz_state.answers(run.id)} == {A, B}
    assert len(fake.calls_of("stopPoll", chat_id=group)) == 2
    assert fake.calls_of("getChatMember", chat_id=group)

    # /ketqua: the CSV goes to the trainer privately, threaded to the command in the group
    asked = fake.send_text("/ketqua", user_id=TRAINER, **where)
    doc = (await fake.wait_for("sendDocument", chat_id=TRAINER))[0]
    rows = list(csv.DictReader(io.StringIO(doc.params["document"]["data"].decode("utf-8-sig"))))
    assert list(rows[0])[:3] == ["Hạng", "Người tham gia", "Mã người dùng Telegram"]
    assert [r["Mã người dùng Telegram"] for r in rows] == [str(A), str(A), str(B), str(B)]
    questions = [q["poll"]["question"] for q in (first, second)]
    for r in rows:
        n = int(r["Câu"])
        assert questions[n - 1].endswith(r["Câu hỏi"])
        poll = (first, second)[n - 1]["poll"]
        right = poll["options"][poll["correct_option_ids"][0]]["text"]
        assert r["Đáp án đúng"] == right
        assert (r["Đúng/sai"] == "đúng") == (r["Đã chọn"] == right)
        assert float(r["Thời gian trả lời (giây)"]) <= 2.0
    assert [r["Số câu đúng"] for r in rows] == ["2", "2", "1", "1"]
    b_first = next(r for r in rows if r["Mã người dùng Telegram"] == str(B) and r["Câu"] == "1")
    assert b_first["Đúng/sai"] == "sai" and b_first["Đã chọn"] != b_first["Đáp án đúng"]
    sent = await message_with(fake, group, "Đã gửi bảng kết quả")
    assert sent.params["reply_parameters"]["message_id"] == asked["message_id"]

    # a trainer who never started the bot in private: told so in the group, no file there
    fake.fail("sendDocument", 403, "Forbidden: bot can't initiate conversation with a user")
    fake.send_text("/ketqua", user_id=TRAINER, **where)
    await message_with(fake, group, "Chưa gửi được bảng kết quả vào trò chuyện riêng")
    await bot.settled()
    assert not fake.calls_of("sendDocument", chat_id=group, ok_only=False)

    # participants never had to start the bot in private: nothing was sent to them
    assert not any(fake.sent(user) for user in (A, B, C))
    # participants' history includes the session
    fake.send_text("/diem", user_id=A)
    history = await message_with(fake, A, "Kết quả các lượt đố vui")
    assert "phiên nhóm: 2/2 câu đúng" in text_of(history)


async def test_stop_early_and_old_session_polls_ignored(bot: BotHarness) -> None:
    fake, group = bot.fake, -100222
    where = dict(chat_id=group, chat_type="supergroup")
    fake.send_text("/quiz 3 20", user_id=ADMIN, **where)  # a CCHC admin may train anywhere
    first = await poll_number(fake, group, 1)
    run = bot.services.quiz_state.running_in(group)
    assert run is not None
    answer(fake, first, A, right=True)
    await answers_recorded(bot, run.id, 1)

    fake.send_text("/dungquiz", user_id=B, **where)  # not a trainer
    await message_with(fake, group, "mới dừng được phiên đố vui")
    fake.send_text("/dungquiz", user_id=ADMIN, **where)
    stopped = await message_with(fake, group, "Phiên đố vui đã dừng")
    assert f"Cán bộ {A}" in text_of(stopped) and "(1/3 câu)" in text_of(stopped)
    assert fake.calls_of("stopPoll", chat_id=group)
    assert bot.services.quiz_state.run(run.id).state == "stopped"

    # a new session; an answer on the old one's poll counts nowhere
    fake.send_text("/quiz 1 2", user_id=ADMIN, **where)
    await poll_number(fake, group, 2)
    new_run = bot.services.quiz_state.running_in(group)
    assert new_run is not None and new_run.id != run.id
    fake.answer_poll(first["poll"]["id"], C, first["poll"]["correct_option_ids"])
    await message_with(fake, group, "Bảng xếp hạng")
    assert [a.user_id for a in bot.services.quiz_state.answers(run.id)] == [A]
    assert bot.services.quiz_state.answers(new_run.id) == []
    assert len(fake.calls_of("sendPoll", chat_id=group)) == 2

    fake.send_text("/dungquiz", user_id=ADMIN, **where)
    await message_with(fake, group, "không có phiên đố vui nào")


async def test_group_period_limits(bot: BotHarness) -> None:
    group = -100333
    where = dict(chat_id=group, chat_type="supergroup")
    bot.fake.send_text("/quiz 3 601", user_id=ADMIN, **where)
    await message_with(bot.fake, group, "từ 1 đến 600 giây")
    assert not bot.fake.calls_of("sendPoll", chat_id=group)


async def test_group_migrates_to_supergroup_mid_session(bot: BotHarness) -> None:
    fake, old, new = bot.fake, -444, -100444
    fake.send_text("/quiz 2 2", user_id=ADMIN, chat_id=old, chat_type="group")
    first = await poll_number(fake, old, 1)
    fake.migrate(old, new)
    answer(fake, first, A, right=True)
    second = await poll_number(fake, new, 1)
    answer(fake, second, A, right=True)
    board = await message_with(fake, new, "Bảng xếp hạng")
    assert f"Cán bộ {A}" in text_of(board) and "2/2 câu đúng" in text_of(board)
    assert bot.services.quiz_state.running_in(old) is None
    await message_with(fake, new, "Hết giờ câu 1/2")


def QuizStateOn(db: Path) -> QuizState:  # noqa: N802 (reads like the store it opens)
    return QuizState(Database(db))


# -- restarts -------------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def app_on(fake: FakeTelegram, core, assistant, db: Path, **overrides) -> AsyncIterator:
    settings = bot_settings(core, fake, db, **{**FAST, **overrides})
    app = build_application(settings, assistant)
    await start(app, settings)
    try:
        yield app
    finally:
        await stop(app)


async def _interrupted_session(fake: FakeTelegram, core, assistant, db: Path, group: int):
    """Start a 2-question session, have A answer the first question, then stop the bot."""
    async with app_on(fake, core, assistant, db) as app:
        fake.send_text("/quiz 2 3", user_id=ADMIN, chat_id=group, chat_type="supergroup")
        first = await poll_number(fake, group, 1)
        answer(fake, first, A, right=True)
        quiz = app.bot_data.services.quiz_state
        run = quiz.running_in(group)
        for _ in range(300):
            if quiz.answers(run.id):
                break
            await asyncio.sleep(0.02)
        assert quiz.answers(run.id)
    return run


async def test_restart_resumes_the_session(built_index, assistant, tmp_path) -> None:
    group = -100555
    with FakeTelegram() as fake:
        run = await _interrupted_session(fake, built_index, assistant, tmp_path / "b.db", group)
        async with app_on(fake, built_index, assistant, tmp_path / "b.db"):
            second = await poll_number(fake, group, 2)
            answer(fake, second, B, right=True)
            board = await message_with(fake, group, "Bảng xếp hạng")
        body = text_of(board)
        assert "(2/2 câu)" in body
        assert f"Cán bộ {A}" in body and f"Cán bộ {B}" in body
        assert len(fake.calls_of("sendPoll", chat_id=group)) == 2
        assert run.id


async def test_restart_after_long_pause_closes_with_results(
    built_index, assistant, tmp_path
) -> None:
    group = -100666
    with FakeTelegram() as fake:
        run = await _interrupted_session(fake, built_index, assistant, tmp_path / "c.db", group)
        with sqlite3.connect(tmp_path / "c.db") as conn:  # as if the bot was down for an hour
            conn.execute(
                "UPDATE quiz_polls SET sent_at = sent_at - 3600, closes_at = closes_at - 3600 "
                "WHERE run_id = ?",
                [run.id],
            )
        async with app_on(fake, built_index, assistant, tmp_path / "c.db"):
            board = await message_with(fake, group, "bị gián đoạn")
        body = text_of(board)
        assert f"Cán bộ {A}" in body and "1/1 câu đúng" in body
        assert len(fake.calls_of("sendPoll", chat_id=group)) == 1
        assert fake.calls_of("stopPoll", chat_id=group)


async def test_an_answer_given_while_the_bot_was_down_is_counted_before_the_overdue_close(
    built_index, assistant, tmp_path
) -> None:
    """The bot stops mid-question; A answers meanwhile; when it starts again the poll is
    overdue. A's answer is read first and timed from the last heartbeat, not lost, not timed
    as the whole period."""
    group, db = -100777, tmp_path / "d.db"
    with FakeTelegram() as fake:
        async with app_on(fake, built_index, assistant, db) as app:
            fake.send_text("/quiz 2 8", user_id=ADMIN, chat_id=group, chat_type="supergroup")
            first = await poll_number(fake, group, 1)
            quiz = app.bot_data.services.quiz_state
            run = quiz.running_in(group)
            while quiz.open_poll(run.id) is None:  # the poll is recorded once sent
                await asyncio.sleep(0.02)
            sent_at = quiz.open_poll(run.id).sent_at
            while (quiz.alive_at() or 0) < sent_at + 1.0:  # the session runs a while
                await asyncio.sleep(0.05)
        stopped_at = QuizStateOn(db).alive_at()
        answer(fake, first, A, right=True)  # while the bot is down
        with sqlite3.connect(db) as conn:  # and it stays down past the poll's end
            for table, column in (("quiz_polls", "sent_at"), ("quiz_polls", "closes_at")):
                conn.execute(
                    f"UPDATE {table} SET {column} = {column} - 20 WHERE run_id = ?", [run.id]
                )
            conn.execute("UPDATE quiz_heartbeat SET at = at - 20")
        async with app_on(fake, built_index, assistant, db):
            done = await message_with(fake, group, "Hết giờ câu 1/2")
            assert "1/1 người trả lời đúng" in text_of(done)
            second = await poll_number(fake, group, 2)
            answer(fake, second, B, right=True)
            board = await message_with(fake, group, "Bảng xếp hạng")
        recorded = [a for a in QuizStateOn(db).answers(run.id) if a.user_id == A]
        assert len(recorded) == 1 and recorded[0].correct
        assert recorded[0].elapsed == pytest.approx(stopped_at - sent_at, abs=0.05)
        assert 1.0 <= recorded[0].elapsed < 8
        assert f"Cán bộ {A}" in text_of(board)
