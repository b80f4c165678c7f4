"""Questions and the buttons under answers: full passages, more results, feedback."""

from __future__ import annotations

import logging
import math
import re
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import texts
from bot.addressing import addressed_question, command_argument
from bot.log_store import AnswerRecord, new_key
from bot.render import esc, render_answer, render_passages
from bot.send import send_html, typing
from bot.services import services
from retrieval.domain import messages

log = logging.getLogger(__name__)

KEY = r"[A-Za-z0-9_-]{4,16}"
FULL = re.compile(rf"^full:({KEY})$")
MORE = re.compile(rf"^more:({KEY}):(\d)$")
FEEDBACK = re.compile(rf"^fb:({KEY}):([01])$")
EXAMPLE = re.compile(r"^ex:(\d)$")


def answer_keyboard(key: str, more: tuple[str, int] | None) -> InlineKeyboardMarkup:
    """Buttons under an answer. Every callback_data is well under Telegram's 64 bytes."""
    first = [InlineKeyboardButton(texts.BUTTON_FULL, callback_data=f"full:{key}")]
    if more is not None:
        first.append(
            InlineKeyboardButton(texts.BUTTON_MORE, callback_data=f"more:{more[0]}:{more[1]}")
        )
    feedback = [
        InlineKeyboardButton("👍", callback_data=f"fb:{key}:1"),
        InlineKeyboardButton("👎", callback_data=f"fb:{key}:0"),
    ]
    return InlineKeyboardMarkup([first, feedback])


