"""A question, from a message (text, /hoi) or an example button, to the cited answer.

Also the buttons under an answer: their callback_data is made here and matched by the patterns
below, which :mod:`bot.questions.buttons` and the application use.
"""

from __future__ import annotations

import logging
import math
import re
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import texts
from bot.addressing import addressed_question, command_argument
from bot.context import CustomContext
from bot.delivery.context import redelivered
from bot.render import esc, render_answer
from bot.send import send_html, typing
from bot.storage.sqlite import new_key
from retrieval.domain import messages

log = logging.getLogger(__name__)

KEY = r"[A-Za-z0-9_-]{4,16}"
FULL = re.compile(rf"^full:({KEY})$")
MORE = re.compile(rf"^more:({KEY}):(\d)$")
FEEDBACK = re.compile(rf"^fb:({KEY}):([01])$")
EXAMPLE = re.compile(r"^ex:(\d)$")


def example_data(index: int) -> str:
    return f"ex:{index}"


def feedback_data(key: str, liked: bool) -> str:
    return f"fb:{key}:{int(liked)}"


def answer_keyboard(key: str, more: tuple[str, int] | None) -> InlineKeyboardMarkup:
    """Buttons under an answer. Every callback_data is well under Telegram's 64 bytes."""
    first = [InlineKeyboardButton(texts.BUTTON_FULL, callback_data=f"full:{key}")]
    if more is not None:
        first.append(
            InlineKeyboardButton(texts.BUTTON_MORE, callback_data=f"more:{more[0]}:{more[1]}")
        )
    feedback = [
        InlineKeyboardButton("👍", callback_data=feedback_data(key, True)),
        InlineKeyboardButton("👎", callback_data=feedback_data(key, False)),
    ]
    return InlineKeyboardMarkup([first, feedback])


def throttled_text(context: CustomContext, wait: float) -> str:
    return texts.THROTTLED.format(limit=context.throttle.limit, seconds=math.ceil(wait))


async def answer_question(
    context: CustomContext,
    question: str,
    *,
    user_id: int,
    chat_id: int,
    chat_type: str,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> None:
    """Throttle, search off the event loop, log, and send the cited answer."""
    started = time.perf_counter()
    settings = context.settings
    context.metrics.question(chat_type)
    # A question handled again (its answer was not delivered at first) was counted already.
    if not redelivered() and (wait := context.throttle.check(user_id)) is not None:
        context.metrics.refused("throttled")
        text = throttled_text(context, wait)
        await send_html(context.bot, chat_id, text, reply_to=reply_to, thread_id=thread_id)
        return
    if problem := context.answering.check(question):
        context.metrics.refused(f"question_{problem.code}")
        text = esc(messages.question_problem(problem))
        await send_html(context.bot, chat_id, text, reply_to=reply_to, thread_id=thread_id)
        return
    async with typing(context.application, chat_id, thread_id, settings.typing_delay):
        lookahead = settings.page_size * (settings.max_pages - 1)
        answer = await context.ask(question, settings.page_size, lookahead)
    key = new_key() if answer.citations else None
    question_id = await context.db_or_none(
        context.question_log.record_question,
        user_id=user_id,
        chat_id=chat_id,
        chat_type=chat_type,
        answer=answer,
        latency_ms=(time.perf_counter() - started) * 1000,
        key=key,
        version=context.index_version(),
    )
    markup = None
    if key and question_id is not None:  # buttons only when they can be honoured later
        more = (key, 1) if answer.further else None  # only what is still on the topic
        markup = answer_keyboard(key, more if settings.max_pages > 1 else None)
    await send_html(
        context.bot,
        chat_id,
        render_answer(answer),
        reply_to=reply_to,
        markup=markup,
        thread_id=thread_id,
    )
    seconds = time.perf_counter() - started
    context.metrics.answered(seconds, abstained=answer.abstained, reason=answer.reason)
    if question_id is not None:
        await context.db_or_none(context.question_log.set_latency, question_id, seconds * 1000)
    log.info(
        "Câu hỏi #%s: %s, %d trích dẫn, %.0f ms",
        question_id,
        "không đủ căn cứ" if answer.abstained else "trả lời",
        len(answer.citations),
        (time.perf_counter() - started) * 1000,
    )


async def _ask_from_message(update: Update, context: CustomContext, question: str) -> None:
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


async def on_text(update: Update, context: CustomContext) -> None:
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


async def on_hoi(update: Update, context: CustomContext) -> None:
    """``/hoi <câu hỏi>``, in any chat."""
    msg = update.effective_message
    if msg is None:
        return
    question = command_argument(msg)
    if not question:
        await send_html(context.bot, msg.chat_id, texts.ASK_EMPTY, reply_to=msg.message_id)
        return
    await _ask_from_message(update, context, question)


def thread_of(update: Update) -> int | None:
    """The forum topic a button was pressed in, so the reply lands in the same topic."""
    query = update.callback_query
    message = query.message if query is not None else None
    if message is not None and getattr(message, "is_topic_message", False):
        return message.message_thread_id
    return None


async def expired(update: Update) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(texts.EXPIRED, show_alert=True)


async def on_example(update: Update, context: CustomContext) -> None:
    """An example question's button (from /start): asked as if typed."""
    query = update.callback_query
    match = EXAMPLE.match(query.data or "")
    chat = update.effective_chat
    index = int(match.group(1)) if match else -1
    if chat is None or not 0 <= index < len(context.examples):
        await expired(update)
        return
    await query.answer()
    await answer_question(
        context,
        context.examples[index],
        user_id=query.from_user.id,
        chat_id=chat.id,
        chat_type=chat.type,
        thread_id=thread_of(update),
    )
