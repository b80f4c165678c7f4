"""Admin commands: /thongke (usage statistics) and /reload (switch to a new index)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.render import esc
from bot.send import send_html
from bot.services import Services, services
from retrieval.domain import naming

log = logging.getLogger(__name__)


async def require_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Services | None:
    """The services when the sender is an admin; otherwise a refusal (logged) and None."""
    svc = services(context)
    user = update.effective_user
    chat = update.effective_chat
    if user is not None and svc.access.is_admin(user.id):
        return svc
    log.info("Lệnh quản trị bị từ chối cho người dùng %s", user.id if user else None)
    if chat is not None:
        msg = update.effective_message
        reply_to = msg.message_id if msg is not None else None
        await send_html(context.bot, chat.id, texts.ADMIN_ONLY, reply_to=reply_to)
    return None


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = await require_admin(update, context)
    if svc is None or update.effective_chat is None:
        return
    stats = await svc.db(svc.store.stats)
    if stats is None:
        text = texts.STATS_FAILED
    else:
        latency = "—"
        if stats.median_latency_ms is not None:
            latency = f"{naming.decimal(stats.median_latency_ms / 1000, 2)} giây"
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


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = await require_admin(update, context)
    if svc is None or update.effective_chat is None:
        return
    try:
        changed = await svc.in_worker(svc.refresh_index)
    except Exception:
        log.exception("Nạp lại chỉ mục thất bại")
        await send_html(context.bot, update.effective_chat.id, texts.RELOAD_FAILED)
        return
    version = svc.index_version() or "—"
    template = texts.RELOADED if changed else texts.NOT_RELOADED
    await send_html(context.bot, update.effective_chat.id, template.format(version=esc(version)))
