"""Quiz polls: practice alone in a private chat, and training sessions run by a trainer in a group.

Practice is driven by the user's answers (one quiz poll after another, a "📄 Nguồn" button
after each). A group session is driven by an asyncio task per session: it sends a poll with
``open_period``, waits for it to close, and goes on. Every step and every answer is kept in
SQLite (:mod:`bot.quiz_store`), so that after a restart :func:`recover` resumes the session,
or closes it with the results so far when it was interrupted too long.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import io
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot import texts
from bot.addressing import command_argument
from bot.quiz_store import QuizAnswer, QuizPoll, QuizRun, Standing, local_time, rank
from bot.render import esc
from bot.send import send_html
from bot.services import Services, services
from retrieval.domain import naming
from retrieval.domain.quiz import MAX_QUESTION, QuizQuestion

log = logging.getLogger(__name__)
T = TypeVar("T")

SOURCE = re.compile(r"^qzs:(.{1,60})$")
RETRY = re.compile(r"^qzr:(\d{1,12})$")
TASKS = "quiz_tasks"
PRACTICE_DEFAULT = 5
GROUP_DEFAULT = 10
PERIOD_DEFAULT = 30
PERIOD_MAX = 600  # Telegram's limit for open_period
MEDALS = ["🥇", "🥈", "🥉"]
KIND_NAMES = {"practice": texts.QUIZ_HISTORY_PRACTICE, "group": texts.QUIZ_HISTORY_GROUP}
rng = random.SystemRandom()


@dataclass
class QuizArgs:
    count: int | None = None
    seconds: int | None = None
    topic: str | None = None


def parse_args(text: str) -> QuizArgs:
    """``"10 30 giải pháp"`` → 10 questions, 30 s, topic "giải pháp" (each part optional)."""
    tokens = text.split()
    numbers: list[int] = []
    while tokens and tokens[0].isdigit() and len(numbers) < 2:
        numbers.append(int(tokens.pop(0)))
    return QuizArgs(
        count=numbers[0] if numbers else None,
        seconds=numbers[1] if len(numbers) > 1 else None,
        topic=" ".join(tokens) or None,
    )


# -- small helpers --------------------------------------------------------------------------
def source_key(question_id: str) -> str:
    """callback_data for a question's source button: its id, or a hash when too long."""
    data = f"qzs:{question_id}"
    if len(data.encode()) <= 64:
        return data
    return "qzs:#" + hashlib.sha1(question_id.encode()).hexdigest()[:16]


def _matches_key(q: QuizQuestion, key: str) -> bool:
    if key.startswith("#"):
        return hashlib.sha1(q.id.encode()).hexdigest()[:16] == key[1:]
    return q.id == key


def source_label(svc: Services, q: QuizQuestion) -> str:
    """ "Nghị quyết 76/NQ-CP — Mục …" (plain text; escape before use in HTML)."""
    docs = {d.id: d for d in svc.documents()}
    doc = docs.get(q.source.document_id)
    name = naming.document_short_name(doc) if doc is not None else q.source.document_id
    return f"{name} — {q.source.section}" if q.source.section else name


def topics_text(docs: Counter[str], kinds: Counter[str]) -> str:
    lines = [texts.QUIZ_TOPICS_DOCS]
    lines += [texts.QUIZ_TOPIC_LINE.format(name=esc(d), count=n) for d, n in sorted(docs.items())]
    lines.append(texts.QUIZ_TOPICS_KINDS)
    lines += [
        texts.QUIZ_TOPIC_LINE.format(name=esc(naming.kind_label(k).lower()), count=n)
        for k, n in kinds.most_common()
    ]
    return "\n".join(lines)


def topic_suffix(topic: str | None) -> str:
    return texts.QUIZ_TOPIC_SUFFIX.format(topic=esc(topic)) if topic else ""


