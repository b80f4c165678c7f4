"""Documents added or removed from Telegram: files an admin sends, and ``/xoa``.

A file an admin sends is downloaded into the quarantine folder, read by the core and shown,
with what a dry run would do, under Confirm / Cancel buttons. The pending action is kept in
the bot's database under a short key (its file stays on disk), so the buttons still work after
a restart. On Confirm the reindex runs (:mod:`bot.admin.rebuild`); then the quarantined file
is deleted. A failure leaves the file where it is and tells the admin why. ``/xoa DOC_ID``
asks the same way before removing a document.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import texts
from bot.addressing import command_argument
from bot.admin.commands import require_admin
from bot.admin.rebuild import busy, run_reindex
from bot.context import BotServices, CustomContext
from bot.render import doc_line, esc
from bot.send import edit_html, send_html
from bot.storage.pending import PendingAction
from bot.storage.sqlite import new_key
from retrieval.domain import messages, naming
from retrieval.domain.errors import LoaderError
from retrieval.domain.models import BuildReport, Document
from retrieval.service.admin import SUPPORTED_SUFFIXES, AdminService, read_file
from retrieval.service.files import private_file

log = logging.getLogger(__name__)

KEY = r"[A-Za-z0-9_-]{4,16}"
UPLOAD = re.compile(rf"^up:(ok|no):({KEY})$")
REMOVE = re.compile(rf"^rm:(ok|no):({KEY})$")
#: A pending upload or removal may be confirmed for this long.
PENDING_TTL = 24 * 3600.0
#: Files that failed stay in quarantine this long, for an admin to look at.
QUARANTINE_KEEP = 7 * 24 * 3600.0


# -- the file, on disk --------------------------------------------------------------------------
def safe_name(name: str | None) -> str:
    """A file name that is safe on disk: no folders, no control characters, not too long."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*').strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:100].strip() or "van-ban"
    return f"{stem}.{suffix[:10]}" if suffix else stem


def upload_problem(name: str, size: int | None, limit: int) -> str | None:
    """Why a file is refused before it is even downloaded (type, size), or None."""
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return texts.UPLOAD_BAD_TYPE.format(name=esc(name))
    if size is not None and size > limit:
        return texts.UPLOAD_TOO_BIG.format(
            name=esc(name), size=naming.megabytes(size), limit=naming.megabytes(limit)
        )
    return None


def quarantine_folder(svc: BotServices, key: str) -> Path:
    return svc.settings.quarantine_dir / key


def discard(svc: BotServices, key: str) -> None:
    shutil.rmtree(quarantine_folder(svc, key), ignore_errors=True)


def sweep(svc: BotServices) -> None:
    """Forget pending actions past their time, and old quarantined files. Blocking."""
    for pending in svc.pending.older_than(PENDING_TTL):
        svc.pending.drop(pending.key)
        discard(svc, pending.key)
    root = svc.settings.quarantine_dir
    now = time.time()
    try:
        for folder in root.iterdir() if root.is_dir() else []:
            if folder.is_dir() and now - folder.stat().st_mtime > QUARANTINE_KEEP:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError as exc:
        log.warning("Không dọn được thư mục cách ly %s: %s", root, exc)


def render_preview(name: str, doc: Document, report: BuildReport) -> str:
    """What was read from the file and what confirming it would do."""
    unknown = texts.UPLOAD_UNKNOWN
    plan = report.plan
    fields = texts.UPLOAD_FIELDS.format(
        title=esc(naming.shorten(doc.title, 300)),
        kind=esc(doc.kind),
        number=esc(doc.number) if doc.number else unknown,
        date=naming.document_date(doc) or unknown,
        issuer=esc(naming.shorten(doc.issuer, 200)) if doc.issuer else unknown,
        summary=esc(naming.shorten(doc.summary, 600)),
        doc_id=esc(doc.id),
    )
    lines = [texts.UPLOAD_PREVIEW_HEAD.format(name=esc(name)), fields, ""]
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


# -- Confirm / Cancel ---------------------------------------------------------------------------
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


async def pending_for(
    update: Update, context: CustomContext, key: str, action: str
) -> PendingAction | None:
    """The pending action behind a button, or None (and the admin told it has expired)."""
    pending = await context.db_or_none(context.pending.get, key)
    if pending is not None and pending.action == action and pending.age_seconds() < PENDING_TTL:
        return pending
    if pending is not None:
        await context.db_or_none(context.pending.drop, key)
        discard(context.services, key)
    query = update.callback_query
    await query.answer(texts.PENDING_EXPIRED, show_alert=True)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    return None


