"""The quiz's handlers: /quiz, /dungquiz, /ketqua, /diem, poll answers, the source and retry
buttons, and a group's migration to a supergroup. A reply to a command is threaded to it."""

from __future__ import annotations

import logging
import re
import time

from telegram import InputFile, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import texts as common
from bot.addressing import command_argument
from bot.context import CustomContext
from bot.quiz import texts
from bot.quiz.answers import record
from bot.quiz.args import PRACTICE_DEFAULT, parse_args
from bot.quiz.group import start_group, stop_group
from bot.quiz.practice import (
    missed_questions,
    practice_answered,
    send_practice_result,
    start_practice,
)
from bot.quiz.questions import choose, matches_key
from bot.quiz.report import history_text, local_time, rank, results_csv
from bot.quiz.timing import live_elapsed
from bot.render import esc
from bot.send import send_html
from retrieval.domain import naming

log = logging.getLogger(__name__)

SOURCE = re.compile(r"^qzs:(.{1,60})$")
RETRY = re.compile(r"^qzr:(\d{1,12})$")


def _sender_chat(msg: Message) -> int | None:
    return msg.sender_chat.id if msg.sender_chat is not None else None


async def is_trainer(
    context: CustomContext, chat_id: int, user_id: int, sender_chat: int | None = None
) -> bool:
    """A CCHC_ADMIN_IDS user, an admin of the group, or the group itself (anonymous admin)."""
    if context.access.is_admin(user_id) or sender_chat == chat_id:
        return True
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("Không kiểm tra được quyền trong nhóm %s: %s", chat_id, exc)
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def on_quiz(update: Update, context: CustomContext) -> None:
    """``/quiz``: a practice in a private chat; in a group, a session opened by a trainer."""
    chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or msg is None:
        return
    reply = msg.message_id
    args = parse_args(command_argument(msg))
    limit = context.settings.quiz_max_questions
    if args.count is not None and not 1 <= args.count <= limit:
        await send_html(context.bot, chat.id, texts.BAD_COUNT.format(max=limit), reply_to=reply)
        return
    if chat.type == ChatType.PRIVATE:
        count = args.count or PRACTICE_DEFAULT
        questions = await choose(context, chat.id, user.id, args.topic, count, reply)
        if questions:
            await start_practice(context, user.id, questions, args.topic, reply)
        return
    if not await is_trainer(context, chat.id, user.id, _sender_chat(msg)):
        await send_html(context.bot, chat.id, texts.GROUP_NOT_TRAINER, reply_to=reply)
        return
    group = chat.title or str(chat.id)
    await start_group(context, chat.id, user.id, args, group=group, reply_to=reply)


async def on_stop(update: Update, context: CustomContext) -> None:
    """``/dungquiz``: stop one's practice, or (a trainer) the group's session."""
    chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or msg is None:
        return
    run = await context.db(context.quiz_state.running_in, chat.id)
    if run is None:
        await send_html(context.bot, chat.id, texts.STOP_NONE, reply_to=msg.message_id)
        return
    if run.kind == "practice":
        if await context.db(context.quiz_state.end_run, run.id, "stopped"):
            await send_practice_result(context, run, stopped=True)
        return
    if user.id != run.owner_id and not await is_trainer(
        context, chat.id, user.id, _sender_chat(msg)
    ):
        await send_html(context.bot, chat.id, texts.STOP_NOT_TRAINER, reply_to=msg.message_id)
        return
    await stop_group(context, run)


async def on_poll_answer(update: Update, context: CustomContext) -> None:
    """Record (or withdraw) an answer, timed from the poll's sending to its arrival; only
    polls of a running quiz, still open, count."""
    answer = update.poll_answer
    if answer is None:
        return
    now = time.time()
    state, in_flight = context.quiz_state, context.services.polls_in_flight
    if in_flight.busy and await context.db(state.poll, answer.poll_id) is None:
        await in_flight.stored()  # its poll may be the one being stored right now
    done = await context.db(record, state, answer, now, lambda poll: live_elapsed(poll, now))
    if done is not None and done.new and done.run.kind == "practice":
        await practice_answered(context, done.run, done.poll, done.answer.correct)


