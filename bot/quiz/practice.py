"""Practice alone, in a private chat: driven by the user's answers, one poll after another.

After each answer: right or wrong, the source, and a "📄 Nguồn" button; then the next question,
or the results with the questions to review and a button to retry the missed ones.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import CustomContext
from bot.quiz import texts
from bot.quiz.questions import documents, send_question, source_key, source_label, topic_suffix
from bot.render import esc
from bot.send import send_html
from bot.storage.quiz_state import QuizAnswer, QuizPoll, QuizRun
from retrieval.domain.quiz import QuizQuestion


def retry_data(run_id: int) -> str:
    return f"qzr:{run_id}"


async def start_practice(
    context: CustomContext,
    user_id: int,
    questions: list[QuizQuestion],
    topic: str | None,
    reply_to: int | None = None,
) -> None:
    state = context.quiz_state
    previous = await context.db(state.running_in, user_id)
    run = await context.db(
        lambda: state.create_run(
            kind="practice", chat_id=user_id, owner_id=user_id, questions=questions, topic=topic
        )
    )
    assert run is not None
    context.metrics.quiz_started("practice")
    text = texts.PRACTICE_START.format(n=run.total, topic=topic_suffix(topic))
    if previous is not None:
        text = f"{texts.PRACTICE_REPLACED}\n{text}"
    await send_html(context.bot, user_id, text, reply_to=reply_to)
    await send_question(context, run, 0)


async def practice_answered(
    context: CustomContext, run: QuizRun, poll: QuizPoll, correct: bool
) -> None:
    """Feedback with the source button, then the next question or the results."""
    if not await context.db(context.quiz_state.close_poll, poll.poll_id):
        return  # already handled (a repeated update)
    q = run.questions[poll.idx]
    head = texts.RIGHT if correct else texts.WRONG.format(answer=esc(q.answer))
    source = texts.SOURCE_LINE.format(source=esc(source_label(documents(context), q)))
    button = InlineKeyboardButton(texts.BUTTON_SOURCE, callback_data=source_key(q.id))
    markup = InlineKeyboardMarkup([[button]])
    await send_html(context.bot, run.chat_id, f"{head}\n{source}", markup=markup)
    if poll.idx + 1 < run.total:
        await send_question(context, run, poll.idx + 1)
    elif await context.db(context.quiz_state.end_run, run.id, "finished"):
        await send_practice_result(context, run, stopped=False)


async def _answers_by_index(context: CustomContext, run: QuizRun) -> dict[int, QuizAnswer]:
    return {a.idx: a for a in await context.db(context.quiz_state.answers, run.id)}


async def send_practice_result(context: CustomContext, run: QuizRun, *, stopped: bool) -> None:
    answers = await _answers_by_index(context, run)
    polls = await context.db(context.quiz_state.polls, run.id)
    asked = [p.idx for p in polls if p.idx in answers] if stopped else [p.idx for p in polls]
    right = sum(1 for i in asked if answers.get(i) and answers[i].correct)
    head = texts.RESULT_STOPPED if stopped else texts.RESULT_HEAD
    lines = [head.format(correct=right, asked=len(asked))]
    missed = [i for i in asked if not (answers.get(i) and answers[i].correct)]
    markup = None
    if missed:
        docs = documents(context)
        lines += ["", texts.MISSED_HEAD]
        for n, i in enumerate(missed, start=1):
            q = run.questions[i]
            lines.append(
                texts.MISSED_ITEM.format(
                    i=n,
                    question=esc(q.question),
                    answer=esc(q.answer),
                    source=esc(source_label(docs, q)),
                )
            )
        retry = InlineKeyboardButton(texts.BUTTON_RETRY_MISSED, callback_data=retry_data(run.id))
        markup = InlineKeyboardMarkup([[retry]])
    elif asked:
        lines.append(texts.ALL_RIGHT)
    await send_html(context.bot, run.chat_id, "\n".join(lines), markup=markup)


async def missed_questions(context: CustomContext, run: QuizRun) -> list[QuizQuestion]:
    """The questions of ``run`` answered wrongly, or left unanswered when it finished."""
    answers = await _answers_by_index(context, run)
    polls = await context.db(context.quiz_state.polls, run.id)
    return [
        run.questions[p.idx]
        for p in polls
        if not (answers.get(p.idx) and answers[p.idx].correct)
        and (p.idx in answers or run.state == "finished")
    ]
