"""/start, /help, /vanban, /myid, and a polite line for what is not a question."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot import texts
from bot.addressing import reply_to
from bot.context import CustomContext
from bot.documents import document_list
from bot.questions.answer import example_data
from bot.render import render_documents
from bot.send import send_html


async def _documents(context: CustomContext, *, detailed: bool) -> str:
    docs = await context.in_worker(context.answering.documents)
    return render_documents(docs, detailed=detailed) if docs else texts.NO_DOCS


async def on_start(update: Update, context: CustomContext) -> None:
    """The welcome, the documents known, and the example questions as buttons."""
    if (chat := update.effective_chat) is None:
        return
    listing = await _documents(context, detailed=False)
    text = f"{texts.WELCOME}\n\n{texts.WELCOME_DOCS}\n{listing}\n\n{texts.WELCOME_END}"
    buttons = [
        [InlineKeyboardButton(q, callback_data=example_data(i))]
        for i, q in enumerate(context.examples[:3])
    ]
    await send_html(context.bot, chat.id, text, markup=InlineKeyboardMarkup(buttons))


async def on_help(update: Update, context: CustomContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    mention = f"@{context.bot.username}" if context.bot.username else texts.HELP_NO_USERNAME
    text = texts.HELP.format(mention=mention)
    user = update.effective_user
    if user is not None and context.access.is_admin(user.id):
        text += texts.HELP_ADMIN
    await send_html(context.bot, chat.id, text, reply_to=reply_to(update))


async def on_vanban(update: Update, context: CustomContext) -> None:
    """The documents with their ids, numbers, dates and (where they have one) validity."""
    if (chat := update.effective_chat) is None:
        return
    docs = await context.in_worker(context.answering.documents)
    await send_html(context.bot, chat.id, f"{texts.VANBAN_HEAD}\n\n{document_list(docs)}")


async def on_myid(update: Update, context: CustomContext) -> None:
    """``/myid``: the user's numeric id (and the group's, in a group), which the allowlists and
    CCHC_ADMIN_IDS take. Open to everyone (``bot.gate.OPEN_COMMANDS``)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    lines = [texts.MYID.format(user_id=user.id)]
    if chat.type != ChatType.PRIVATE:
        lines.append(texts.MYID_GROUP.format(chat_id=chat.id))
    lines.append(texts.MYID_HINT)
    await send_html(context.bot, chat.id, "\n".join(lines), reply_to=reply_to(update))


async def on_not_text(update: Update, context: CustomContext) -> None:
    """Stickers, photos, voice…: one polite line."""
    chat = update.effective_chat
    if chat is not None:
        await send_html(context.bot, chat.id, texts.NOT_TEXT, reply_to=reply_to(update))


async def on_unknown_command(update: Update, context: CustomContext) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_html(context.bot, chat.id, texts.UNKNOWN_COMMAND, reply_to=reply_to(update))
