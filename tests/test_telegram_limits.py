"""Telegram's limits counted as Telegram counts them: UTF-16 code units for texts, captions and
polls, bytes for callback data (issue 15: "Xem nguyên văn" on emoji-heavy text failed with
"Message is too long", a 4,087-character part being 7,354 units)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import ValidationError

from bot import texts
from bot.render import MAX_MESSAGE, split_html, to_plain
from bot.testing.fake_api import html_error, utf16_len
from bot.testing.harness import BotHarness, running_bot
from retrieval.config import Settings
from retrieval.domain.quiz import MAX_OPTION, MAX_QUESTION, QuizQuestion
from retrieval.domain.text import utf16_len as core_utf16_len
from retrieval.embedding.encoder import Encoder
from retrieval.knowledge.documents import parse_markdown
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService
from tests.conftest import copy_of_index

TASKS = [
    "nộp hồ sơ trực tuyến",
    "thanh toán phí điện tử",
    "tra cứu kết quả giải quyết",
    "đăng ký khai sinh cho trẻ",
    "cấp đổi thẻ căn cước",
    "đăng ký hộ kinh doanh",
    "chứng thực bản sao",
]
EMOJI = ["🌟📄", "💳🧾", "🔎📬", "👶🍼", "🪪📸", "🏪🧮", "📑🖋"]
ITEMS = "\n\n".join(
    f"{i}. Tổ công tác Sao Mai hướng dẫn người dân {task} {e} " + f"{e} " * 330
    for i, (task, e) in enumerate(zip(TASKS, EMOJI, strict=True), 1)
)
EMOJI_DOC = f"""---
id: sao-mai-2026
title: Kế hoạch phong trào Sao Mai năm 2026
kind: kế hoạch
number: 21/KH-UBND
issued: 2026-02-01
summary: Kế hoạch thử nghiệm về tổ công tác Sao Mai.
---

I. NHIỆM VỤ

{ITEMS}
"""
QUESTION = "Tổ công tác Sao Mai hướng dẫn người dân làm gì?"


def test_utf16_length_counts_astral_characters_twice() -> None:
    for text in ("", "Cải cách hành chính", "🌟", "a🌟b", "👨‍👩‍👧", "\u2028"):
        assert core_utf16_len(text) == utf16_len(text) == len(text.encode("utf-16-le")) // 2


def test_split_html_counts_utf16_units() -> None:
    paragraph = "<b>[1]</b> <i>mục: thử</i>\n<blockquote>" + "🌟 Sao Mai " * 400 + "</blockquote>"
    text = "\n\n".join([paragraph] * 4)
    assert len(text) < 4 * MAX_MESSAGE < 2 * utf16_len(text)
    parts = split_html(text)
    assert len(parts) > 1
    assert all(utf16_len(p) <= MAX_MESSAGE and html_error(p) is None for p in parts)
    shown = "".join(to_plain(p) for p in parts)
    assert shown.count("🌟") == text.count("🌟")
    # A part at the limit is not split; a single emoji too many is.
    exact = "🌟" * (MAX_MESSAGE // 2)
    assert split_html(exact) == [exact]
    assert [utf16_len(p) for p in split_html(exact + "🌟")] == [MAX_MESSAGE, 2]


def test_quiz_limits_are_utf16_units() -> None:
    base = {
        "id": "q1",
        "question": "Câu hỏi thử về cải cách hành chính?",
        "options": ["Một", "Hai"],
        "correct": 0,
        "explanation": "Giải thích.",
        "origin": "curated",
        "style": "curated",
        "topic": {"document_id": "d", "kind": "giai_phap"},
        "difficulty": "dễ",
        "source": {"document_id": "d", "section": "I", "passage": "p", "quote": "q"},
    }
    QuizQuestion.model_validate(base)
    within = "🌟" * (MAX_QUESTION // 2)  # 150 characters, 300 units: at the limit
    QuizQuestion.model_validate({**base, "question": within})
    with pytest.raises(ValidationError):  # 151 characters, 302 units
        QuizQuestion.model_validate({**base, "question": within + "🌟"})
    with pytest.raises(ValidationError):
        QuizQuestion.model_validate({**base, "options": ["Một", "🪪" * (MAX_OPTION // 2 + 1)]})


# -- "Xem nguyên văn" on emoji-heavy passages, through the fake Bot API -------------------------
@pytest.fixture(scope="module")
def emoji_data(built_index: Settings, encoder: Encoder, tmp_path_factory) -> Settings:
    data = copy_of_index(built_index, tmp_path_factory.mktemp("emoji") / "data")
    AdminService(data, encoder=encoder).add([parse_markdown(EMOJI_DOC, "sao-mai.md")])
    return data


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bot(emoji_data: Settings, encoder: Encoder, tmp_path_factory):
    assistant = AnsweringService(emoji_data, encoder=encoder)
    db: Path = tmp_path_factory.mktemp("emoji-bot") / "bot.sqlite"
    async with running_bot(emoji_data, assistant, db, typing_delay=0) as harness:
        yield harness


@pytest.mark.asyncio(loop_scope="session")
async def test_full_passages_of_emoji_heavy_text_are_delivered(bot: BotHarness) -> None:
    user = bot.new_user()
    bot.fake.send_text(QUESTION, user_id=user)
    await bot.settled()
    answer = bot.fake.calls_of("sendMessage", ok_only=False, chat_id=user)
    assert [c.status for c in answer] == [200] * len(answer)  # the answer itself fits too
    assert "Sao Mai" in answer[0].params["text"]
    message = bot.fake.sent(user)[-1]  # the buttons are under the answer's last part
    data = {
        b["callback_data"].split(":")[0]: b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
    }
    bot.fake.press(message, data["full"], user_id=user)
    await bot.settled()
    sends = bot.fake.calls_of("sendMessage", ok_only=False, chat_id=user)[len(answer) :]
    assert len(sends) >= 2, "emoji-heavy passages need more than one message"
    assert [c.status for c in sends] == [200] * len(sends)  # none refused as too long
    assert all(utf16_len(c.params["text"]) <= MAX_MESSAGE for c in sends)
    shown = "".join(html.unescape(to_plain(c.params["text"])) for c in sends)
    cited = [e for e in EMOJI if e in shown]
    assert len(cited) >= 3
    for e in cited:  # every emoji of every cited passage reached the user
        assert shown.count(e) >= 331
    assert texts.ERROR not in shown