async def choose(
    bot: Bot, svc: Services, chat_id: int, topic: str | None, count: int
) -> list[QuizQuestion] | None:
    """``count`` random questions of ``topic``; None (after telling the user) when none fit."""
    bank = await svc.in_worker(svc.bank.bank)
    if not bank:
        await send_html(bot, chat_id, texts.QUIZ_BANK_EMPTY)
        return None
    chosen = await svc.in_worker(svc.bank.choose, topic, count, rng)
    if not chosen:
        topics = topics_text(*svc.bank.topics())
        text = texts.QUIZ_NO_QUESTIONS.format(topic=esc(topic or ""), topics=topics)
        await send_html(bot, chat_id, text)
        return None
    return chosen


async def db(svc: Services, fn: Callable[..., T], *args: object) -> T:
    """A quiz-store call off the event loop (errors propagate: quiz state must not be lost)."""
    return await asyncio.to_thread(fn, *args)


async def to_chat(
    svc: Services, chat_id: int, call: Callable[[int], Awaitable[T]]
) -> tuple[int, T]:
    """Run ``call(chat_id)``; when the group became a supergroup, move the quiz and retry."""
    try:
        return chat_id, await call(chat_id)
    except ChatMigrated as exc:
        new = exc.new_chat_id
        await db(svc, svc.quiz.migrate_chat, chat_id, new)
        return new, await call(new)


# -- sending questions ----------------------------------------------------------------------
def poll_question(q: QuizQuestion, idx: int, total: int) -> str:
    for prefix in (f"Câu {idx + 1}/{total}: ", f"{idx + 1}/{total}: "):
        if len(prefix) + len(q.question) <= MAX_QUESTION:
            return prefix + q.question
    return q.question  # a question at Telegram's limit goes without its number


async def send_question(bot: Bot, svc: Services, run: QuizRun, idx: int) -> QuizPoll:
    """Send question ``idx`` of ``run`` as a quiz poll and remember it."""
    q = run.questions[idx]

    def call(chat_id: int) -> Awaitable[Message]:
        return bot.send_poll(
            chat_id,
            poll_question(q, idx, run.total),
            q.options,
            is_anonymous=False,
            type="quiz",
            correct_option_ids=[q.correct],
            explanation=q.explanation,
            open_period=run.open_period if run.kind == "group" else None,
        )

    chat_id, message = await to_chat(svc, run.chat_id, call)
    assert message.poll is not None
    sent_at = time.time()
    poll = QuizPoll(
        poll_id=message.poll.id,
        run_id=run.id,
        idx=idx,
        question_id=q.id,
        chat_id=chat_id,
        message_id=message.message_id,
        sent_at=sent_at,
        closes_at=sent_at + run.open_period if run.kind == "group" and run.open_period else None,
        closed=False,
    )
    await db(svc, svc.quiz.add_poll, poll)
    return poll


# -- /quiz ----------------------------------------------------------------------------------
async def on_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or msg is None:
        return
    args = parse_args(command_argument(msg))
    limit = svc.settings.quiz_max_questions
    if args.count is not None and not 1 <= args.count <= limit:
        await send_html(context.bot, chat.id, texts.QUIZ_BAD_COUNT.format(max=limit))
        return
    if chat.type == ChatType.PRIVATE:
        count = args.count or PRACTICE_DEFAULT
        questions = await choose(context.bot, svc, chat.id, args.topic, count)
        if questions:
            await start_practice(context.bot, svc, user.id, questions, args.topic)
        return
    sender = msg.sender_chat.id if msg.sender_chat is not None else None
    if not await is_trainer(context.bot, svc, chat.id, user.id, sender):
        await send_html(context.bot, chat.id, texts.QUIZ_GROUP_NOT_TRAINER)
        return
    await start_group(context.application, svc, chat.id, user.id, args)


async def is_trainer(
    bot: Bot, svc: Services, chat_id: int, user_id: int, sender_chat: int | None = None
) -> bool:
    """A CCHC_ADMIN_IDS user, an admin of the group, or the group itself (anonymous admin)."""
    if svc.access.is_admin(user_id) or sender_chat == chat_id:
        return True
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("Không kiểm tra được quyền trong nhóm %s: %s", chat_id, exc)
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


