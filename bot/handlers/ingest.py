"""Admin ingestion from Telegram: files sent to the bot, ``/reindex`` and ``/xoa``.

A file an admin sends is downloaded into the quarantine folder, read by
``load_file`` and shown, with what a dry run would do, under Confirm / Cancel
buttons. The pending upload is kept in the bot's SQLite under a short key (its file stays on
disk), so the buttons still work after a restart. On Confirm the core's ``AdminService`` runs on
a thread of its own while a message shows its progress; then the summary is sent, the
assistant switches to the new version and the quarantined file is deleted. A failure leaves
the file where it is and tells the admin why. Questions are answered all along, from the
version being served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.addressing import command_argument
from bot.handlers.admin import require_admin
from bot.log_store import PendingAction, new_key
from bot.render import doc_line, esc
from bot.send import NO_PREVIEW, send_html
from bot.services import Services, services
from retrieval.domain import messages, naming
from retrieval.domain.errors import LoaderError, ReindexBusyError, UnknownDocumentError
from retrieval.domain.models import BuildReport, Document
from retrieval.service.admin import SUPPORTED_SUFFIXES, AdminService, read_file

log = logging.getLogger(__name__)

KEY = r"[A-Za-z0-9_-]{4,16}"
UPLOAD = re.compile(rf"^up:(ok|no):({KEY})$")
REMOVE = re.compile(rf"^rm:(ok|no):({KEY})$")
#: A pending upload or removal may be confirmed for this long.
PENDING_TTL = 24 * 3600.0
#: Files that failed stay in quarantine this long, for an admin to look at.
QUARANTINE_KEEP = 7 * 24 * 3600.0
#: At most one progress edit per this many seconds (Telegram limits edits).
PROGRESS_EVERY = 3.0
#: Where the key of the upload being ingested is kept (a Cancel press must not race it).
RUNNING = "ingest_running"

Job = Callable[[AdminService], BuildReport]


# -- small helpers ----------------------------------------------------------------------------
def safe_name(name: str | None) -> str:
    """A file name that is safe on disk: no folders, no control characters, not too long."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*').strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:100].strip() or "van-ban"
    return f"{stem}.{suffix[:10]}" if suffix else stem


