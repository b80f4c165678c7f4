"""The buttons under an answer: the full passages, the next page, and 👍/👎."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import texts
from bot.context import CustomContext
from bot.questions.answer import (
    FEEDBACK,
    FULL,
    MORE,
    answer_keyboard,
    expired,
    feedback_data,
    thread_of,
    throttled_text,
)
from bot.render import render_answer, render_passages
from bot.send import send_html, typing
from bot.storage.question_log import AnswerRecord
from bot.storage.sqlite import new_key


def _pressed_on(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query is not None and query.message is not None else None


async def _answer_behind(
    update: Update, context: CustomContext, pattern: re.Pattern[str]
) -> tuple[AnswerRecord, re.Match[str]] | None:
    """The answer a button was pressed under (found by the key in its data), or None."""
    match = pattern.match(update.callback_query.data or "")
    if match is None or update.effective_chat is None:
        return None
    record = await context.db_or_none(context.question_log.answer, match.group(1))
    return (record, match) if record is not None else None


async def on_full(update: Update, context: CustomContext) -> None:
    """“Xem nguyên văn”: the full passages cited, looked up by the answer's stored key."""
    query, chat = update.callback_query, update.effective_chat
    found = await _answer_behind(update, context, FULL)
    if found is None or found[0].version != context.index_version():
        await expired(update)
        return
    record = found[0]
    passages = await context.in_worker(context.answering.passages, record.passage_ids)
    if not passages:
        await expired(update)
        return
    await query.answer()
    items = [(i, p, d) for i, (p, d) in enumerate(passages, 1)]  # numbered as the message
    await send_html(
        context.bot,
        chat.id,
        render_passages(items),
        reply_to=_pressed_on(update),
        thread_id=thread_of(update),
    )


async def on_more(update: Update, context: CustomContext) -> None:
    """“Thêm kết quả”: the next page of passages for the same question."""
    query, chat = update.callback_query, update.effective_chat
    if (found := await _answer_behind(update, context, MORE)) is None:
        await expired(update)
        return
    record, match = found
    settings = context.settings
    page = int(match.group(2))
    size = settings.page_size
    if page >= settings.max_pages:
        await query.answer(texts.NO_MORE, show_alert=True)
        return
    if (wait := context.throttle.check(query.from_user.id)) is not None:
        await query.answer(throttled_text(context, wait), show_alert=True)
        return
    await query.answer()
    thread_id = thread_of(update)
    async with typing(context.application, chat.id, thread_id, settings.typing_delay):
        answer = await context.more(record.question, size, page, size)
    shown = answer.citations
    if answer.abstained or not shown:
        await send_html(context.bot, chat.id, texts.NO_MORE, thread_id=thread_id)
        return
    page_key = new_key()
    stored = await context.db_or_none(
        context.question_log.record_page,
        AnswerRecord(
            key=page_key,
            question_id=record.question_id,
            question=record.question,
            passage_ids=[c.hit.passage.id for c in shown],
            page=page,
            version=context.index_version(),
        ),
    )
    markup = None
    if stored:
        has_more = answer.further > 0 and page + 1 < settings.max_pages
        markup = answer_keyboard(page_key, (record.key, page + 1) if has_more else None)
    title = texts.MORE_TITLE.format(page=page + 1)
    await send_html(
        context.bot,
        chat.id,
        render_answer(answer, title=title),
        reply_to=_pressed_on(update),
        markup=markup,
        thread_id=thread_id,
    )


async def on_feedback(update: Update, context: CustomContext) -> None:
    """👍/👎: stored per user and answer; pressing again changes the vote."""
    query = update.callback_query
    match = FEEDBACK.match(query.data or "")
    if match is None:
        await expired(update)
        return
    key, value = match.group(1), 1 if match.group(2) == "1" else -1
    vote = context.question_log.record_feedback
    if not await context.db_or_none(vote, key, query.from_user.id, value):
        await expired(update)
        return
    await query.answer(texts.FEEDBACK_THANKS)
    markup = getattr(query.message, "reply_markup", None)
    if markup is None:
        return
    votes = {feedback_data(key, True): "👍", feedback_data(key, False): "👎"}

    def marked(button: InlineKeyboardButton) -> InlineKeyboardButton:
        label = votes.get(button.callback_data or "")
        if label is None:
            return button
        chosen = button.callback_data == query.data
        return InlineKeyboardButton(
            f"✅ {label}" if chosen else label, callback_data=button.callback_data
        )

    rows = [[marked(b) for b in row] for row in markup.inline_keyboard]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest as exc:  # "message is not modified" when the same vote is pressed twice
        if "not modified" not in str(exc).lower():
            raise


async def on_unknown_button(update: Update, context: CustomContext) -> None:
    """Buttons from an older version of the bot, or data we do not recognise."""
    await expired(update)