# -- practice alone -------------------------------------------------------------------------
async def start_practice(
    bot: Bot, svc: Services, user_id: int, questions: list[QuizQuestion], topic: str | None
) -> None:
    previous = await db(svc, svc.quiz.running_in, user_id)
    run = await db(
        svc,
        lambda: svc.quiz.create_run(
            kind="practice", chat_id=user_id, owner_id=user_id, questions=questions, topic=topic
        ),
    )
    assert run is not None
    text = texts.QUIZ_PRACTICE_START.format(n=run.total, topic=topic_suffix(topic))
    if previous is not None:
        text = f"{texts.QUIZ_PRACTICE_REPLACED}\n{text}"
    await send_html(bot, user_id, text)
    await send_question(bot, svc, run, 0)


async def practice_answered(
    bot: Bot, svc: Services, run: QuizRun, poll: QuizPoll, correct: bool
) -> None:
    """Feedback with the source button, then the next question or the results."""
    if not await db(svc, svc.quiz.close_poll, poll.poll_id):
        return  # already handled (a repeated update)
    q = run.questions[poll.idx]
    head = texts.QUIZ_RIGHT if correct else texts.QUIZ_WRONG.format(answer=esc(q.answer))
    source = texts.QUIZ_SOURCE_LINE.format(source=esc(source_label(svc, q)))
    button = InlineKeyboardButton(texts.BUTTON_SOURCE, callback_data=source_key(q.id))
    await send_html(bot, run.chat_id, f"{head}\n{source}", markup=InlineKeyboardMarkup([[button]]))
    if poll.idx + 1 < run.total:
        await send_question(bot, svc, run, poll.idx + 1)
    elif await db(svc, svc.quiz.end_run, run.id, "finished"):
        await send_practice_result(bot, svc, run, stopped=False)


async def send_practice_result(bot: Bot, svc: Services, run: QuizRun, *, stopped: bool) -> None:
    answers = {a.idx: a for a in await db(svc, svc.quiz.answers, run.id)}
    polls = await db(svc, svc.quiz.polls, run.id)
    asked = [p.idx for p in polls if p.idx in answers] if stopped else [p.idx for p in polls]
    right = sum(1 for i in asked if answers.get(i) and answers[i].correct)
    head = texts.QUIZ_RESULT_STOPPED if stopped else texts.QUIZ_RESULT_HEAD
    lines = [head.format(correct=right, asked=len(asked))]
    missed = [i for i in asked if not (answers.get(i) and answers[i].correct)]
    markup = None
    if missed:
        lines += ["", texts.QUIZ_MISSED_HEAD]
        for n, i in enumerate(missed, start=1):
            q = run.questions[i]
            lines.append(
                texts.QUIZ_MISSED_ITEM.format(
                    i=n,
                    question=esc(q.question),
                    answer=esc(q.answer),
                    source=esc(source_label(svc, q)),
                )
            )
        retry = InlineKeyboardButton(texts.BUTTON_RETRY_MISSED, callback_data=f"qzr:{run.id}")
        markup = InlineKeyboardMarkup([[retry]])
    elif asked:
        lines.append(texts.QUIZ_ALL_RIGHT)
    await send_html(bot, run.chat_id, "\n".join(lines), markup=markup)


