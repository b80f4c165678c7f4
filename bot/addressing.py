"""Whether a message is meant for the bot, the question in it, and where to reply."""

from __future__ import annotations

import re

from telegram import Bot, Message, Update
from telegram.constants import ChatType, MessageEntityType


def command_argument(message: Message) -> str:
    """The text after ``/hoi`` (or ``/hoi@bot``), line breaks kept."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def addressed_question(message: Message, bot: Bot) -> str | None:
    """The question when a message is for the bot, else None.

    In a private chat every text is a question. In a group the bot answers when mentioned
    (``@username`` or a text mention) or when the message replies to one of its messages.
    """
    text = message.text
    if text is None:
        return None
    if message.chat.type == ChatType.PRIVATE:
        return text
    username = (bot.username or "").lower()
    mentioned = False
    for entity, value in message.parse_entities(
        [MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION]
    ).items():
        if entity.type == MessageEntityType.MENTION and value.lower() == f"@{username}":
            mentioned = True
        elif entity.user is not None and entity.user.id == bot.id:
            mentioned = True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        mentioned = True
    if not mentioned:
        return None
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip()


def command_name(message: Message, bot: Bot) -> str | None:
    """``"myid"`` for ``/myid`` or ``/myid@this_bot`` (lower case); None for a text that is not
    a command, or a command for another bot."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    name, _, target = text.split(maxsplit=1)[0][1:].partition("@")
    if target and target.lower() != (bot.username or "").lower():
        return None
    return name.lower() or None


def reply_to(update: Update) -> int | None:
    """The id of the message an update came with, to reply to it."""
    msg = update.effective_message
    return msg.message_id if msg is not None else None


def is_for_bot(update: Update, bot: Bot) -> bool:
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
        return not target or target == (bot.username or "").lower()
    return addressed_question(msg, bot) is not None