def buttons(prefix: str, key: str) -> InlineKeyboardMarkup:
    """Confirm / Cancel; ``prefix:ok:key`` is at most 22 bytes, well under 64."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BUTTON_CONFIRM, callback_data=f"{prefix}:ok:{key}"),
                InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=f"{prefix}:no:{key}"),
            ]
        ]
    )


async def edit(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
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


def upload_problem(name: str, size: int | None, limit: int) -> str | None:
    """Why a file is refused before it is even downloaded (type, size), or None."""
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return texts.UPLOAD_BAD_TYPE.format(name=esc(name))
    if size is not None and size > limit:
        return texts.UPLOAD_TOO_BIG.format(
            name=esc(name), size=naming.megabytes(size), limit=naming.megabytes(limit)
        )
    return None


def quarantine_folder(svc: Services, key: str) -> Path:
    return svc.settings.quarantine_dir / key


def discard(svc: Services, key: str) -> None:
    shutil.rmtree(quarantine_folder(svc, key), ignore_errors=True)


def sweep(svc: Services) -> None:
    """Forget pending actions past their time, and old quarantined files. Blocking."""
    for pending in svc.store.pending_older_than(PENDING_TTL):
        svc.store.drop_pending(pending.key)
        discard(svc, pending.key)
    root = svc.settings.quarantine_dir
    now = time.time()
    try:
        for folder in root.iterdir() if root.is_dir() else []:
            if folder.is_dir() and now - folder.stat().st_mtime > QUARANTINE_KEEP:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError as exc:
        log.warning("Không dọn được thư mục cách ly %s: %s", root, exc)


# -- rendering --------------------------------------------------------------------------------
def render_preview(name: str, doc: Document, report: BuildReport) -> str:
    """What was read from the file and what confirming it would do."""
    unknown = "<i>không rõ</i>"
    plan = report.plan
    lines = [
        texts.UPLOAD_PREVIEW_HEAD.format(name=esc(name)),
        f"• Tiêu đề: <b>{esc(naming.shorten(doc.title, 300))}</b>",
        f"• Loại: {esc(doc.kind)}",
        f"• Số hiệu: {esc(doc.number) if doc.number else unknown}",
        f"• Ngày ban hành: {naming.document_date(doc) or unknown}",
        f"• Cơ quan ban hành: {esc(naming.shorten(doc.issuer, 200)) if doc.issuer else unknown}",
        f"• Trích yếu: {esc(naming.shorten(doc.summary, 600))}",
        f"• Mã văn bản: <code>{esc(doc.id)}</code>",
        "",
    ]
    twin = next((t for d, t in plan.duplicates if d == doc.id), None)
    if twin:
        lines.append(texts.UPLOAD_DUPLICATE.format(twin=esc(twin)))
    elif doc.id in plan.changed:
        lines.append(texts.UPLOAD_CHANGED)
    elif doc.id in plan.unchanged:
        lines.append(texts.UPLOAD_UNCHANGED)
    else:
        lines.append(texts.UPLOAD_NEW)
    lines.append(
        texts.UPLOAD_TO_EMBED.format(
            to_embed=naming.number(plan.to_embed), passages=naming.number(plan.passages)
        )
    )
    lines += ["", texts.UPLOAD_PREVIEW_HINT]
    return "\n".join(lines)


PHASES = {
    "chunking": "chia đoạn",
    "planning": "lập kế hoạch",
    "embedding": "nhúng",
    "storage": "ghi chỉ mục",
    "total": "tổng",
}


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
        for k, label in PHASES.items()
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


# -- running a reindex --------------------------------------------------------------------------
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
        await edit(message, progress_text(*state))


async def run_reindex(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    job: Job,
    describe: Callable[[BuildReport, AdminService], str | None] | None = None,
    tidy: Callable[[], Awaitable[object]] | None = None,
) -> BuildReport | None:
    """Run ``job`` off the event loop with a progress message; send the summary or the reason.

    ``tidy`` runs after a success, before the summary is sent. The caller holds
    ``svc.reindexing``. Returns the report, or None when the run failed.
    """
    svc = services(context)
    status = (await send_html(context.bot, chat_id, texts.REINDEX_PREPARING))[-1]
    progress = ProgressState()
    reindexer = AdminService(
        svc.settings,
        encoder=svc.answering.encoder,
        progress=progress,
        who=f"telegram:{user_id}",
    )
    stop = asyncio.Event()
    ticker = asyncio.create_task(show_progress(status, progress, stop))
    reason: str | None = None
    try:
        report = await svc.in_reindex_worker(job, reindexer)
    except (ReindexBusyError, UnknownDocumentError) as exc:
        reason = esc(messages.describe(exc))
    except Exception:
        log.exception("Cập nhật chỉ mục từ Telegram thất bại")
        reason = texts.REINDEX_UNEXPECTED
    finally:
        stop.set()
        await ticker
    if reason is not None:
        await edit(status, texts.REINDEX_STOPPED)
        await send_html(context.bot, chat_id, texts.REINDEX_FAILED.format(reason=reason))
        return None
    switched = False
    try:
        switched = await svc.in_worker(svc.refresh_index)
    except Exception:
        log.exception("Không chuyển được sang phiên bản chỉ mục mới")
    if tidy is not None:
        await tidy()
    await edit(status, texts.REINDEX_FINISHED)
    action = describe(report, reindexer) if describe else None
    await send_html(context.bot, chat_id, render_report(report, action=action, switched=switched))
    log.info(
        "Cập nhật chỉ mục từ Telegram (người dùng %s): phiên bản %s, nhúng %d đoạn",
        user_id,
        report.version,
        report.embedded,
    )
    return report


async def busy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True (and the admin told) when this bot is already running a reindex."""
    if not services(context).reindexing.locked():
        return False
    query = update.callback_query
    if query is not None:
        await query.answer(texts.REINDEX_BUSY, show_alert=True)
    elif update.effective_chat is not None:
        await send_html(context.bot, update.effective_chat.id, texts.REINDEX_BUSY)
    return True


