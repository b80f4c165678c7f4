"""Around every handler: the access gate before, the error handler after."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.addressing import is_for_bot, reply_to
from bot.context import CustomContext
from bot.send import send_html

log = logging.getLogger(__name__)


async def access_gate(update: object, context: CustomContext) -> None:
    """Runs before every handler: outsiders get a polite refusal, and it is logged."""
    if not isinstance(update, Update):
        return
    if update.poll_answer is not None:
        return  # only answers to the bot's own polls count, and those went to allowed chats
    user = update.effective_user
    chat = update.effective_chat
    user_id = user.id if user is not None else None
    chat_id = chat.id if chat is not None else None
    if context.access.is_allowed(user_id, chat_id):
        return
    if is_for_bot(update, context.bot):
        log.info("Từ chối truy cập: người dùng %s, nhóm/chat %s", user_id, chat_id)
        what = "callback" if update.callback_query else "message"
        await context.db_or_none(context.question_log.record_refusal, user_id, chat_id, what)
        if update.callback_query is not None:
            await update.callback_query.answer(texts.REFUSED, show_alert=True)
        elif chat_id is not None:
            await send_html(context.bot, chat_id, texts.REFUSED, reply_to=reply_to(update))
    raise ApplicationHandlerStop


async def on_error(update: object, context: CustomContext) -> None:
    """Log the failure; tell the user, in Vietnamese, to try again. No traceback in chat."""
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("Lỗi mạng khi liên lạc với Telegram (sẽ thử lại): %s", error)
        return
    log.error("Lỗi khi xử lý cập nhật", exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ERROR, show_alert=True)
        elif update.effective_chat is not None and is_for_bot(update, context.bot):
            await send_html(
                context.bot, update.effective_chat.id, texts.ERROR, reply_to=reply_to(update)
            )
    except TelegramError as exc:
        log.warning("Không báo được lỗi cho người dùng: %s", exc)