async def on_retry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "🔁 Làm lại các câu sai": a new practice of the questions missed in a run."""
    svc = services(context)
    query = update.callback_query
    match = RETRY.match(query.data or "") if query is not None else None
    if query is None or match is None:
        return
    run = await db(svc, svc.quiz.run, int(match.group(1)))
    if run is None or run.owner_id != query.from_user.id:
        await query.answer(texts.EXPIRED, show_alert=True)
        return
    answers = {a.idx: a for a in await db(svc, svc.quiz.answers, run.id)}
    polls = await db(svc, svc.quiz.polls, run.id)
    missed = [
        run.questions[p.idx]
        for p in polls
        if not (answers.get(p.idx) and answers[p.idx].correct)
        and (p.idx in answers or run.state == "finished")
    ]
    if not missed:
        await query.answer(texts.QUIZ_NOTHING_TO_RETRY, show_alert=True)
        return
    await query.answer()
    await start_practice(context.bot, svc, query.from_user.id, missed, run.topic)


async def on_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "📄 Nguồn": the full passage that proves a question's answer."""
    svc = services(context)
    query = update.callback_query
    match = SOURCE.match(query.data or "") if query is not None else None
    if query is None or match is None or query.message is None:
        return
    key = match.group(1)
    bank = await svc.in_worker(svc.bank.bank)
    q = next((x for x in bank if _matches_key(x, key)), None)
    if q is None and not key.startswith("#"):
        q = await db(svc, svc.quiz.question_snapshot, key)
    if q is None:
        await query.answer(texts.QUIZ_SOURCE_GONE, show_alert=True)
        return
    await query.answer()
    docs = {d.id: d for d in svc.documents()}
    doc = docs.get(q.source.document_id)
    title = naming.document_label(doc) if doc is not None else q.source.document_id
    head = texts.QUIZ_SOURCE_HEAD.format(document=esc(title), section=esc(q.source.section))
    await send_html(context.bot, query.message.chat.id, f"{head}\n\n{esc(q.source.passage)}")


