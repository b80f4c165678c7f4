"""Scores and what is shown of them: the leaderboard, the trainer's CSV, and ``/diem``.

A right answer is worth ``BASE_POINTS``, plus up to ``SPEED_BONUS`` for answering at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from pydantic import BaseModel

from bot import texts
from bot.render import esc
from bot.storage.quiz_state import HistoryRow, QuizAnswer, QuizRun, State
from retrieval.domain import naming

BASE_POINTS = 100
SPEED_BONUS = 50
MEDALS = ["🥇", "🥈", "🥉"]
KIND_NAMES = {"practice": texts.QUIZ_HISTORY_PRACTICE, "group": texts.QUIZ_HISTORY_GROUP}
#: Vietnam's time, for the dates people read.
VIETNAM = dt.timezone(dt.timedelta(hours=7))


class Standing(BaseModel):
    """One participant's result in a run."""

    user_id: int
    name: str
    correct: int
    answered: int
    points: int
    seconds: float  # total answering time
    answers: dict[int, QuizAnswer]  # by question index


def points(answer: QuizAnswer, open_period: int | None) -> int:
    """A right answer is worth BASE_POINTS, plus a bonus that shrinks to 0 over the period."""
    if not answer.correct:
        return 0
    if not open_period:
        return BASE_POINTS
    share = max(0.0, 1.0 - answer.elapsed / open_period)
    return BASE_POINTS + round(SPEED_BONUS * share)


def rank(answers: list[QuizAnswer], open_period: int | None) -> list[Standing]:
    """Participants best first: points, then right answers, then the faster."""
    table: dict[int, Standing] = {}
    for a in answers:
        s = table.setdefault(
            a.user_id,
            Standing(
                user_id=a.user_id,
                name=a.name,
                correct=0,
                answered=0,
                points=0,
                seconds=0.0,
                answers={},
            ),
        )
        s.name = a.name or s.name
        s.answers[a.idx] = a
        s.answered += 1
        s.correct += int(a.correct)
        s.points += points(a, open_period)
        s.seconds += a.elapsed
    return sorted(table.values(), key=lambda s: (-s.points, -s.correct, s.seconds, s.user_id))


def local_time(ts: float) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time (UTC+7)."""
    return dt.datetime.fromtimestamp(ts, VIETNAM).strftime("%d/%m/%Y %H:%M")


def leaderboard(run: QuizRun, standings: list[Standing], asked: int, state: State) -> str:
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


def results_csv(run: QuizRun, standings: list[Standing]) -> bytes:
    """One row per participant: rank, name, id, score, time, then each question's answer."""
    out = io.StringIO()
    writer = csv.writer(out)
    head = list(texts.QUIZ_CSV_HEAD)
    for i in range(run.total):
        head += [column.format(i=i + 1) for column in texts.QUIZ_CSV_QUESTION]
    writer.writerow(head)
    for n, s in enumerate(standings, start=1):
        row: list[object] = [n, s.name, s.user_id, s.correct, s.answered, s.points]
        row.append(f"{s.seconds:.2f}")
        for i, q in enumerate(run.questions):
            a = s.answers.get(i)
            if a is None:
                row += ["", "", ""]
            else:
                verdict = texts.QUIZ_CSV_RIGHT if a.correct else texts.QUIZ_CSV_WRONG
                row += [q.options[a.option], verdict, f"{a.elapsed:.2f}"]
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the Vietnamese


def history_text(rows: list[HistoryRow]) -> str:
    """``/diem``: a line per recent practice or group session."""
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
    return "\n".join(lines)
