"""The trainer's private preview of a group session: every question with its answer, its
source and, for a long question, the time it gets. Sent before the first question."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.context import CustomContext
from bot.quiz import texts
from bot.quiz.questions import documents, period_of, source_label, topic_suffix
from bot.render import esc
from bot.send import send_html
from bot.storage.quiz_state import QuizRun

log = logging.getLogger(__name__)


def preview_text(context: CustomContext, run: QuizRun, group: str) -> str:
    head = texts.PREVIEW_HEAD.format(
        group=esc(group), n=run.total, seconds=run.open_period, topic=topic_suffix(run.topic)
    )
    docs = documents(context)
    lines = [head, ""]
    for i, q in enumerate(run.questions, start=1):
        period = period_of(context, run, q)
        longer = texts.PREVIEW_LONGER.format(seconds=period) if period != run.open_period else ""
        item = texts.PREVIEW_ITEM.format(
            i=i,
            question=esc(q.question) + longer,
            answer=esc(q.answer),
            source=esc(source_label(docs, q)),
        )
        lines += [item, ""]
    return "\n".join(lines).rstrip()


async def send_preview(context: CustomContext, run: QuizRun, trainer: int, group: str) -> bool:
    """Send the preview to the trainer's private chat; False when it could not go (they never
    started the bot, an anonymous admin opened the session, or Telegram failed)."""
    try:
        await send_html(context.bot, trainer, preview_text(context, run, group))
    except TelegramError as exc:
        log.info("Không gửi được bản xem trước phiên %s cho %s: %s", run.id, trainer, exc)
        return False
    return True
