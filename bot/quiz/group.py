"""Training sessions in a group, run by a trainer: polls with a time limit, one after another.

A session is a chain of ``JobQueue`` jobs, one per step: a step closes the poll whose time is
up (and says the answer), then sends the next question, or the leaderboard after the last,
and schedules the next step for when the new poll closes. Every step and every answer is in
SQLite (:mod:`bot.storage.quiz_state`), so nothing is lost when the bot stops: the jobs go
with the ``Application``, and at the next start :func:`recover` first counts the answers
Telegram kept meanwhile (:mod:`bot.quiz.backlog`), then schedules each running session again,
or closes it with the results so far when it was interrupted too long. While a session runs,
a heartbeat notes each second that the bot is alive: an answer given while it was down is
timed from the last one.

A step and ``/dungquiz`` hold the session's lock, so a stop never lands in the middle of a
step (between sending a poll and recording it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application, JobQueue

from bot.context import BotServices, CustomContext
from bot.quiz import texts
from bot.quiz.args import GROUP_DEFAULT, PERIOD_DEFAULT, QuizArgs
from bot.quiz.backlog import read_backlog
from bot.quiz.preview import send_preview
from bot.quiz.questions import choose, period_of, send_question, to_chat, topic_suffix
from bot.quiz.report import leaderboard, rank
from bot.quiz.timing import HEARTBEAT, PERIOD_MAX
from bot.render import esc
from bot.send import send_html
from bot.storage.quiz_state import QuizPoll, QuizRun, State
from bot.storage.sqlite import DatabaseError

log = logging.getLogger(__name__)

#: A step that comes late (a busy machine) still runs: APScheduler would otherwise skip a job
#: more than a second late, and the session would stall.
NEVER_SKIPPED = {"misfire_grace_time": None}
#: Telegram errors in a row after which a session is closed as interrupted.
MAX_FAILURES = 3


@dataclass(frozen=True)
class Step:
    run_id: int
    failures: int = 0


def job_name(run_id: int) -> str:
    return f"quiz-session-{run_id}"


def schedule(job_queue: JobQueue, step: Step, delay: float) -> None:
    """The session's next step, ``delay`` seconds from now."""
    job_queue.run_once(
        run_step,
        when=max(0.0, delay),
        data=step,
        name=job_name(step.run_id),
        job_kwargs=NEVER_SKIPPED,
    )


def unschedule(job_queue: JobQueue, run_id: int) -> None:
    for job in job_queue.get_jobs_by_name(job_name(run_id)):
        job.schedule_removal()


def lock(svc: BotServices, run_id: int) -> asyncio.Lock:
    return svc.session_locks[run_id]


# -- starting -------------------------------------------------------------------------------
async def start_group(
    context: CustomContext,
    chat_id: int,
    user_id: int,
    args: QuizArgs,
    *,
    group: str,
    reply_to: int | None = None,
) -> None:
    """Open a session: the questions, the trainer's private preview, then the first poll."""
    seconds = args.seconds or PERIOD_DEFAULT
    low = context.settings.quiz_min_period
    if not low <= seconds <= PERIOD_MAX:
        await send_html(context.bot, chat_id, texts.BAD_PERIOD.format(min=low), reply_to=reply_to)
        return
    state = context.quiz_state
    running = await context.db(state.running_in, chat_id)
    if running is not None:
        await refuse_busy(context, chat_id, running, reply_to)
        return
    questions = await choose(
        context, chat_id, user_id, args.topic, args.count or GROUP_DEFAULT, reply_to
    )
    if not questions:
        return
    run = await context.db(
        lambda: state.create_run(
            kind="group",
            chat_id=chat_id,
            owner_id=user_id,
            questions=questions,
            topic=args.topic,
            open_period=seconds,
        )
    )
    if run is None:  # another /quiz won the race
        running = await context.db(state.running_in, chat_id)
        if running is not None:
            await refuse_busy(context, chat_id, running, reply_to)
        return
    await context.db(state.beat, time.time())
    context.metrics.quiz_started("group")
    try:
        previewed = await send_preview(context, run, user_id, group)
        text = texts.GROUP_START.format(
            n=run.total, seconds=seconds, topic=topic_suffix(args.topic)
        )
        longest = max(period_of(context, run, q) or seconds for q in run.questions)
        if longest > seconds:
            text += "\n" + texts.GROUP_START_LONGER.format(seconds=longest)
        if not previewed:
            text += "\n" + texts.GROUP_PREVIEW_FAILED
        await send_html(context.bot, chat_id, text, reply_to=reply_to)
    finally:  # the session goes on (or ends, after errors) even if a message could not go
        schedule(context.job_queue, Step(run.id), 0.0)


async def refuse_busy(
    context: CustomContext, chat_id: int, running: QuizRun, reply_to: int | None = None
) -> None:
    text = texts.GROUP_BUSY.format(
        current=min(running.current + 1, running.total), total=running.total
    )
    await send_html(context.bot, chat_id, text, reply_to=reply_to)


# -- the steps --------------------------------------------------------------------------------
async def run_step(context: CustomContext) -> None:
    """A job: one step of a session, then the next one scheduled (or, after Telegram errors,
    the same step again a little later)."""
    step: Step = context.job.data
    async with lock(context.services, step.run_id):
        try:
            delay = await advance(context, step.run_id)
        except TelegramError as exc:
            failures = step.failures + 1
            log.warning("Phiên đố vui %s: lỗi khi liên lạc Telegram (%s)", step.run_id, exc)
            if failures < MAX_FAILURES:
                schedule(context.job_queue, Step(step.run_id, failures), 2.0 * failures)
                return
            run = await context.db(context.quiz_state.run, step.run_id)
            if run is not None:
                await finish_group(context, run, "interrupted")
            return
        if delay is not None:
            schedule(context.job_queue, Step(step.run_id), delay)


