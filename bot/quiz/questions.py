"""Questions for a run: chosen from the bank or from a trainer's own set, named by their
source, and sent as quiz polls."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Message
from telegram.error import ChatMigrated

from bot.context import CustomContext
from bot.quiz import texts
from bot.quiz.timing import poll_period
from bot.render import esc
from bot.send import send_html
from bot.storage.quiz_state import QuizPoll, QuizRun
from retrieval.domain import naming
from retrieval.domain.models import DocumentMeta
from retrieval.domain.quiz import DIFFICULTIES, MAX_QUESTION, QuizQuestion
from retrieval.domain.text import fold, utf16_len
from retrieval.service.quiz import TopicCounts, set_name

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


def _same(a: str, b: str) -> bool:
    return " ".join(fold(a).lower().split()) == " ".join(fold(b).lower().split())


def source_label(docs: dict[str, DocumentMeta], q: QuizQuestion) -> str:
    """Where the proof is, once: "Điều 18 Nghị định 63/2010/NĐ-CP" for a legal question;
    "Nghị quyết 76/NQ-CP — IV. Giải pháp thực hiện"; a report's title without its section
    when that section is the title again (plain text; escape before use in HTML)."""
    if q.source.citation:
        return q.source.citation
    doc = docs.get(q.source.document_id)
    if doc is None:  # a trainer's own question: the source they wrote, or their explanation
        return q.source.section or q.explanation
    name = naming.document_short_name(doc)
    section = q.source.section
    top = section.split(" › ", 1)[0]
    if not section or _same(top, doc.title) or _same(top, name):
        rest = section.split(" › ", 1)[1] if " › " in section else ""
        return f"{name} — {rest}" if rest else name
    return f"{name} — {section}"


def documents(context: CustomContext) -> dict[str, DocumentMeta]:
    return {d.id: d for d in context.answering.documents()}


def topics_text(counts: TopicCounts, sets: dict[str, int]) -> str:
    line = texts.TOPIC_LINE.format
    lines = [texts.TOPICS_DOCS]
    lines += [line(name=esc(d), count=n) for d, n in sorted(counts.documents.items())]
    lines.append(texts.TOPICS_KINDS)
    lines += [
        line(name=esc(naming.kind_label(k).lower()), count=n) for k, n in counts.kinds.most_common()
    ]
    lines.append(texts.TOPICS_LEVELS)
    lines += [line(name=level, count=counts.levels[level]) for level in DIFFICULTIES]
    styles = [(naming.STYLE_LABELS.get(s, ""), n) for s, n in counts.styles.most_common()]
    lines.append(texts.TOPICS_STYLES)
    lines += [line(name=label, count=n) for label, n in styles if label]
    if sets:
        lines.append(texts.TOPICS_SETS)
        lines += [line(name=esc(name), count=n) for name, n in sets.items()]
    lines.append(texts.TOPICS_COMBINE)
    return "\n".join(lines)


def topic_suffix(topic: str | None) -> str:
    return texts.TOPIC_SUFFIX.format(topic=esc(topic)) if topic else ""


async def choose(
    context: CustomContext,
    chat_id: int,
    user_id: int,
    topic: str | None,
    count: int,
    reply_to: int | None = None,
) -> list[QuizQuestion] | None:
    """``count`` random questions: of the user's own set named ``topic``, if they have one,
    else of the bank's ``topic``; None (after telling the user) when none fit."""
    if topic:
        own = await context.db(context.quiz_sets.get, user_id, set_name(topic))
        if own is not None:
            return rng.sample(own.questions, min(count, len(own.questions)))
    bank = context.quiz_bank
    if not await context.in_worker(bank.bank):
        await send_html(context.bot, chat_id, texts.BANK_EMPTY, reply_to=reply_to)
        return None
    chosen = await context.in_worker(bank.choose, topic, count, rng)
    if not chosen:
        sets = await context.db(context.quiz_sets.names, user_id)
        topics = topics_text(await context.in_worker(bank.topics), sets)
        text = texts.NO_QUESTIONS.format(topic=esc(topic or ""), topics=topics)
        await send_html(context.bot, chat_id, text, reply_to=reply_to)
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
    for template in texts.POLL_NUMBERS:
        prefix = template.format(i=idx + 1, total=total)
        if utf16_len(prefix + q.question) <= MAX_QUESTION:
            return prefix + q.question
    return q.question  # a question at Telegram's limit goes without its number


def period_of(context: CustomContext, run: QuizRun, q: QuizQuestion) -> int | None:
    """A group poll's open period (longer for a long question); None in a practice."""
    if run.kind != "group" or not run.open_period:
        return None
    return poll_period(q, run.open_period, context.settings)


async def send_question(context: CustomContext, run: QuizRun, idx: int) -> QuizPoll:
    """Send question ``idx`` of ``run`` as a quiz poll and remember it."""
    q = run.questions[idx]
    period = period_of(context, run, q)

    def call(chat_id: int) -> Awaitable[Message]:
        return context.bot.send_poll(
            chat_id,
            poll_question(q, idx, run.total),
            q.options,
            is_anonymous=False,
            type="quiz",
            correct_option_ids=[q.correct],
            explanation=q.explanation,
            open_period=period,
        )

    async with context.services.polls_in_flight.sending():
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
            closes_at=sent_at + period if period else None,
            closed=False,
        )
        await context.db(context.quiz_state.add_poll, poll)
    return poll