# -- answers --------------------------------------------------------------------------------
async def on_poll_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record (or withdraw) an answer; only polls of a running quiz, still open, count."""
    svc = services(context)
    answer = update.poll_answer
    if answer is None or answer.user is None:  # an anonymous admin voting as the chat
        return
    poll = await db(svc, svc.quiz.poll, answer.poll_id)
    if poll is None:
        return
    run = await db(svc, svc.quiz.run, poll.run_id)
    if run is None or run.state != "running" or poll.closed:
        log.info("Bỏ qua câu trả lời cho câu đố đã đóng (phiên %s)", poll.run_id)
        return
    user = answer.user
    if run.kind == "practice" and user.id != run.owner_id:
        return
    if not answer.option_ids:
        await db(svc, svc.quiz.retract_answer, poll.poll_id, user.id)
        return
    q = run.questions[poll.idx]
    now = time.time()
    elapsed = now - poll.sent_at
    if run.open_period:
        elapsed = min(elapsed, float(run.open_period))
    record = QuizAnswer(
        poll_id=poll.poll_id,
        run_id=run.id,
        idx=poll.idx,
        user_id=user.id,
        name=user.full_name if run.kind == "group" else "",
        option=answer.option_ids[0],
        correct=answer.option_ids[0] == q.correct,
        elapsed=round(max(elapsed, 0.0), 2),
        answered_at=now,
    )
    await db(svc, svc.quiz.record_answer, record)
    if run.kind == "practice":
        await practice_answered(context.bot, svc, run, poll, record.correct)


# -- group sessions -------------------------------------------------------------------------
async def start_group(
    app: Application, svc: Services, chat_id: int, user_id: int, args: QuizArgs
) -> None:
    bot = app.bot
    seconds = args.seconds or PERIOD_DEFAULT
    low = svc.settings.quiz_min_period
    if not low <= seconds <= PERIOD_MAX:
        await send_html(bot, chat_id, texts.QUIZ_BAD_PERIOD.format(min=low))
        return
    running = await db(svc, svc.quiz.running_in, chat_id)
    if running is not None:
        await refuse_busy(bot, chat_id, running)
        return
    questions = await choose(bot, svc, chat_id, args.topic, args.count or GROUP_DEFAULT)
    if not questions:
        return
    run = await db(
        svc,
        lambda: svc.quiz.create_run(
            kind="group",
            chat_id=chat_id,
            owner_id=user_id,
            questions=questions,
            topic=args.topic,
            open_period=seconds,
        ),
    )
    if run is None:  # another /quiz won the race
        running = await db(svc, svc.quiz.running_in, chat_id)
        if running is not None:
            await refuse_busy(bot, chat_id, running)
        return
    text = texts.QUIZ_GROUP_START.format(
        n=run.total, seconds=seconds, topic=topic_suffix(args.topic)
    )
    await send_html(bot, chat_id, text)
    spawn(app, run.id)


async def refuse_busy(bot: Bot, chat_id: int, running: QuizRun) -> None:
    text = texts.QUIZ_GROUP_BUSY.format(
        current=min(running.current + 1, running.total), total=running.total
    )
    await send_html(bot, chat_id, text)


def spawn(app: Application, run_id: int, *, interrupted: bool = False) -> None:
    """Run (or close) a group session in the background; cancelled when the bot stops."""
    tasks: dict[int, asyncio.Task] = app.bot_data.setdefault(TASKS, {})
    coro = close_interrupted(app, run_id) if interrupted else run_group(app, run_id)
    task = asyncio.create_task(coro, name=f"quiz-{run_id}")
    tasks[run_id] = task
    task.add_done_callback(lambda t: tasks.pop(run_id, None) if tasks.get(run_id) is t else None)


async def cancel_task(app: Application, run_id: int) -> None:
    task = app.bot_data.get(TASKS, {}).get(run_id)
    if task is not None and task is not asyncio.current_task():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def cancel_all(app: Application) -> None:
    """Stop the session tasks (the sessions stay "running" in SQLite, to resume at start)."""
    for run_id in list(app.bot_data.get(TASKS, {})):
        await cancel_task(app, run_id)


async def run_group(app: Application, run_id: int) -> None:
    svc: Services = app.bot_data["services"]
    failures = 0
    while True:
        run = await db(svc, svc.quiz.run, run_id)
        if run is None or run.state != "running":
            return
        try:
            poll = await db(svc, svc.quiz.open_poll, run_id)
            if poll is None:
                if run.done:
                    await finish_group(app.bot, svc, run, "finished")
                    return
                poll = await send_question(app.bot, svc, run, run.current)
            closes_at = poll.closes_at or time.time()
            await asyncio.sleep(max(0.0, closes_at + svc.settings.quiz_grace - time.time()))
            await close_group_poll(app.bot, svc, run, poll, announce=True)
            failures = 0
        except TelegramError as exc:
            failures += 1
            log.warning("Phiên đố vui %s: lỗi khi liên lạc Telegram (%s)", run_id, exc)
            if failures >= 3:
                await finish_group(app.bot, svc, run, "interrupted")
                return
            await asyncio.sleep(2.0 * failures)


async def close_group_poll(
    bot: Bot, svc: Services, run: QuizRun, poll: QuizPoll, *, announce: bool
) -> None:
    """Stop the poll at Telegram, close it here (no later answer counts), say the answer."""
    # already closed by open_period, deleted, or left behind in a migrated group
    with contextlib.suppress(BadRequest, Forbidden, ChatMigrated):
        await bot.stop_poll(poll.chat_id, poll.message_id)
    if not await db(svc, svc.quiz.close_poll, poll.poll_id) or not announce:
        return
    fresh = await db(svc, svc.quiz.poll, poll.poll_id)  # the group may have migrated meanwhile
    chat_id = fresh.chat_id if fresh is not None else poll.chat_id
    q = run.questions[poll.idx]
    answers = [a for a in await db(svc, svc.quiz.answers, run.id) if a.poll_id == poll.poll_id]
    text = texts.QUIZ_GROUP_QUESTION_DONE.format(
        i=poll.idx + 1,
        total=run.total,
        answer=esc(q.answer),
        right=sum(a.correct for a in answers),
        answered=len(answers),
    )
    await to_chat(svc, chat_id, lambda c: send_html(bot, c, text))


def leaderboard(run: QuizRun, standings: list[Standing], asked: int, state: str) -> str:
    if state == "stopped":
        head = texts.QUIZ_LEADERBOARD_STOPPED.format(asked=asked, total=run.total)
    elif state == "interrupted":
        head = texts.QUIZ_LEADERBOARD_INTERRUPTED.format(asked=asked, total=run.total)
    else:
        head = texts.QUIZ_LEADERBOARD_HEAD.format(asked=asked, total=run.total)
    lines = [head]
    if run.topic:
        lines.append(texts.QUIZ_TOPIC_LINE_HEAD.format(topic=esc(run.topic)))
    lines.append("")
    if not standings:
        lines.append(texts.QUIZ_LEADERBOARD_EMPTY)
    for i, s in enumerate(standings):
        lines.append(
            texts.QUIZ_LEADERBOARD_LINE.format(
                medal=MEDALS[i] if i < len(MEDALS) else f"{i + 1}.",
                name=esc(s.name or str(s.user_id)),
                correct=s.correct,
                asked=asked,
                points=s.points,
                seconds=naming.decimal(s.seconds),
            )
        )
    lines += ["", texts.QUIZ_LEADERBOARD_END]
    return "\n".join(lines)


async def finish_group(bot: Bot, svc: Services, run: QuizRun, state: str) -> None:
    """End the session (once) and post the leaderboard of the answers recorded."""
    if not await db(svc, svc.quiz.end_run, run.id, state):
        return
    polls = await db(svc, svc.quiz.polls, run.id)
    asked = sum(1 for p in polls if p.closed)
    standings = rank(await db(svc, svc.quiz.answers, run.id), run.open_period)
    text = leaderboard(run, standings, asked, state)
    fresh = await db(svc, svc.quiz.run, run.id)
    chat_id = fresh.chat_id if fresh is not None else run.chat_id
    await to_chat(svc, chat_id, lambda c: send_html(bot, c, text))


async def close_interrupted(app: Application, run_id: int) -> None:
    """After a long interruption: wait for late answers, then close with the results so far."""
    svc: Services = app.bot_data["services"]
    await asyncio.sleep(svc.settings.quiz_grace)
    run = await db(svc, svc.quiz.run, run_id)
    if run is None or run.state != "running":
        return
    poll = await db(svc, svc.quiz.open_poll, run_id)
    if poll is not None:
        await close_group_poll(app.bot, svc, run, poll, announce=False)
    await finish_group(app.bot, svc, run, "interrupted")


async def recover(app: Application) -> None:
    """At start-up: resume the group sessions a restart interrupted, or close the stale ones."""
    svc: Services = app.bot_data["services"]
    now = time.time()
    for run in await db(svc, svc.quiz.running_groups):
        polls = await db(svc, svc.quiz.polls, run.id)
        last = max((p.closes_at or p.sent_at for p in polls), default=run.created_at)
        stale = now - last > svc.settings.quiz_resume_window
        what = "kết thúc" if stale else "chạy tiếp"
        log.info("Phiên đố vui %s: %s sau khởi động lại", run.id, what)
        spawn(app, run.id, interrupted=stale)


# -- /dungquiz, /ketqua, /diem, migration ---------------------------------------------------
async def on_stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or msg is None:
        return
    run = await db(svc, svc.quiz.running_in, chat.id)
    if run is None:
        await send_html(context.bot, chat.id, texts.QUIZ_STOP_NONE)
        return
    if run.kind == "practice":
        if await db(svc, svc.quiz.end_run, run.id, "stopped"):
            await send_practice_result(context.bot, svc, run, stopped=True)
        return
    sender = msg.sender_chat.id if msg.sender_chat is not None else None
    if user.id != run.owner_id and not await is_trainer(context.bot, svc, chat.id, user.id, sender):
        await send_html(context.bot, chat.id, texts.QUIZ_STOP_NOT_TRAINER)
        return
    await cancel_task(context.application, run.id)
    poll = await db(svc, svc.quiz.open_poll, run.id)
    if poll is not None:
        await close_group_poll(context.bot, svc, run, poll, announce=False)
    await finish_group(context.bot, svc, run, "stopped")


def results_csv(run: QuizRun, standings: list[Standing]) -> bytes:
    """One row per participant: rank, name, id, score, time, then each question's answer."""
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["Hạng", "Người tham gia", "Mã người dùng", "Số câu đúng", "Số câu đã trả lời"]
    head += ["Điểm", "Tổng thời gian (giây)"]
    for i in range(run.total):
        head += [f"Câu {i + 1}", f"Câu {i + 1} đúng/sai", f"Câu {i + 1} (giây)"]
    writer.writerow(head)
    for n, s in enumerate(standings, start=1):
        row: list[object] = [n, s.name, s.user_id, s.correct, s.answered, s.points]
        row.append(f"{s.seconds:.2f}")
        for i, q in enumerate(run.questions):
            a = s.answers.get(i)
            if a is None:
                row += ["", "", ""]
            else:
                row += [q.options[a.option], "đúng" if a.correct else "sai", f"{a.elapsed:.2f}"]
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the Vietnamese