# -- files sent by an admin -------------------------------------------------------------------
async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file in a private chat: admins get it read and previewed; others a polite no."""
    msg = update.effective_message
    user = update.effective_user
    if msg is None or msg.document is None or user is None:
        return
    svc = services(context)
    if not svc.access.is_admin(user.id):
        log.info("Từ chối tệp của người dùng không phải quản trị viên %s", user.id)
        await send_html(context.bot, msg.chat_id, texts.UPLOAD_REFUSED, reply_to=msg.message_id)
        return
    name = safe_name(msg.document.file_name)
    problem = upload_problem(name, msg.document.file_size, svc.settings.upload_max_bytes)
    if problem:
        await send_html(context.bot, msg.chat_id, problem, reply_to=msg.message_id)
        return
    receiving = texts.UPLOAD_RECEIVING.format(name=esc(name))
    status = (await send_html(context.bot, msg.chat_id, receiving, reply_to=msg.message_id))[-1]
    await svc.db(sweep, svc)
    key = new_key()
    path = quarantine_folder(svc, key) / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        telegram_file = await context.bot.get_file(msg.document.file_id)
        await telegram_file.download_to_drive(path)
    except (TelegramError, OSError) as exc:
        log.warning("Không tải được tệp %s: %s", name, exc)
        discard(svc, key)
        await edit(status, texts.UPLOAD_DOWNLOAD_FAILED.format(name=esc(name)))
        return
    await preview(context, status, key, path, user.id)


async def preview(
    context: ContextTypes.DEFAULT_TYPE, status: Message, key: str, path: Path, user_id: int
) -> None:
    """Read the quarantined file, dry-run it, and ask for confirmation."""
    svc = services(context)
    name = path.name
    try:
        doc = await svc.in_worker(read_file, path, svc.settings.upload_max_bytes)
    except LoaderError as exc:
        reason = messages.describe(exc)
        log.info("Tệp %s bị từ chối: %s", name, reason)
        shown = esc(naming.shorten(reason, 800))
        text = texts.UPLOAD_LOAD_FAILED.format(name=esc(name), reason=shown)
        await edit(status, text)
        return
    dry = AdminService(svc.settings, encoder=svc.answering.encoder)
    report = await svc.in_worker(dry.add, [doc], dry_run=True)
    saved = await svc.db(svc.store.add_pending, key, "add", user_id, status.chat_id, {"file": name})
    if saved is None:
        await edit(status, texts.PENDING_SAVE_FAILED)
        return
    await edit(status, render_preview(name, doc, report), buttons("up", key))


async def pending_for(
    update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, action: str
) -> PendingAction | None:
    """The pending action behind a button, or None (and the admin told it has expired)."""
    svc = services(context)
    pending = await svc.db(svc.store.pending, key)
    if pending is not None and pending.action == action and pending.age_seconds() < PENDING_TTL:
        return pending
    if pending is not None:
        await svc.db(svc.store.drop_pending, key)
        discard(svc, key)
    query = update.callback_query
    await query.answer(texts.PENDING_EXPIRED, show_alert=True)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    return None


async def pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pattern: re.Pattern[str], action: str
) -> tuple[Services, str, str, PendingAction] | None:
    """An admin's press on a confirm / cancel button: (services, choice, key, pending action),
    or None when it is not an admin's, not ours, or has expired (each told kindly)."""
    svc = services(context)
    query = update.callback_query
    if not svc.access.is_admin(query.from_user.id):
        await query.answer(texts.ADMIN_BUTTON_ONLY, show_alert=True)
        return None
    match = pattern.match(query.data or "")
    if match is None or query.message is None:
        return None
    choice, key = match.groups()
    pending = await pending_for(update, context, key, action)
    if pending is None:
        return None
    return svc, choice, key, pending


async def on_upload_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if (press := await pressed(update, context, UPLOAD, "add")) is None:
        return
    svc, choice, key, pending = press
    name = str(pending.payload.get("file", ""))
    if choice == "no":
        if context.bot_data.get(RUNNING) == key:
            await query.answer(texts.PENDING_RUNNING, show_alert=True)
            return
        await svc.db(svc.store.drop_pending, key)
        discard(svc, key)
        await query.answer()
        await edit(query.message, texts.UPLOAD_CANCELLED.format(name=esc(name)))
        return
    if await busy(update, context):
        return
    async with svc.reindexing:
        context.bot_data[RUNNING] = key
        try:
            await query.answer()
            await confirm_upload(update, context, pending)
        finally:
            context.bot_data.pop(RUNNING, None)


