"""A trainer's tools, end to end through the fake Bot API server (the real Application and
HTTP client, SQLite): a question file with a bad row, then a good one and a session from it;
the private preview; a session by document and level; a long question's longer period;
/diem as the board counts it; /ketqua while a session runs; replies threaded."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
import pytest_asyncio

from bot.quiz.timing import reading_chars
from bot.testing.fake_api import Call, FakeTelegram
from bot.testing.harness import BotHarness, running_bot
from retrieval.quiz.topics import matches_topic
from tests.test_bot_quiz import message_with, text_of

pytestmark = pytest.mark.asyncio(loop_scope="session")

TRAINER, LEARNER, OTHER = 8001, 8101, 8102
FAST = dict(throttle_per_minute=0, quiz_min_period=1, quiz_grace=0.3, quiz_read_chars_per_second=0)

BAD = (
    "Câu hỏi,A,B,C,D,Đáp án,Giải thích\n"
    "Ai công bố thủ tục hành chính thuộc thẩm quyền của tỉnh?,Chủ tịch UBND tỉnh,"
    "Giám đốc Sở Tư pháp,Chủ tịch UBND xã,,A,Điều 13 Nghị định 63/2010/NĐ-CP\n"
    "Hồ sơ bị trả về lần thứ ba có đúng quy định không?,Đúng,Sai,,,,\n"
    "Ai chịu trách nhiệm về tính chính xác của giấy tờ trong hồ sơ?,Người nộp hồ sơ,"
    "Cán bộ tiếp nhận,Cơ quan chứng thực,,A,Điều 21 Nghị định 63/2010/NĐ-CP\n"
)
GOOD = BAD.replace("lần thứ ba có đúng quy định không?,Đúng,Sai,,,,", "lần thứ ba?,Đúng,Sai,,,B,")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bot(built_index, assistant, tmp_path_factory):
    db = tmp_path_factory.mktemp("trainer") / "bot.sqlite"
    async with running_bot(built_index, assistant, db, **FAST) as harness:
        await asyncio.to_thread(harness.services.quiz_bank.bank)  # built once, before the tests
        yield harness


def reply_to(call: Call) -> int | None:
    return (call.params.get("reply_parameters") or {}).get("message_id")


def index_of(fake: FakeTelegram, call: Call) -> int:
    return next(i for i, c in enumerate(fake.calls) if c is call)


async def test_a_question_file_with_a_bad_row_then_a_session_from_it(bot: BotHarness) -> None:
    fake, group = bot.fake, -100801
    fake.members[(group, TRAINER)] = "administrator"

    sent = fake.send_document("Lớp A.csv", BAD.encode("utf-8-sig"), user_id=TRAINER)
    refused = await message_with(fake, TRAINER, "Chưa nhận bộ câu hỏi")
    body = text_of(refused)
    assert "Dòng 3: thiếu đáp án đúng" in body and "Dòng 2" not in body and "Dòng 4" not in body
    assert reply_to(refused) == sent["message_id"]
    assert fake.calls_of("file")  # the file was downloaded from Telegram
    assert not bot.services.quiz_sets.names(TRAINER)

    fake.send_document("Lớp A.csv", GOOD.encode("utf-8-sig"), user_id=TRAINER)
    received = await message_with(fake, TRAINER, "Đã nhận bộ câu hỏi")
    assert "lop-a: 3 câu" in text_of(received) and "/quiz 3 30 lop-a" in text_of(received)

    where = dict(chat_id=group, chat_type="supergroup")
    command = fake.send_text("/quiz 3 2 lop-a", user_id=TRAINER, **where)
    preview = await message_with(fake, TRAINER, "Xem trước phiên đố vui")
    start = await message_with(fake, group, "Phiên đố vui bắt đầu: 3 câu")
    assert index_of(fake, preview) < index_of(fake, start)  # the preview comes first
    assert reply_to(start) == command["message_id"]
    shown = text_of(preview)
    for question, answer in (
        ("Ai công bố thủ tục hành chính thuộc thẩm quyền của tỉnh?", "Chủ tịch UBND tỉnh"),
        ("Hồ sơ bị trả về lần thứ ba?", "Sai"),
        ("Ai chịu trách nhiệm về tính chính xác của giấy tờ trong hồ sơ?", "Người nộp hồ sơ"),
    ):
        assert question in shown and f"✔ {answer}" in shown
    assert "Điều 21 Nghị định 63/2010/NĐ-CP" in shown
    assert "✔" not in "".join(text_of(c) for c in fake.calls_of("sendMessage", chat_id=group))
    polls = await fake.wait_for("sendPoll", chat_id=group, count=3, timeout=30)
    asked = {p.params["question"].split(": ", 1)[1] for p in polls}
    assert asked == {line.split(",")[0] for line in GOOD.splitlines()[1:]}
    await message_with(fake, group, "Bảng xếp hạng")


async def test_a_session_by_document_and_level(bot: BotHarness) -> None:
    fake, group = bot.fake, -100802
    fake.members[(group, TRAINER)] = "administrator"
    where = dict(chat_id=group, chat_type="supergroup")
    fake.send_text("/quiz 3 2 phap-dien vận dụng", user_id=TRAINER, **where)
    await message_with(fake, group, "chủ đề phap-dien vận dụng")
    await fake.wait_for("sendPoll", chat_id=group)
    run = bot.services.quiz_state.last_group_run(chat_id=group)
    assert run is not None and run.total == 3
    for q in run.questions:
        assert q.topic.document_id == "phap-dien-44-5" and q.difficulty == "vận dụng"
    assert all(matches_topic(q, "phap-dien vận dụng") for q in run.questions)
    await message_with(fake, group, "Bảng xếp hạng")

    # a topic with no questions lists what there is, levels and kinds of question included
    fake.send_text("/quiz 3 2 bài học vận dụng", user_id=TRAINER, **where)
    listed = text_of(await message_with(fake, group, "Chưa có câu hỏi nào"))
    assert "Theo mức độ" in listed and "tình huống" in listed and "vận dụng" in listed


async def test_diem_counts_the_questions_a_learner_left_unanswered(bot: BotHarness) -> None:
    fake, group = bot.fake, -100803
    fake.members[(group, TRAINER)] = "administrator"
    where = dict(chat_id=group, chat_type="supergroup")
    fake.send_text("/quiz 2 2", user_id=TRAINER, **where)
    first = (await fake.wait_for("sendPoll", chat_id=group))[0].result["poll"]
    fake.answer_poll(first["id"], LEARNER, first["correct_option_ids"])
    board = text_of(await message_with(fake, group, "Bảng xếp hạng", timeout=40))
    line = next(x for x in board.splitlines() if f"Cán bộ {LEARNER}" in x)
    assert "1/2 câu đúng" in line
    asked = fake.send_text("/diem", user_id=LEARNER, **where)
    history = await message_with(fake, group, "Kết quả các lượt đố vui")
    assert "phiên nhóm: 1/2 câu đúng" in text_of(history)
    assert reply_to(history) == asked["message_id"]


async def test_results_while_a_session_runs_are_called_partial(bot: BotHarness) -> None:
    fake, group = bot.fake, -100804
    fake.members[(group, TRAINER)] = "administrator"
    where = dict(chat_id=group, chat_type="supergroup")
    fake.send_text("/quiz 3 3", user_id=TRAINER, **where)
    first = (await fake.wait_for("sendPoll", chat_id=group))[0].result["poll"]
    fake.answer_poll(first["id"], OTHER, first["correct_option_ids"])
    await fake.wait_for("sendPoll", chat_id=group, count=2)  # the first question is closed
    fake.send_text("/ketqua", user_id=TRAINER, **where)
    doc = (await fake.wait_for("sendDocument", chat_id=TRAINER))[-1]
    assert "kết quả tạm thời" in doc.params["caption"]
    rows = list(csv.DictReader(io.StringIO(doc.params["document"]["data"].decode("utf-8-sig"))))
    assert [(r["Mã người dùng Telegram"], r["Câu"], r["Đúng/sai"]) for r in rows] == [
        (str(OTHER), "1", "đúng")
    ]
    await message_with(fake, group, "bảng kết quả tạm thời")
    await message_with(fake, group, "Bảng xếp hạng", timeout=40)
    fake.send_text("/ketqua", user_id=TRAINER, **where)
    done = (await fake.wait_for("sendDocument", chat_id=TRAINER, count=2))[-1]
    assert "tạm thời" not in done.params["caption"]
    rows = list(csv.DictReader(io.StringIO(done.params["document"]["data"].decode("utf-8-sig"))))
    assert [(r["Câu"], r["Đã chọn"] == "(không trả lời)") for r in rows] == [
        ("1", False),
        ("2", True),
        ("3", True),
    ]


async def test_refusals_are_threaded_and_a_missing_preview_is_said(bot: BotHarness) -> None:
    fake, group = bot.fake, -100805
    where = dict(chat_id=group, chat_type="supergroup")
    asked = fake.send_text("/quiz 2 2", user_id=LEARNER, **where)  # not a trainer
    refused = await message_with(fake, group, "Chỉ quản trị viên của nhóm")
    assert reply_to(refused) == asked["message_id"]

    fake.members[(group, OTHER)] = "creator"
    fake.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    fake.send_text("/quiz 1 2", user_id=OTHER, **where)  # never started the bot in private
    start = await message_with(fake, group, "Phiên đố vui bắt đầu")
    assert "Chưa gửi được bản xem trước" in text_of(start)
    await message_with(fake, group, "Bảng xếp hạng")


async def test_a_long_question_gets_a_longer_period(built_index, assistant, tmp_path) -> None:
    """At the production reading speed, a 10 s session gives each long question the time
    to read it, and says so."""
    settings = {**FAST, "quiz_read_chars_per_second": 20, "quiz_min_period": 5}
    async with running_bot(built_index, assistant, tmp_path / "b.sqlite", **settings) as bot:
        fake, group = bot.fake, -100806
        fake.members[(group, TRAINER)] = "administrator"
        where = dict(chat_id=group, chat_type="supergroup")
        fake.send_text("/quiz 3 10 tình huống", user_id=TRAINER, **where)
        start = await message_with(fake, group, "Phiên đố vui bắt đầu", timeout=60)
        assert "thêm thời gian đọc" in text_of(start)
        poll = (await fake.wait_for("sendPoll", chat_id=group))[0]
        run = bot.services.quiz_state.running_in(group)
        assert run is not None
        q = run.questions[0]
        assert reading_chars(q) > 200
        assert poll.params["open_period"] >= 5 + reading_chars(q) / 20 > 10
        fake.send_text("/dungquiz", user_id=TRAINER, **where)
        await message_with(fake, group, "Phiên đố vui đã dừng")