async def on_results(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/ketqua``: the trainer gets the CSV of the group's latest session (privately if they
    have started the bot, else in the group)."""
    svc = services(context)
    chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or msg is None:
        return
    private = chat.type == ChatType.PRIVATE
    if private:
        run = await db(svc, lambda: svc.quiz.last_group_run(owner_id=user.id))
    else:
        run = await db(svc, lambda: svc.quiz.last_group_run(chat_id=chat.id))
    if run is None:
        await send_html(context.bot, chat.id, texts.QUIZ_RESULTS_NONE)
        return
    sender = msg.sender_chat.id if msg.sender_chat is not None else None
    if (
        not private
        and user.id != run.owner_id
        and not await is_trainer(context.bot, svc, chat.id, user.id, sender)
    ):
        await send_html(context.bot, chat.id, texts.QUIZ_RESULTS_NOT_TRAINER)
        return
    standings = rank(await db(svc, svc.quiz.answers, run.id), run.open_period)
    polls = await db(svc, svc.quiz.polls, run.id)
    caption = texts.QUIZ_RESULTS_CAPTION.format(
        date=local_time(run.created_at),
        people=len(standings),
        asked=sum(1 for p in polls if p.closed),
        total=run.total,
    )
    name = f"ket-qua-do-vui-{run.id}.csv"
    data = results_csv(run, standings)
    if not private and sender != chat.id:
        try:
            document = InputFile(data, filename=name)
            await context.bot.send_document(user.id, document, caption=caption)
            await send_html(context.bot, chat.id, texts.QUIZ_RESULTS_SENT_PRIVATE)
            return
        except (Forbidden, BadRequest) as exc:  # never started the bot in private
            log.info("Không gửi riêng được kết quả cho %s: %s", user.id, exc)
    await context.bot.send_document(chat.id, InputFile(data, filename=name), caption=caption)


async def on_history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/diem``: the user's recent practices and group sessions."""
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    rows = await db(svc, svc.quiz.history, user.id)
    if not rows:
        await send_html(context.bot, chat.id, texts.QUIZ_HISTORY_EMPTY)
        return
    lines = [texts.QUIZ_HISTORY_HEAD]
    for r in rows:
        lines.append(
            texts.QUIZ_HISTORY_LINE.format(
                date=local_time(r.created_at),
                what=KIND_NAMES[r.kind],
                topic=f" ({esc(r.topic)})" if r.topic else "",
                correct=r.correct,
                asked=r.asked,
                state=texts.QUIZ_HISTORY_STOPPED if r.state in ("stopped", "interrupted") else "",
            )
        )
    await send_html(context.bot, chat.id, "\n".join(lines))


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: its sessions follow it to the new chat id."""
    svc = services(context)
    msg, chat = update.effective_message, update.effective_chat
    if msg is None or chat is None:
        return
    if msg.migrate_to_chat_id:
        old, new = chat.id, msg.migrate_to_chat_id
    elif msg.migrate_from_chat_id:
        old, new = msg.migrate_from_chat_id, chat.id
    else:
        return
    moved = await db(svc, svc.quiz.migrate_chat, old, new)
    if moved:
        log.info("Chuyển %d phiên đố vui từ nhóm %s sang %s", moved, old, new)