async def confirm_upload(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pending: PendingAction
) -> None:
    """Confirmed: read the file again, add it, and tidy up after success."""
    svc = services(context)
    query = update.callback_query
    chat_id = pending.chat_id
    name = str(pending.payload.get("file", ""))
    path = quarantine_folder(svc, pending.key) / name
    markup = query.message.reply_markup if query.message is not None else None
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    try:
        doc = await svc.in_worker(read_file, path, svc.settings.upload_max_bytes)
    except LoaderError as exc:
        reason = esc(naming.shorten(messages.describe(exc), 800))
        text = texts.UPLOAD_LOAD_FAILED.format(name=esc(name), reason=reason)
        await send_html(context.bot, chat_id, text)
        return

    def describe(report: BuildReport, reindexer: AdminService) -> str:
        twin = next((t for d, t in reindexer.skipped_duplicates if d == doc.id), None)
        if twin:
            return texts.UPLOAD_SKIPPED.format(title=esc(doc.title), twin=esc(twin))
        return texts.UPLOAD_ADDED.format(title=esc(doc.title), doc_id=esc(doc.id))

    async def tidy() -> None:
        await svc.db(svc.store.drop_pending, pending.key)
        discard(svc, pending.key)

    report = await run_reindex(
        context, chat_id, query.from_user.id, lambda r: r.add([doc]), describe, tidy
    )
    if report is None:  # the file stays in quarantine; the buttons come back for a retry
        if markup is not None:
            with contextlib.suppress(TelegramError):
                await query.edit_message_reply_markup(markup)
        await send_html(context.bot, chat_id, texts.UPLOAD_RETRY)


# -- /reindex and /xoa --------------------------------------------------------------------------
async def on_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/reindex``: rebuild from ``knowledge/`` plus the documents added; admins only."""
    svc = await require_admin(update, context)
    if svc is None or update.effective_chat is None or update.effective_user is None:
        return
    if await busy(update, context):
        return
    async with svc.reindexing:
        await run_reindex(
            context, update.effective_chat.id, update.effective_user.id, lambda r: r.rebuild()
        )


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/xoa DOC_ID``: show the document and ask for confirmation; admins only."""
    svc = await require_admin(update, context)
    msg = update.effective_message
    user = update.effective_user
    if svc is None or msg is None or user is None:
        return
    doc_id = command_argument(msg).strip()
    docs = {d.id: d for d in await svc.in_worker(svc.documents)}
    if not doc_id:
        listing = "\n".join(f"• <code>{esc(d.id)}</code> — {esc(d.title)}" for d in docs.values())
        await send_html(context.bot, msg.chat_id, texts.REMOVE_USAGE.format(listing=listing))
        return
    doc = docs.get(doc_id)
    if doc is None:
        await send_html(
            context.bot, msg.chat_id, texts.REMOVE_UNKNOWN.format(doc_id=esc(doc_id[:100]))
        )
        return
    key = new_key()
    saved = await svc.db(
        svc.store.add_pending, key, "remove", user.id, msg.chat_id, {"doc": doc_id}
    )
    if saved is None:
        await send_html(context.bot, msg.chat_id, texts.PENDING_SAVE_FAILED)
        return
    text = texts.REMOVE_ASK.format(line=doc_line(doc), doc_id=esc(doc_id))
    await send_html(
        context.bot, msg.chat_id, text, reply_to=msg.message_id, markup=buttons("rm", key)
    )


async def on_remove_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if (press := await pressed(update, context, REMOVE, "remove")) is None:
        return
    svc, choice, key, pending = press
    doc_id = str(pending.payload.get("doc", ""))
    if choice == "no":
        await svc.db(svc.store.drop_pending, key)
        await query.answer()
        await edit(query.message, texts.REMOVE_CANCELLED.format(doc_id=esc(doc_id)))
        return
    if await busy(update, context):
        return
    async with svc.reindexing:
        await query.answer()
        markup = query.message.reply_markup
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        report = await run_reindex(
            context,
            pending.chat_id,
            query.from_user.id,
            lambda r: r.remove(doc_id),
            lambda _report, _r: texts.REMOVED.format(doc_id=esc(doc_id)),
            lambda: svc.db(svc.store.drop_pending, key),
        )
        if report is None and markup is not None:  # busy, say: the buttons come back for a retry
            with contextlib.suppress(TelegramError):
                await query.edit_message_reply_markup(markup)