async def on_retry(update: Update, context: CustomContext) -> None:
    """ "🔁 Làm lại các câu sai": a new practice of the questions missed in a run."""
    query = update.callback_query
    match = RETRY.match(query.data or "") if query is not None else None
    if query is None or match is None:
        return
    run = await context.db(context.quiz_state.run, int(match.group(1)))
    if run is None or run.owner_id != query.from_user.id:
        await query.answer(common.EXPIRED, show_alert=True)
        return
    missed = await missed_questions(context, run)
    if not missed:
        await query.answer(texts.NOTHING_TO_RETRY, show_alert=True)
        return
    await query.answer()
    await start_practice(context, query.from_user.id, missed, run.topic)


async def on_source(update: Update, context: CustomContext) -> None:
    """ "📄 Nguồn": the full passage that proves a question's answer."""
    query = update.callback_query
    match = SOURCE.match(query.data or "") if query is not None else None
    if query is None or match is None or query.message is None:
        return
    key = match.group(1)
    bank = await context.in_worker(context.quiz_bank.bank)
    q = next((x for x in bank if matches_key(x, key)), None)
    if q is None and not key.startswith("#"):
        q = await context.db(context.quiz_state.question_snapshot, key)
    if q is None:
        await query.answer(texts.SOURCE_GONE, show_alert=True)
        return
    await query.answer()
    docs = {d.id: d for d in context.answering.documents()}
    doc = docs.get(q.source.document_id)
    title = naming.document_label(doc) if doc is not None else q.source.document_id
    head = texts.SOURCE_HEAD.format(document=esc(title), section=esc(q.source.section))
    await send_html(context.bot, query.message.chat.id, f"{head}\n\n{esc(q.source.passage)}")


async def on_results(update: Update, context: CustomContext) -> None:
    """``/ketqua``: the CSV of the group's latest session, to the trainer's private chat only
    (it holds the learners' Telegram ids); a partial one, said so, while the session runs."""
    chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or msg is None:
        return
    reply = msg.message_id
    state = context.quiz_state
    private = chat.type == ChatType.PRIVATE
    if private:
        run = await context.db(lambda: state.last_group_run(owner_id=user.id))
    else:
        run = await context.db(lambda: state.last_group_run(chat_id=chat.id))
    if run is None:
        await send_html(context.bot, chat.id, texts.RESULTS_NONE, reply_to=reply)
        return
    sender = _sender_chat(msg)
    if (
        not private
        and user.id != run.owner_id
        and not await is_trainer(context, chat.id, user.id, sender)
    ):
        await send_html(context.bot, chat.id, texts.RESULTS_NOT_TRAINER, reply_to=reply)
        return
    polls = await context.db(state.polls, run.id)
    standings = rank(await context.db(state.answers, run.id), polls)
    partial = run.state == "running"
    caption = texts.RESULTS_CAPTION.format(
        date=local_time(run.created_at),
        people=len(standings),
        asked=sum(1 for p in polls if p.closed),
        total=run.total,
    ) + (texts.RESULTS_PARTIAL if partial else "")
    document = InputFile(
        results_csv(run, standings, polls), filename=texts.CSV_NAME.format(run_id=run.id)
    )
    try:
        await context.bot.send_document(user.id, document, caption=caption)
    except (Forbidden, BadRequest) as exc:  # never started the bot in private, or anonymous
        log.info("Không gửi riêng được kết quả cho %s: %s", user.id, exc)
        await send_html(context.bot, chat.id, texts.RESULTS_PRIVATE_FAILED, reply_to=reply)
        return
    if not private:
        sent = texts.RESULTS_SENT_PRIVATE_PARTIAL if partial else texts.RESULTS_SENT_PRIVATE
        await send_html(context.bot, chat.id, sent, reply_to=reply)


async def on_history(update: Update, context: CustomContext) -> None:
    """``/diem``: the user's recent practices and group sessions, counted as their boards."""
    chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None:
        return
    rows = await context.db(context.quiz_state.history, user.id)
    text = history_text(rows) if rows else texts.HISTORY_EMPTY
    await send_html(context.bot, chat.id, text, reply_to=msg.message_id if msg else None)


async def on_migrate(update: Update, context: CustomContext) -> None:
    """A group became a supergroup: its sessions follow it to the new chat id."""
    msg, chat = update.effective_message, update.effective_chat
    if msg is None or chat is None:
        return
    if msg.migrate_to_chat_id:
        old, new = chat.id, msg.migrate_to_chat_id
    elif msg.migrate_from_chat_id:
        old, new = msg.migrate_from_chat_id, chat.id
    else:
        return
    moved = await context.db(context.quiz_state.migrate_chat, old, new)
    if moved:
        log.info("Chuyển %d phiên đố vui từ nhóm %s sang %s", moved, old, new)
