"""Around every handler: the update noted, edits set aside and the access gate before, the
error handler after."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import RetryAfter, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import logs, texts
from bot.addressing import command_name, is_for_bot, reply_to
from bot.context import CustomContext
from bot.request import is_network_failure
from bot.send import send_html

log = logging.getLogger(__name__)

#: Commands anyone may use, allowed or not: learning one's id is how one gets allowed.
OPEN_COMMANDS = {"myid"}


async def note_update(update: object, context: CustomContext) -> None:
    """Runs first for every update: its id becomes the request id of the log lines written
    while it is handled, and it counts for ``/healthz`` and ``/metrics``."""
    if not isinstance(update, Update):
        return
    logs.request_id.set(str(update.update_id))
    context.services.health.update_received()
    context.metrics.updates.inc()


async def ignore_edits(update: object, context: CustomContext) -> None:
    """An edited message was answered when it was sent: editing it asks nothing new (issue 15:
    an edited ``/hoi`` was answered a second time)."""
    if isinstance(update, Update) and (update.edited_message or update.edited_channel_post):
        raise ApplicationHandlerStop


def refusal_text(user_id: int | None, chat_id: int | None, chat_type: str | None) -> str:
    """The refusal, with the ids an admin needs to let this person (or this group) in."""
    text = texts.REFUSED
    if user_id is not None:
        text += "\n\n" + texts.REFUSED_YOUR_ID.format(user_id=user_id)
    if chat_id is not None and chat_type not in (None, ChatType.PRIVATE):
        text += "\n" + texts.REFUSED_GROUP_ID.format(chat_id=chat_id)
    return text


async def access_gate(update: object, context: CustomContext) -> None:
    """Runs before every handler: outsiders get a polite refusal with their id, and it is
    logged."""
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
    if update.message is not None and command_name(update.message, context.bot) in OPEN_COMMANDS:
        return
    if is_for_bot(update, context.bot):
        log.info("Từ chối truy cập: người dùng %s, nhóm/chat %s", user_id, chat_id)
        context.metrics.refused("access")
        what = "callback" if update.callback_query else "message"
        await context.db_or_none(context.question_log.record_refusal, user_id, chat_id, what)
        if update.callback_query is not None:
            alert = texts.REFUSED_ALERT.format(user_id=user_id)
            await update.callback_query.answer(alert, show_alert=True)
        elif chat_id is not None:
            text = refusal_text(user_id, chat_id, chat.type if chat else None)
            await send_html(context.bot, chat_id, text, reply_to=reply_to(update))
    raise ApplicationHandlerStop


async def on_error(update: object, context: CustomContext) -> None:
    """Log the failure; tell the user, in Vietnamese, to try again. No traceback in chat.

    Not when Telegram could not be reached, or did not answer in time, after the retries of
    ``bot.delivery``: the answer is then either handled again later (it surely did not
    arrive) or may have arrived (a timeout after sending), and an apology would be a second
    message (issue 15), or fail the same way."""
    error = context.error
    if isinstance(error, RetryAfter) or is_network_failure(error):
        context.metrics.failed(error)
        log.warning(texts.TELEGRAM_UNREACHABLE.format(error=error))
        return
    log.error("Lỗi khi xử lý cập nhật", exc_info=error)
    context.metrics.failed(error)
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
