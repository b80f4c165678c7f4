"""How long a group poll stays open, and how long a learner took to answer.

- A long question gets time to be read: the period a trainer asked for, or the minimum period
  plus the question and its options read at ``CCHC_QUIZ_READ_CHARS_PER_SECOND``, whichever is
  longer.
- An answer received while the bot runs took from the poll's sending to its arrival (at most
  the poll's period). One given while the bot was down reaches it only after the restart, and
  Telegram says nothing of when it was given: it is timed from the bot's last heartbeat
  before it went down, the latest moment known to have passed before it. A learner is never
  timed slower than they were; when the bot goes down just after they answer, the time is the
  real one within a heartbeat.
"""

from __future__ import annotations

import math

from bot.settings import BotSettings
from bot.storage.quiz_state import QuizPoll
from retrieval.domain.quiz import QuizQuestion

#: Telegram's longest open_period.
PERIOD_MAX = 600
#: Seconds between two heartbeats while a group session runs.
HEARTBEAT = 1.0


def reading_chars(q: QuizQuestion) -> int:
    return len(q.question) + sum(len(o) for o in q.options)


def poll_period(q: QuizQuestion, requested: int, settings: BotSettings) -> int:
    """Seconds the poll of ``q`` stays open when the trainer asked for ``requested``."""
    speed = settings.quiz_read_chars_per_second
    if not speed:
        return requested
    needed = settings.quiz_min_period + math.ceil(reading_chars(q) / speed)
    return min(PERIOD_MAX, max(requested, needed))


def live_elapsed(poll: QuizPoll, received_at: float) -> float:
    """An answer received while the bot runs: from the poll's sending to its arrival."""
    elapsed = max(received_at - poll.sent_at, 0.0)
    return min(elapsed, poll.period) if poll.period is not None else elapsed


def backlog_elapsed(poll: QuizPoll, alive_at: float | None) -> float:
    """An answer Telegram kept while the bot was down: from the poll's sending to the bot's
    last heartbeat (the poll's end at the latest)."""
    given = max(poll.sent_at, alive_at or poll.sent_at)
    if poll.closes_at is not None:
        given = min(given, poll.closes_at)
    return round(given - poll.sent_at, 2)
