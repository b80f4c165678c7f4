"""Questions for a run: chosen from the bank, named by their source, and sent as quiz polls."""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Message
from telegram.error import ChatMigrated

from bot import texts
from bot.context import CustomContext
from bot.render import esc
from bot.send import send_html
from bot.storage.quiz_state import QuizPoll, QuizRun
from retrieval.domain import naming
from retrieval.domain.quiz import MAX_QUESTION, QuizQuestion

T = TypeVar("T")
rng = random.SystemRandom()


def source_key(question_id: str) -> str:
    """callback_data for a question's source button: its id, or a hash when too long."""
    data = f"qzs:{question_id}"
    if len(data.encode()) <= 64:
        return data
    return "qzs:#" + hashlib.sha1(question_id.encode()).hexdigest()[:16]


def matches_key(q: QuizQuestion, key: str) -> bool:
    """Whether ``key`` (the part of :func:`source_key` after ``qzs:``) names ``q``."""
    if key.startswith("#"):
        return hashlib.sha1(q.id.encode()).hexdigest()[:16] == key[1:]
    return q.id == key


def source_label(context: CustomContext, q: QuizQuestion) -> str:
    """ "Nghị quyết 76/NQ-CP — Mục …" (plain text; escape before use in HTML)."""
    docs = {d.id: d for d in context.answering.documents()}
    doc = docs.get(q.source.document_id)
    name = naming.document_short_name(doc) if doc is not None else q.source.document_id
    return f"{name} — {q.source.section}" if q.source.section else name


def topics_text(docs: Counter[str], kinds: Counter[str]) -> str:
    lines = [texts.QUIZ_TOPICS_DOCS]
    lines += [texts.QUIZ_TOPIC_LINE.format(name=esc(d), count=n) for d, n in sorted(docs.items())]
    lines.append(texts.QUIZ_TOPICS_KINDS)
    lines += [
        texts.QUIZ_TOPIC_LINE.format(name=esc(naming.kind_label(k).lower()), count=n)
        for k, n in kinds.most_common()
    ]
    return "\n".join(lines)


def topic_suffix(topic: str | None) -> str:
    return texts.QUIZ_TOPIC_SUFFIX.format(topic=esc(topic)) if topic else ""


async def choose(
    context: CustomContext, chat_id: int, topic: str | None, count: int
) -> list[QuizQuestion] | None:
    """``count`` random questions of ``topic``; None (after telling the user) when none fit."""
    bank = context.quiz_bank
    if not await context.in_worker(bank.bank):
        await send_html(context.bot, chat_id, texts.QUIZ_BANK_EMPTY)
        return None
    chosen = await context.in_worker(bank.choose, topic, count, rng)
    if not chosen:
        topics = topics_text(*bank.topics())
        text = texts.QUIZ_NO_QUESTIONS.format(topic=esc(topic or ""), topics=topics)
        await send_html(context.bot, chat_id, text)
        return None
    return chosen


async def to_chat(
    context: CustomContext, chat_id: int, call: Callable[[int], Awaitable[T]]
) -> tuple[int, T]:
    """Run ``call(chat_id)``; when the group became a supergroup, move the quiz and retry."""
    try:
        return chat_id, await call(chat_id)
    except ChatMigrated as exc:
        new = exc.new_chat_id
        await context.db(context.quiz_state.migrate_chat, chat_id, new)
        return new, await call(new)


def poll_question(q: QuizQuestion, idx: int, total: int) -> str:
    for template in texts.QUIZ_POLL_NUMBERS:
        prefix = template.format(i=idx + 1, total=total)
        if len(prefix) + len(q.question) <= MAX_QUESTION:
            return prefix + q.question
    return q.question  # a question at Telegram's limit goes without its number


async def send_question(context: CustomContext, run: QuizRun, idx: int) -> QuizPoll:
    """Send question ``idx`` of ``run`` as a quiz poll and remember it."""
    q = run.questions[idx]
    group = run.kind == "group"

    def call(chat_id: int) -> Awaitable[Message]:
        return context.bot.send_poll(
            chat_id,
            poll_question(q, idx, run.total),
            q.options,
            is_anonymous=False,
            type="quiz",
            correct_option_ids=[q.correct],
            explanation=q.explanation,
            open_period=run.open_period if group else None,
        )

    chat_id, message = await to_chat(context, run.chat_id, call)
    assert message.poll is not None
    sent_at = time.time()
    poll = QuizPoll(
        poll_id=message.poll.id,
        run_id=run.id,
        idx=idx,
        question_id=q.id,
        chat_id=chat_id,
        message_id=message.message_id,
        sent_at=sent_at,
        closes_at=sent_at + run.open_period if group and run.open_period else None,
        closed=False,
    )
    await context.db(context.quiz_state.add_poll, poll)
    return poll