async def answer_question(
    context: ContextTypes.DEFAULT_TYPE,
    question: str,
    *,
    user_id: int,
    chat_id: int,
    chat_type: str,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> None:
    """Throttle, search off the event loop, log, and send the cited answer."""
    svc = services(context)
    started = time.perf_counter()
    wait = svc.throttle.check(user_id)
    if wait is not None:
        text = texts.THROTTLED.format(limit=svc.throttle.limit, seconds=math.ceil(wait))
        await send_html(context.bot, chat_id, text, reply_to=reply_to, thread_id=thread_id)
        return
    problem = svc.answering.check(question)
    if problem:
        text = esc(messages.question_problem(problem))
        await send_html(context.bot, chat_id, text, reply_to=reply_to, thread_id=thread_id)
        return
    async with typing(context.bot, chat_id, thread_id, svc.settings.typing_delay):
        answer = await svc.ask(question, svc.settings.page_size)
    key = new_key() if answer.citations else None
    question_id = await svc.db(
        svc.store.record_question,
        user_id=user_id,
        chat_id=chat_id,
        chat_type=chat_type,
        answer=answer,
        latency_ms=(time.perf_counter() - started) * 1000,
        key=key,
        version=svc.index_version(),
    )
    markup = None
    if key and question_id is not None:  # buttons only when they can be honoured later
        more = (key, 1) if len(answer.citations) >= svc.settings.page_size else None
        markup = answer_keyboard(key, more if svc.settings.max_pages > 1 else None)
    await send_html(
        context.bot,
        chat_id,
        render_answer(answer),
        reply_to=reply_to,
        markup=markup,
        thread_id=thread_id,
    )
    if question_id is not None:
        latency = (time.perf_counter() - started) * 1000
        await svc.db(svc.store.set_latency, question_id, latency)
    log.info(
        "Câu hỏi #%s: %s, %d trích dẫn, %.0f ms",
        question_id,
        "không đủ căn cứ" if answer.abstained else "trả lời",
        len(answer.citations),
        (time.perf_counter() - started) * 1000,
    )


async def _ask_from_message(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    msg = update.effective_message
    user = update.effective_user
    if msg is None or user is None:
        return
    await answer_question(
        context,
        question,
        user_id=user.id,
        chat_id=msg.chat_id,
        chat_type=msg.chat.type,
        reply_to=msg.message_id,
        thread_id=msg.message_thread_id if msg.is_topic_message else None,
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat; in a group only when the bot is mentioned or replied to."""
    msg = update.effective_message
    if msg is None:
        return
    question = addressed_question(msg, context.bot)
    if question is None:
        return
    if not question.strip():
        await send_html(context.bot, msg.chat_id, texts.ASK_EMPTY, reply_to=msg.message_id)
        return
    await _ask_from_message(update, context, question)


async def on_hoi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/hoi <câu hỏi>``, in any chat."""
    msg = update.effective_message
    if msg is None:
        return
    question = command_argument(msg)
    if not question:
        await send_html(context.bot, msg.chat_id, texts.ASK_EMPTY, reply_to=msg.message_id)
        return
    await _ask_from_message(update, context, question)


# -- buttons --------------------------------------------------------------------------------
def _thread_of(update: Update) -> int | None:
    """The forum topic a button was pressed in, so the reply lands in the same topic."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is not None and getattr(message, "is_topic_message", False):
        return message.message_thread_id
    return None


async def _expired(update: Update) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(texts.EXPIRED, show_alert=True)


async def on_example(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    svc = services(context)
    match = EXAMPLE.match(query.data or "")
    chat = update.effective_chat
    index = int(match.group(1)) if match else -1
    if chat is None or not 0 <= index < len(svc.examples):
        await _expired(update)
        return
    await query.answer()
    await answer_question(
        context,
        svc.examples[index],
        user_id=query.from_user.id,
        chat_id=chat.id,
        chat_type=chat.type,
        thread_id=_thread_of(update),
    )


async def on_full(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """“Xem nguyên văn”: the full passages cited, looked up by the answer's stored key."""
    query = update.callback_query
    svc = services(context)
    match = FULL.match(query.data or "")
    chat = update.effective_chat
    record = await svc.db(svc.store.answer, match.group(1)) if match else None
    if record is None or chat is None or record.version != svc.index_version():
        await _expired(update)
        return
    found = await svc.in_worker(svc.passages, record.passage_ids)
    if not found:
        await _expired(update)
        return
    await query.answer()
    start = record.page * svc.settings.page_size + 1
    items = [(start + i, p, d) for i, (p, d) in enumerate(found)]
    reply_to = query.message.message_id if query.message is not None else None
    await send_html(
        context.bot,
        chat.id,
        render_passages(items),
        reply_to=reply_to,
        thread_id=_thread_of(update),
    )


async def on_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """“Thêm kết quả”: the next page of passages for the same question."""
    query = update.callback_query
    svc = services(context)
    match = MORE.match(query.data or "")
    chat = update.effective_chat
    record = await svc.db(svc.store.answer, match.group(1)) if match else None
    if record is None or chat is None:
        await _expired(update)
        return
    page = int(match.group(2))
    size = svc.settings.page_size
    if page >= svc.settings.max_pages:
        await query.answer(texts.NO_MORE, show_alert=True)
        return
    wait = svc.throttle.check(query.from_user.id)
    if wait is not None:
        text = texts.THROTTLED.format(limit=svc.throttle.limit, seconds=math.ceil(wait))
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    thread_id = _thread_of(update)
    async with typing(context.bot, chat.id, thread_id, svc.settings.typing_delay):
        answer = await svc.ask(record.question, (page + 1) * size)
    shown = answer.citations[page * size : (page + 1) * size]
    if answer.abstained or not shown:
        await send_html(context.bot, chat.id, texts.NO_MORE, thread_id=thread_id)
        return
    page_key = new_key()
    stored = await svc.db(
        svc.store.record_page,
        AnswerRecord(
            key=page_key,
            question_id=record.question_id,
            question=record.question,
            passage_ids=[c.hit.passage.id for c in shown],
            page=page,
            version=svc.index_version(),
        ),
    )
    markup = None
    if stored:
        has_more = len(shown) >= size and page + 1 < svc.settings.max_pages
        markup = answer_keyboard(page_key, (record.key, page + 1) if has_more else None)
    page_answer = answer.model_copy(update={"citations": shown})
    title = texts.MORE_TITLE.format(page=page + 1)
    reply_to = query.message.message_id if query.message is not None else None
    await send_html(
        context.bot,
        chat.id,
        render_answer(page_answer, title=title),
        reply_to=reply_to,
        markup=markup,
        thread_id=thread_id,
    )


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍/👎: stored per user and answer; pressing again changes the vote."""
    query = update.callback_query
    svc = services(context)
    match = FEEDBACK.match(query.data or "")
    if match is None:
        await _expired(update)
        return
    key, value = match.group(1), 1 if match.group(2) == "1" else -1
    ok = await svc.db(svc.store.record_feedback, key, query.from_user.id, value)
    if not ok:
        await _expired(update)
        return
    await query.answer(texts.FEEDBACK_THANKS)
    message = query.message
    markup = getattr(message, "reply_markup", None)
    if markup is None:
        return
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for b in row:
            if b.callback_data in (f"fb:{key}:1", f"fb:{key}:0"):
                chosen = b.callback_data == query.data
                label = "👍" if b.callback_data.endswith(":1") else "👎"
                b = InlineKeyboardButton(
                    f"✅ {label}" if chosen else label, callback_data=b.callback_data
                )
            new_row.append(b)
        rows.append(new_row)
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest as exc:  # "message is not modified" when the same vote is pressed twice
        if "not modified" not in str(exc).lower():
            raise


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons from an older version of the bot, or data we do not recognise."""
    await _expired(update)
