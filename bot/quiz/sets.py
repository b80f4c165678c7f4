"""A trainer's own questions: a CSV or YAML file sent to the bot in a private chat is read,
checked row by row (the problems said by line, in Vietnamese), and kept as a set that
``/quiz`` runs by its name, in a group session or a practice."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import CustomContext
from bot.quiz import texts
from bot.quiz.args import GROUP_DEFAULT
from bot.render import esc
from bot.send import send_html
from retrieval.domain import naming
from retrieval.service.quiz import QuestionSet, SetProblem, read_question_set

log = logging.getLogger(__name__)

#: File endings read as question sets.
EXTENSIONS = ("csv", "yaml", "yml")
#: Problems listed in one reply; the count of the rest follows.
SHOWN = 15


def describe(problem: SetProblem) -> str:
    """One problem, with its line: "Dòng 3: thiếu đáp án đúng"."""
    template = texts.SET_PROBLEMS.get(problem.code, problem.code)
    try:
        said = template.format(**problem.details)
    except (KeyError, IndexError):
        said = template
    where = texts.SET_AT_LINE.format(line=problem.line) if problem.line else ""
    return texts.SET_PROBLEM.format(where=where, problem=esc(said))


def refusal(filename: str, found: QuestionSet) -> str:
    lines = [describe(p) for p in found.problems[:SHOWN]]
    if len(found.problems) > SHOWN:
        lines.append(texts.SET_MORE_PROBLEMS.format(n=len(found.problems) - SHOWN))
    return texts.SET_REFUSED.format(
        file=esc(filename), n=len(found.problems), problems="\n".join(lines)
    )


async def on_question_file(update: Update, context: CustomContext) -> None:
    """A ``.csv``, ``.yaml`` or ``.yml`` file in a private chat: a question set."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or msg.document is None or user is None:
        return
    reply = msg.message_id
    doc = msg.document
    filename = doc.file_name or "bo-cau-hoi.csv"
    limit = context.settings.quiz_set_max_kb * 1024
    if doc.file_size and doc.file_size > limit:
        text = texts.SET_TOO_LARGE.format(
            size=naming.megabytes(doc.file_size), limit=naming.megabytes(limit)
        )
        await send_html(context.bot, msg.chat_id, text, reply_to=reply)
        return
    try:
        data = bytes(await (await context.bot.get_file(doc.file_id)).download_as_bytearray())
    except TelegramError as exc:
        log.warning("Không tải được tệp câu hỏi %s: %s", filename, exc)
        await send_html(context.bot, msg.chat_id, texts.SET_DOWNLOAD_FAILED, reply_to=reply)
        return
    found = await context.in_worker(read_question_set, filename, data[: limit + 1])
    if found.problems:
        log.info("Tệp câu hỏi %s của %s: %d lỗi", filename, user.id, len(found.problems))
        await send_html(context.bot, msg.chat_id, refusal(filename, found), reply_to=reply)
        return
    kept = await context.db(context.quiz_sets.put, user.id, found.name, found.questions)
    log.info("Người dùng %s gửi bộ câu hỏi %s: %d câu", user.id, kept.name, len(kept.questions))
    n = len(kept.questions)
    text = texts.SET_RECEIVED.format(name=esc(kept.name), n=n, n_default=min(n, GROUP_DEFAULT))
    await send_html(context.bot, msg.chat_id, text, reply_to=reply)
