"""Running a reindex from Telegram: off the event loop, with a progress message, then the summary.

Used by /reindex, by a confirmed upload and by a confirmed /xoa. The core's ``AdminService``
runs on the reindex thread; the progress it reports is shown by editing one message, at most
once every ``PROGRESS_EVERY`` seconds. Questions are answered all along, from the version
being served, and the bot switches to the new version when the run has published it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable

from telegram import Message, Update

from bot import texts
from bot.context import CustomContext
from bot.render import esc
from bot.send import edit_html, send_html
from retrieval.domain import messages, naming
from retrieval.domain.errors import CoreError
from retrieval.domain.models import BuildReport
from retrieval.service.admin import AdminService

log = logging.getLogger(__name__)

#: At most one progress edit per this many seconds (Telegram limits edits).
PROGRESS_EVERY = 3.0

Job = Callable[[AdminService], BuildReport]


def render_report(report: BuildReport, *, action: str | None = None, switched: bool) -> str:
    """The summary of a run: documents, passages, time per phase, duplicates."""
    plan = report.plan
    version = esc(report.version or "—")
    head = texts.REPORT_PUBLISHED if report.published else texts.REPORT_UNCHANGED
    lines = [head.format(version=version)]
    if action:
        lines.append(action)
    lines.append(
        texts.REPORT_PLAN.format(
            new=len(plan.new),
            changed=len(plan.changed),
            unchanged=len(plan.unchanged),
            removed=len(plan.removed),
        )
    )
    lines.append(
        texts.REPORT_COUNTS.format(
            documents=naming.number(report.documents),
            passages=naming.number(report.passages),
            embedded=naming.number(report.embedded),
            reused=naming.number(report.reused),
        )
    )
    times = [
        f"{label} {naming.seconds(report.seconds[k])}"
        for k, label in texts.REPORT_PHASES.items()
        if k in report.seconds
    ]
    lines.append(texts.REPORT_TIMES.format(times=" · ".join(times)))
    for doc_id, twin in plan.duplicates:
        lines.append(texts.REPORT_DUPLICATE.format(doc_id=esc(doc_id), twin=esc(twin)))
    if switched:
        lines.append(texts.REPORT_SERVING)
    return "\n".join(lines)


def progress_text(done: int, total: int) -> str:
    if total and done >= total:
        return texts.REINDEX_STORING.format(total=naming.number(total))
    return texts.REINDEX_PROGRESS.format(done=naming.number(done), total=naming.number(total))


class ProgressState:
    """The latest (done, total) reported by the reindex thread, read by the event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self._state = (done, total)

    def snapshot(self) -> tuple[int, int] | None:
        with self._lock:
            return self._state


async def show_progress(message: Message, progress: ProgressState, stop: asyncio.Event) -> None:
    """Edit ``message`` with the progress, at most once every ``PROGRESS_EVERY`` seconds."""
    shown: tuple[int, int] | None = None
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=PROGRESS_EVERY)
        state = progress.snapshot()
        if stop.is_set() or state is None or state == shown:
            continue
        shown = state
        await edit_html(message, progress_text(*state))


async def run_reindex(
    context: CustomContext,
    chat_id: int,
    user_id: int,
    job: Job,
    describe: Callable[[BuildReport, AdminService], str | None] | None = None,
    tidy: Callable[[], Awaitable[object]] | None = None,
) -> BuildReport | None:
    """Run ``job`` off the event loop with a progress message; send the summary or the reason.

    ``tidy`` runs after a success, before the summary is sent. The caller holds
    ``context.services.reindexing``. Returns the report, or None when the run failed.
    """
    status = (await send_html(context.bot, chat_id, texts.REINDEX_PREPARING))[-1]
    progress = ProgressState()
    admin = context.admin(progress=progress, who=f"telegram:{user_id}")
    stop = asyncio.Event()
    # Ends with the run (awaited below); the Application would await it too, were it stopping.
    ticker = context.application.create_task(
        show_progress(status, progress, stop), name=f"reindex-progress-{user_id}"
    )
    reason: str | None = None
    try:
        report = await context.in_reindex_worker(job, admin)
    except CoreError as exc:  # busy, an unknown document, a full disk…: said in one line
        reason = esc(messages.describe(exc))
    except Exception:
        log.exception("Cập nhật chỉ mục từ Telegram thất bại")
        reason = texts.REINDEX_UNEXPECTED
    finally:
        stop.set()
        await ticker
    context.metrics.reindexed(
        "failed" if reason is not None else "published" if report.published else "unchanged"
    )
    if reason is not None:
        await edit_html(status, texts.REINDEX_STOPPED)
        await send_html(context.bot, chat_id, texts.REINDEX_FAILED.format(reason=reason))
        return None
    switched = False
    try:
        switched = await context.in_worker(context.refresh_index)
    except Exception:
        log.exception("Không chuyển được sang phiên bản chỉ mục mới")
    if tidy is not None:
        await tidy()
    await edit_html(status, texts.REINDEX_FINISHED)
    action = describe(report, admin) if describe else None
    await send_html(context.bot, chat_id, render_report(report, action=action, switched=switched))
    log.info(
        "Cập nhật chỉ mục từ Telegram (người dùng %s): phiên bản %s, nhúng %d đoạn",
        user_id,
        report.version,
        report.embedded,
    )
    return report


async def busy(update: Update, context: CustomContext) -> bool:
    """True (and the admin told) when this bot is already running a reindex."""
    if not context.services.reindexing.locked():
        return False
    query = update.callback_query
    if query is not None:
        await query.answer(texts.REINDEX_BUSY, show_alert=True)
    elif update.effective_chat is not None:
        await send_html(context.bot, update.effective_chat.id, texts.REINDEX_BUSY)
    return True
