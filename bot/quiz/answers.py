"""Recording a learner's answer to a poll: only polls of a running quiz, still open, count;
the first answer is kept (a quiz poll's answer cannot change)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from telegram import PollAnswer

from bot.storage.quiz_state import QuizAnswer, QuizPoll, QuizRun, QuizState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    run: QuizRun
    poll: QuizPoll
    answer: QuizAnswer
    #: False when the learner's answer to this poll was already recorded.
    new: bool


def record(
    state: QuizState,
    update: PollAnswer,
    at: float,
    elapsed: Callable[[QuizPoll], float],
    *,
    kinds: tuple[str, ...] = ("practice", "group"),
) -> Recorded | None:
    """Record ``update``, received at ``at`` and given ``elapsed(poll)`` seconds after its
    poll was sent, for a run of one of ``kinds``; None when it counts nowhere. Blocking (the
    database)."""
    if update.user is None:  # an anonymous admin voting as the chat
        return None
    poll = state.poll(update.poll_id)
    if poll is None:
        return None
    run = state.run(poll.run_id)
    if run is not None and run.kind not in kinds:
        return None
    if run is None or run.state != "running" or poll.closed:
        log.info("Bỏ qua câu trả lời cho câu đố đã đóng (phiên %s)", poll.run_id)
        return None
    user = update.user
    if run.kind == "practice" and user.id != run.owner_id:
        return None
    if not update.option_ids:
        state.retract_answer(poll.poll_id, user.id)
        return None
    option = update.option_ids[0]
    answer = QuizAnswer(
        poll_id=poll.poll_id,
        run_id=run.id,
        idx=poll.idx,
        user_id=user.id,
        name=user.full_name if run.kind == "group" else "",
        option=option,
        correct=option == run.questions[poll.idx].correct,
        elapsed=round(elapsed(poll), 2),
        answered_at=at,
    )
    return Recorded(run, poll, answer, state.record_answer(answer))
