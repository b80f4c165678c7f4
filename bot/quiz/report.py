"""Results and what is shown of them: the leaderboard, the trainer's CSV, and ``/diem``.

More right answers always rank higher; between learners with as many right answers, the one
with less total time ranks higher. Total time counts every question asked: the seconds a
learner took to answer, or the question's whole period when they did not answer it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from pydantic import BaseModel

from bot.quiz import texts
from bot.render import esc
from bot.storage.quiz_state import HistoryRow, QuizAnswer, QuizPoll, QuizRun, State
from retrieval.domain import naming

MEDALS = ["🥇", "🥈", "🥉"]
KIND_NAMES = {"practice": texts.HISTORY_PRACTICE, "group": texts.HISTORY_GROUP}
#: Vietnam's time, for the dates people read.
VIETNAM = dt.timezone(dt.timedelta(hours=7))


class Standing(BaseModel):
    """One participant's result in a run."""

    user_id: int
    name: str
    correct: int
    answered: int
    asked: int
    seconds: float  # total time over the questions asked (unanswered: the whole period)
    answers: dict[int, QuizAnswer]  # by question index


def rank(answers: list[QuizAnswer], polls: list[QuizPoll]) -> list[Standing]:
    """Everyone who answered, best first: more right answers, then less total time, over the
    closed ``polls`` (the questions asked)."""
    asked = [p for p in polls if p.closed]
    people: dict[int, dict[int, QuizAnswer]] = {}
    names: dict[int, str] = {}
    for a in answers:
        people.setdefault(a.user_id, {})[a.idx] = a
        names[a.user_id] = a.name or names.get(a.user_id, "")
    table = []
    for user_id, mine in people.items():
        seconds = sum(mine[p.idx].elapsed if p.idx in mine else (p.period or 0.0) for p in asked)
        table.append(
            Standing(
                user_id=user_id,
                name=names[user_id],
                correct=sum(a.correct for a in mine.values()),
                answered=len(mine),
                asked=len(asked),
                seconds=round(seconds, 2),
                answers=mine,
            )
        )
    return sorted(table, key=lambda s: (-s.correct, s.seconds, s.user_id))


def local_time(ts: float) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time (UTC+7)."""
    return dt.datetime.fromtimestamp(ts, VIETNAM).strftime("%d/%m/%Y %H:%M")


def _place(i: int, standing: Standing) -> str:
    """A medal for the first three with at least one right answer; a number otherwise."""
    return MEDALS[i] if i < len(MEDALS) and standing.correct > 0 else f"{i + 1}."


def leaderboard(run: QuizRun, standings: list[Standing], asked: int, state: State) -> str:
    if state == "stopped":
        head = texts.LEADERBOARD_STOPPED.format(asked=asked, total=run.total)
    elif state == "interrupted":
        head = texts.LEADERBOARD_INTERRUPTED.format(asked=asked, total=run.total)
    else:
        head = texts.LEADERBOARD_HEAD.format(asked=asked, total=run.total)
    lines = [head]
    if run.topic:
        lines.append(texts.TOPIC_LINE_HEAD.format(topic=esc(run.topic)))
    lines.append("")
    if not standings:
        lines.append(texts.LEADERBOARD_EMPTY)
    for i, s in enumerate(standings):
        lines.append(
            texts.LEADERBOARD_LINE.format(
                place=_place(i, s),
                name=esc(s.name or str(s.user_id)),
                correct=s.correct,
                asked=asked,
                seconds=naming.seconds(s.seconds),
            )
        )
    if standings:
        lines += ["", texts.LEADERBOARD_RULE]
    lines += ["", texts.LEADERBOARD_END]
    return "\n".join(lines)


def results_csv(run: QuizRun, standings: list[Standing], polls: list[QuizPoll]) -> bytes:
    """A row per participant and question asked: their rank and totals, the question, its
    right answer, what they chose, right or wrong, and how long they took."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(texts.CSV_HEAD)
    asked = [p for p in polls if p.closed]
    for n, s in enumerate(standings, start=1):
        person = [n, s.name, s.user_id, s.correct, s.asked, f"{s.seconds:.2f}"]
        for poll in asked:
            q = run.questions[poll.idx]
            a = s.answers.get(poll.idx)
            if a is None:
                mine = [texts.CSV_UNANSWERED, "", ""]
            else:
                verdict = texts.CSV_RIGHT if a.correct else texts.CSV_WRONG
                mine = [q.options[a.option], verdict, f"{a.elapsed:.2f}"]
            writer.writerow([*person, poll.idx + 1, q.question, q.answer, *mine])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read the Vietnamese


def history_text(rows: list[HistoryRow]) -> str:
    """``/diem``: a line per recent practice or group session, counted as its leaderboard
    counts (a question left unanswered is a question asked)."""
    lines = [texts.HISTORY_HEAD]
    for r in rows:
        if r.state in ("stopped", "interrupted"):
            state = texts.HISTORY_STOPPED
        elif r.state == "running":
            state = texts.HISTORY_RUNNING
        else:
            state = ""
        lines.append(
            texts.HISTORY_LINE.format(
                date=local_time(r.created_at),
                what=KIND_NAMES[r.kind],
                topic=f" ({esc(r.topic)})" if r.topic else "",
                correct=r.correct,
                asked=r.asked,
                state=state,
            )
        )
    return "\n".join(lines)
