"""Admin commands: /thongke (usage statistics), /reload (switch to a new index), /reindex."""

from __future__ import annotations

import logging

from telegram import Update

from bot import texts
from bot.addressing import reply_to
from bot.admin.rebuild import busy, run_reindex
from bot.context import CustomContext
from bot.render import esc
from bot.send import send_html
from retrieval.domain import naming

log = logging.getLogger(__name__)


async def require_admin(update: Update, context: CustomContext) -> bool:
    """True when the sender is an admin; otherwise a refusal (logged) and False."""
    user = update.effective_user
    chat = update.effective_chat
    if user is not None and context.access.is_admin(user.id):
        return True
    log.info("Lệnh quản trị bị từ chối cho người dùng %s", user.id if user else None)
    if chat is not None:
        await send_html(context.bot, chat.id, texts.ADMIN_ONLY, reply_to=reply_to(update))
    return False


async def on_stats(update: Update, context: CustomContext) -> None:
    if not await require_admin(update, context) or update.effective_chat is None:
        return
    stats = await context.db_or_none(context.question_log.stats)
    if stats is None:
        text = texts.STATS_FAILED
    else:
        latency = "—"
        if stats.median_latency_ms is not None:
            seconds = naming.decimal(stats.median_latency_ms / 1000, 2)
            latency = texts.STATS_LATENCY.format(seconds=seconds)
        text = texts.STATS.format(
            users=stats.users,
            questions=stats.questions,
            abstention=naming.percent(stats.abstention_share),
            likes=stats.likes,
            dislikes=stats.dislikes,
            latency=latency,
            refusals=stats.refusals,
        )
    await send_html(context.bot, update.effective_chat.id, text)


async def on_reload(update: Update, context: CustomContext) -> None:
    if not await require_admin(update, context) or update.effective_chat is None:
        return
    try:
        changed = await context.in_worker(context.refresh_index)
    except Exception:
        log.exception("Nạp lại chỉ mục thất bại")
        await send_html(context.bot, update.effective_chat.id, texts.RELOAD_FAILED)
        return
    version = context.index_version() or "—"
    template = texts.RELOADED if changed else texts.NOT_RELOADED
    await send_html(context.bot, update.effective_chat.id, template.format(version=esc(version)))


async def on_reindex(update: Update, context: CustomContext) -> None:
    """``/reindex``: rebuild from ``knowledge/`` plus the documents added; admins only."""
    chat, user = update.effective_chat, update.effective_user
    if not await require_admin(update, context) or chat is None or user is None:
        return
    if await busy(update, context):
        return
    async with context.services.reindexing:
        await run_reindex(context, chat.id, user.id, lambda admin: admin.rebuild())
