"""Sending HTML safely: split to fit, plain-text fallback, status edits, a typing indicator."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.render import split_html, to_plain

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
#: Telegram shows a chat action for about five seconds.
TYPING_EVERY = 4.5


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
    thread_id: int | None = None,
) -> list[Message]:
    """Send ``text`` in as many messages as it needs; the buttons go under the last one.

    Should Telegram refuse the markup ("can't parse entities"), that part is sent again as
    plain text rather than lost.
    """
    parts = split_html(text)
    sent: list[Message] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        kwargs = {
            "reply_markup": markup if last else None,
            "reply_parameters": (
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to and i == 0
                else None
            ),
            "message_thread_id": thread_id,
            "link_preview_options": NO_PREVIEW,
        }
        try:
            msg = await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, **kwargs)
        except BadRequest as exc:
            if "parse entities" not in str(exc).lower():
                raise
            log.warning("Telegram không nhận định dạng HTML, gửi dạng chữ thường: %s", exc)
            msg = await bot.send_message(chat_id, to_plain(part), **kwargs)
        sent.append(msg)
    return sent


async def edit_html(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit a status message; a failure to edit is not worth failing the action for."""
    try:
        await message.edit_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.warning("Không sửa được tin nhắn trạng thái: %s", exc)
    except TelegramError as exc:
        log.warning("Không sửa được tin nhắn trạng thái: %s", exc)


@contextlib.asynccontextmanager
async def typing(
    application: Application, chat_id: int, thread_id: int | None = None, delay: float = 0.0
) -> AsyncIterator[None]:
    """Show "đang nhập…" in the chat for as long as the block runs, once it has run ``delay``
    seconds: a quick answer needs no indicator, and each indicator costs one request of the
    30 a second Telegram allows a bot (``AIORateLimiter`` queues the rest).

    The indicator runs as an ``Application.create_task`` task, cancelled when the block ends
    (so none is sent after the answer); should the bot stop meanwhile, the ``Application``
    awaits it.
    """
    bot = application.bot

    async def show() -> None:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
        except TelegramError as exc:  # the indicator is a nicety; never fail on it
            log.debug("Không gửi được trạng thái đang nhập: %s", exc)

    async def keep_typing(first: float) -> None:
        await asyncio.sleep(first)
        while True:
            await show()
            await asyncio.sleep(TYPING_EVERY)

    if delay <= 0:  # shown at once, however quick the answer
        await show()
        delay = TYPING_EVERY
    task = application.create_task(keep_typing(delay), name=f"typing-{chat_id}")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