async def advance(context: CustomContext, run_id: int) -> float | None:
    """Close the open poll if its time is up, then send the next question or the leaderboard.
    Returns the seconds until the next step is due, or None when the session is over."""
    state = context.quiz_state
    run = await context.db(state.run, run_id)
    if run is None or run.state != "running":
        return None
    poll = await context.db(state.open_poll, run_id)
    if poll is not None:
        wait = due(context, poll) - time.time()
        if wait > 0:  # resumed after a restart: the poll is still open
            return wait
        await close_group_poll(context, run, poll, announce=True)
        run = await context.db(state.run, run_id)
        if run is None or run.state != "running":
            return None
    if run.done:
        await finish_group(context, run, "finished")
        return None
    poll = await send_question(context, run, run.current)
    return due(context, poll) - time.time()


def due(context: CustomContext, poll: QuizPoll) -> float:
    """When a poll is closed: its end, plus a little grace for answers still on their way."""
    return (poll.closes_at or time.time()) + context.settings.quiz_grace


async def close_group_poll(
    context: CustomContext, run: QuizRun, poll: QuizPoll, *, announce: bool
) -> None:
    """Stop the poll at Telegram, close it here (no later answer counts), say the answer."""
    # already closed by open_period, deleted, or left behind in a migrated group
    with contextlib.suppress(BadRequest, Forbidden, ChatMigrated):
        await context.bot.stop_poll(poll.chat_id, poll.message_id)
    state = context.quiz_state
    if not await context.db(state.close_poll, poll.poll_id) or not announce:
        return
    fresh = await context.db(state.poll, poll.poll_id)  # the group may have migrated meanwhile
    chat_id = fresh.chat_id if fresh is not None else poll.chat_id
    q = run.questions[poll.idx]
    answers = [a for a in await context.db(state.answers, run.id) if a.poll_id == poll.poll_id]
    text = texts.GROUP_QUESTION_DONE.format(
        i=poll.idx + 1,
        total=run.total,
        answer=esc(q.answer),
        right=sum(a.correct for a in answers),
        answered=len(answers),
    )
    await to_chat(context, chat_id, lambda c: send_html(context.bot, c, text))


async def finish_group(context: CustomContext, run: QuizRun, state: State) -> None:
    """End the session (once) and post the leaderboard of the answers recorded."""
    store = context.quiz_state
    context.services.session_locks.pop(run.id, None)  # held by the caller; needed no more
    if not await context.db(store.end_run, run.id, state):
        return
    polls = await context.db(store.polls, run.id)
    asked = sum(1 for p in polls if p.closed)
    standings = rank(await context.db(store.answers, run.id), polls)
    text = leaderboard(run, standings, asked, state)
    fresh = await context.db(store.run, run.id)
    chat_id = fresh.chat_id if fresh is not None else run.chat_id
    await to_chat(context, chat_id, lambda c: send_html(context.bot, c, text))


async def stop_group(context: CustomContext, run: QuizRun) -> None:
    """``/dungquiz``: no more steps; close the open poll and post the results so far."""
    async with lock(context.services, run.id):
        unschedule(context.job_queue, run.id)
        poll = await context.db(context.quiz_state.open_poll, run.id)
        if poll is not None:
            await close_group_poll(context, run, poll, announce=False)
        await finish_group(context, run, "stopped")


# -- after a restart ------------------------------------------------------------------------
async def close_interrupted(context: CustomContext) -> None:
    """A job: after a long interruption, close the session with the results so far (the
    grace before it lets late answers in)."""
    run_id: int = context.job.data
    async with lock(context.services, run_id):
        run = await context.db(context.quiz_state.run, run_id)
        if run is None or run.state != "running":
            return
        poll = await context.db(context.quiz_state.open_poll, run_id)
        if poll is not None:
            await close_group_poll(context, run, poll, announce=False)
        await finish_group(context, run, "interrupted")


async def recover(application: Application) -> None:
    """At start-up: count the answers Telegram kept while the bot was down, then resume the
    group sessions a restart interrupted, or close the stale ones; then keep a heartbeat."""
    svc: BotServices = application.bot_data.services
    job_queue = application.job_queue
    runs = await asyncio.to_thread(svc.quiz_state.running_groups)
    if runs:
        alive_at = await asyncio.to_thread(svc.quiz_state.alive_at)
        counted = await read_backlog(application, alive_at)
        log.info("Đã tính %d câu trả lời gửi trong lúc trợ lý dừng", counted)
    now = time.time()
    for run in runs:
        polls = await asyncio.to_thread(svc.quiz_state.polls, run.id)
        last = max((p.closes_at or p.sent_at for p in polls), default=run.created_at)
        stale = now - last > svc.settings.quiz_resume_window
        log.info(
            "Phiên đố vui %s: %s sau khởi động lại", run.id, "kết thúc" if stale else "chạy tiếp"
        )
        if stale:
            job_queue.run_once(
                close_interrupted,
                when=svc.settings.quiz_grace,
                data=run.id,
                name=job_name(run.id),
                job_kwargs=NEVER_SKIPPED,
            )
        else:
            schedule(job_queue, Step(run.id), 0.0)
    job_queue.run_repeating(heartbeat, interval=HEARTBEAT, first=HEARTBEAT, name="quiz-heartbeat")


async def heartbeat(context: CustomContext) -> None:
    """A job, each second: note that the bot runs, while a group session runs."""
    try:
        await context.db(context.quiz_state.beat, time.time())
    except DatabaseError as exc:  # the next beat will do; never fail a job for it
        log.debug("Không ghi được nhịp của phiên đố vui: %s", exc)