async def pressed(
    update: Update, context: CustomContext, pattern: re.Pattern[str], action: str
) -> tuple[str, str, PendingAction] | None:
    """An admin's press on a confirm / cancel button: (choice, key, pending action), or None
    when it is not an admin's, not ours, or has expired (each told kindly)."""
    query = update.callback_query
    if not context.access.is_admin(query.from_user.id):
        await query.answer(texts.ADMIN_BUTTON_ONLY, show_alert=True)
        return None
    match = pattern.match(query.data or "")
    if match is None or query.message is None:
        return None
    choice, key = match.groups()
    pending = await pending_for(update, context, key, action)
    if pending is None:
        return None
    return choice, key, pending


async def restore_buttons(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    """After a failed run, the Confirm / Cancel buttons come back for a retry."""
    if markup is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.edit_message_reply_markup(markup)


async def take_buttons(update: Update) -> InlineKeyboardMarkup | None:
    """Remove the buttons while the run goes on; returns them, for :func:`restore_buttons`."""
    query = update.callback_query
    markup = query.message.reply_markup if query.message is not None else None
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    return markup


# -- files sent by an admin -------------------------------------------------------------------
async def on_document(update: Update, context: CustomContext) -> None:
    """A file in a private chat: admins get it read and previewed; others a polite no."""
    msg = update.effective_message
    user = update.effective_user
    if msg is None or msg.document is None or user is None:
        return
    if not context.access.is_admin(user.id):
        log.info("Từ chối tệp của người dùng không phải quản trị viên %s", user.id)
        await send_html(context.bot, msg.chat_id, texts.UPLOAD_REFUSED, reply_to=msg.message_id)
        return
    name = safe_name(msg.document.file_name)
    problem = upload_problem(name, msg.document.file_size, context.settings.upload_max_bytes)
    if problem:
        await send_html(context.bot, msg.chat_id, problem, reply_to=msg.message_id)
        return
    receiving = texts.UPLOAD_RECEIVING.format(name=esc(name))
    status = (await send_html(context.bot, msg.chat_id, receiving, reply_to=msg.message_id))[-1]
    await context.db_or_none(sweep, context.services)
    key = new_key()
    path = quarantine_folder(context.services, key) / name
    try:
        private_file(path)  # the quarantine is the service's alone, whatever the umask
        telegram_file = await context.bot.get_file(msg.document.file_id)
        await telegram_file.download_to_drive(path)
    except (TelegramError, OSError) as exc:
        log.warning("Không tải được tệp %s: %s", name, exc)
        discard(context.services, key)
        await edit_html(status, texts.UPLOAD_DOWNLOAD_FAILED.format(name=esc(name)))
        return
    await preview(context, status, key, path, user.id)


async def read_or_explain(
    context: CustomContext, path: Path, explain: Callable[[str], Awaitable[object]]
) -> Document | None:
    """The document read from ``path``, or None after ``explain`` told the admin why not."""
    try:
        return await context.in_worker(read_file, path, context.settings.upload_max_bytes)
    except LoaderError as exc:
        reason = messages.describe(exc)
        log.info("Tệp %s bị từ chối: %s", path.name, reason)
        shown = esc(naming.shorten(reason, 800))
        await explain(texts.UPLOAD_LOAD_FAILED.format(name=esc(path.name), reason=shown))
        return None


async def preview(
    context: CustomContext, status: Message, key: str, path: Path, user_id: int
) -> None:
    """Read the quarantined file, dry-run it, and ask for confirmation."""
    doc = await read_or_explain(context, path, lambda text: edit_html(status, text))
    if doc is None:
        return
    dry = context.admin()
    report = await context.in_worker(lambda: dry.add([doc], dry_run=True))
    saved = await context.db_or_none(
        context.pending.add, key, "add", user_id, status.chat_id, {"file": path.name}
    )
    if saved is None:
        await edit_html(status, texts.PENDING_SAVE_FAILED)
        return
    await edit_html(status, render_preview(path.name, doc, report), buttons("up", key))


async def on_upload_button(update: Update, context: CustomContext) -> None:
    query = update.callback_query
    if (press := await pressed(update, context, UPLOAD, "add")) is None:
        return
    choice, key, pending = press
    svc = context.services
    name = str(pending.payload.get("file", ""))
    if choice == "no":
        if svc.upload_running == key:
            await query.answer(texts.PENDING_RUNNING, show_alert=True)
            return
        await context.db_or_none(context.pending.drop, key)
        discard(svc, key)
        await query.answer()
        await edit_html(query.message, texts.UPLOAD_CANCELLED.format(name=esc(name)))
        return
    if await busy(update, context):
        return
    async with svc.reindexing:
        svc.upload_running = key
        try:
            await query.answer()
            await confirm_upload(update, context, pending)
        finally:
            svc.upload_running = None


async def confirm_upload(update: Update, context: CustomContext, pending: PendingAction) -> None:
    """Confirmed: read the file again, add it, and tidy up after success."""
    query = update.callback_query
    chat_id = pending.chat_id
    path = quarantine_folder(context.services, pending.key) / str(pending.payload.get("file", ""))
    markup = await take_buttons(update)
    doc = await read_or_explain(context, path, lambda text: send_html(context.bot, chat_id, text))
    if doc is None:
        return

    def describe(report: BuildReport, admin: AdminService) -> str:
        twin = next((t for d, t in admin.skipped_duplicates if d == doc.id), None)
        if twin:
            return texts.UPLOAD_SKIPPED.format(title=esc(doc.title), twin=esc(twin))
        return texts.UPLOAD_ADDED.format(title=esc(doc.title), doc_id=esc(doc.id))

    async def tidy() -> None:
        await context.db_or_none(context.pending.drop, pending.key)
        discard(context.services, pending.key)

    report = await run_reindex(
        context, chat_id, query.from_user.id, lambda admin: admin.add([doc]), describe, tidy
    )
    if report is None:  # the file stays in quarantine; the buttons come back for a retry
        await restore_buttons(update, markup)
        await send_html(context.bot, chat_id, texts.UPLOAD_RETRY)


# -- /xoa -----------------------------------------------------------------------------------------
async def on_remove(update: Update, context: CustomContext) -> None:
    """``/xoa DOC_ID``: show the document and ask for confirmation; admins only."""
    msg = update.effective_message
    user = update.effective_user
    if not await require_admin(update, context) or msg is None or user is None:
        return
    doc_id = command_argument(msg).strip()
    docs = {d.id: d for d in await context.in_worker(context.answering.documents)}
    if not doc_id:
        listing = "\n".join(f"• <code>{esc(d.id)}</code> — {esc(d.title)}" for d in docs.values())
        await send_html(context.bot, msg.chat_id, texts.REMOVE_USAGE.format(listing=listing))
        return
    doc = docs.get(doc_id)
    if doc is None:
        text = texts.REMOVE_UNKNOWN.format(doc_id=esc(doc_id[:100]))
        await send_html(context.bot, msg.chat_id, text)
        return
    key = new_key()
    saved = await context.db_or_none(
        context.pending.add, key, "remove", user.id, msg.chat_id, {"doc": doc_id}
    )
    if saved is None:
        await send_html(context.bot, msg.chat_id, texts.PENDING_SAVE_FAILED)
        return
    text = texts.REMOVE_ASK.format(line=doc_line(doc), doc_id=esc(doc_id))
    await send_html(
        context.bot, msg.chat_id, text, reply_to=msg.message_id, markup=buttons("rm", key)
    )


async def on_remove_button(update: Update, context: CustomContext) -> None:
    query = update.callback_query
    if (press := await pressed(update, context, REMOVE, "remove")) is None:
        return
    choice, key, pending = press
    doc_id = str(pending.payload.get("doc", ""))
    if choice == "no":
        await context.db_or_none(context.pending.drop, key)
        await query.answer()
        await edit_html(query.message, texts.REMOVE_CANCELLED.format(doc_id=esc(doc_id)))
        return
    if await busy(update, context):
        return
    async with context.services.reindexing:
        await query.answer()
        markup = await take_buttons(update)
        report = await run_reindex(
            context,
            pending.chat_id,
            query.from_user.id,
            lambda admin: admin.remove(doc_id),
            lambda _report, _admin: texts.REMOVED.format(doc_id=esc(doc_id)),
            lambda: context.db_or_none(context.pending.drop, key),
        )
        if report is None:  # busy, say: the buttons come back for a retry
            await restore_buttons(update, markup)
