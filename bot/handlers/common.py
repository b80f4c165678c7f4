"""/start, /help, /vanban, non-text messages, the access gate and the error handler."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import texts
from bot.addressing import addressed_question
from bot.render import render_documents
from bot.send import send_html
from bot.services import services

log = logging.getLogger(__name__)


def _reply_to(update: Update) -> int | None:
    msg = update.effective_message
    return msg.message_id if msg is not None else None


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = update.effective_chat
    if chat is None:
        return
    docs = await svc.in_worker(svc.documents)
    listing = render_documents(docs, detailed=False) if docs else texts.NO_DOCS
    text = f"{texts.WELCOME}\n\n{texts.WELCOME_DOCS}\n{listing}\n\n{texts.WELCOME_END}"
    buttons = [
        [InlineKeyboardButton(q, callback_data=f"ex:{i}")] for i, q in enumerate(svc.examples[:3])
    ]
    await send_html(context.bot, chat.id, text, markup=InlineKeyboardMarkup(buttons))


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = update.effective_chat
    if chat is None:
        return
    mention = f"@{context.bot.username}" if context.bot.username else "tên bot"
    text = texts.HELP.format(mention=mention)
    user = update.effective_user
    if user is not None and svc.access.is_admin(user.id):
        text += texts.HELP_ADMIN
    await send_html(context.bot, chat.id, text, reply_to=_reply_to(update))


async def on_vanban(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = update.effective_chat
    if chat is None:
        return
    docs = await svc.in_worker(svc.documents)
    body = render_documents(docs, detailed=True) if docs else texts.NO_DOCS
    await send_html(context.bot, chat.id, f"{texts.VANBAN_HEAD}\n\n{body}")


async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice…: one polite line."""
    chat = update.effective_chat
    if chat is not None:
        await send_html(context.bot, chat.id, texts.NOT_TEXT, reply_to=_reply_to(update))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_html(context.bot, chat.id, texts.UNKNOWN_COMMAND, reply_to=_reply_to(update))


def _is_for_bot(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether an update asks something of the bot (so that a refusal is worth sending)."""
    if update.callback_query is not None:
        return True
    msg = update.message
    if msg is None:
        return False
    if msg.chat.type == ChatType.PRIVATE:
        return True
    if msg.text and msg.text.startswith("/"):
        command = msg.text.split(maxsplit=1)[0]
        target = command.partition("@")[2].lower()
        return not target or target == (context.bot.username or "").lower()
    return addressed_question(msg, context.bot) is not None


async def access_gate(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: outsiders get a polite refusal, and it is logged."""
    if not isinstance(update, Update):
        return
    if update.poll_answer is not None:
        return  # only answers to the bot's own polls count, and those went to allowed chats
    svc = services(context)
    user = update.effective_user
    chat = update.effective_chat
    user_id = user.id if user is not None else None
    chat_id = chat.id if chat is not None else None
    if svc.access.is_allowed(user_id, chat_id):
        return
    if _is_for_bot(update, context):
        log.info("Từ chối truy cập: người dùng %s, nhóm/chat %s", user_id, chat_id)
        what = "callback" if update.callback_query else "message"
        await svc.db(svc.store.record_refusal, user_id, chat_id, what)
        if update.callback_query is not None:
            await update.callback_query.answer(texts.REFUSED, show_alert=True)
        elif chat_id is not None:
            await send_html(context.bot, chat_id, texts.REFUSED, reply_to=_reply_to(update))
    raise ApplicationHandlerStop


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
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
        elif update.effective_chat is not None and _is_for_bot(update, context):
            await send_html(
                context.bot, update.effective_chat.id, texts.ERROR, reply_to=_reply_to(update)
            )
    except TelegramError as exc:
        log.warning("Không báo được lỗi cho người dùng: %s", exc)
