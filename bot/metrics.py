"""The bot's counters for ``/metrics`` (Prometheus text format, through prometheus-client).

One :class:`Metrics` per ``Application``, with a registry of its own (so that two bots in one
process, as in the tests, count apart), reached by handlers as ``context.metrics``. Handlers
call the small methods below; the names and labels are the interface a dashboard reads:

==================================  =============================================================
``cchc_updates_total``              updates received from Telegram
``cchc_questions_total``            questions received (``chat_type``: private, group, …)
``cchc_refusals_total``             questions not answered with citations, by ``reason``: the
                                    core's abstention reason (``weak_evidence``…), a problem
                                    with the question (``question_too_long``…), ``throttled``,
                                    and users refused by the allowlists (``access``)
``cchc_answer_seconds``             histogram: from the question to the answer being sent
``cchc_updates_replayed_total``     updates Telegram sent again, recognised and dropped
``cchc_errors_total``               handler failures, by exception ``error``
``cchc_telegram_requests_total``    successful Bot API calls, by ``method``
``cchc_telegram_errors_total``      failed Bot API calls, by ``method`` and ``error`` (network,
                                    timeout, retry_after, bad_request, forbidden, …)
``cchc_telegram_retries_total``     calls tried again, by ``reason``: ``startup`` (connecting),
                                    ``polling`` (getUpdates after a failure), ``rate_limit``
                                    (a 429 waited out), ``server_error`` (a 5xx), ``network``
                                    (no connection), by ``bot.delivery.limiter``
``cchc_reindex_runs_total``         reindex runs started from Telegram, by ``outcome``
                                    (published, unchanged, failed)
``cchc_quiz_sessions_total``        quiz runs started, by ``kind`` (practice, group)
==================================  =============================================================

Gauges read at scrape time (index version and age, last update, uptime) come from
``bot.health``, and the usual ``process_*`` series from prometheus-client.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.registry import Collector
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

#: Seconds: a warm answer takes well under one; a cold or crowded one several.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)

#: Most specific first: TimedOut and BadRequest are NetworkErrors in python-telegram-bot.
_ERROR_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (RetryAfter, "retry_after"),
    (TimedOut, "timeout"),
    (BadRequest, "bad_request"),
    (Forbidden, "forbidden"),
    (InvalidToken, "invalid_token"),
    (Conflict, "conflict"),
    (ChatMigrated, "chat_migrated"),
    (NetworkError, "network"),
)


def error_kind(exc: BaseException) -> str:
    """A short, bounded label for a Telegram error."""
    return next((kind for cls, kind in _ERROR_KINDS if isinstance(exc, cls)), "other")


class Metrics:
    """The counters of one bot, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        self.updates = Counter("cchc_updates", "Updates received from Telegram", registry=r)
        self.replayed = Counter(
            "cchc_updates_replayed", "Updates received again (not handled again)", registry=r
        )
        self.questions = Counter("cchc_questions", "Questions received", ["chat_type"], registry=r)
        self.refusals = Counter(
            "cchc_refusals", "Questions not answered with citations", ["reason"], registry=r
        )
        self.answer_seconds = Histogram(
            "cchc_answer_seconds",
            "Seconds from a question to its answer being sent",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.errors = Counter("cchc_errors", "Handler failures", ["error"], registry=r)
        self.telegram_requests = Counter(
            "cchc_telegram_requests", "Successful Bot API calls", ["method"], registry=r
        )
        self.telegram_errors = Counter(
            "cchc_telegram_errors", "Failed Bot API calls", ["method", "error"], registry=r
        )
        self.telegram_retries = Counter(
            "cchc_telegram_retries", "Bot API calls tried again", ["reason"], registry=r
        )
        self.reindex_runs = Counter(
            "cchc_reindex_runs", "Reindex runs started from Telegram", ["outcome"], registry=r
        )
        self.quiz_sessions = Counter(
            "cchc_quiz_sessions", "Quiz runs started", ["kind"], registry=r
        )

    # -- what handlers report ------------------------------------------------------------------
    def question(self, chat_type: str) -> None:
        self.questions.labels(chat_type=chat_type).inc()

    def refused(self, reason: str) -> None:
        self.refusals.labels(reason=reason).inc()

    def answered(self, seconds: float, *, abstained: bool, reason: str | None) -> None:
        self.answer_seconds.observe(seconds)
        if abstained:
            self.refused(reason or "abstained")

    def failed(self, error: BaseException | None) -> None:
        self.errors.labels(error=type(error).__name__ if error else "unknown").inc()

    def api_ok(self, method: str) -> None:
        self.telegram_requests.labels(method=method).inc()

    def api_failed(self, method: str, error: BaseException) -> None:
        kind = error_kind(error)
        self.telegram_errors.labels(method=method, error=kind).inc()
        if kind == "retry_after":
            self.retried("rate_limit")

    def retried(self, reason: str) -> None:
        self.telegram_retries.labels(reason=reason).inc()

    def reindexed(self, outcome: str) -> None:
        self.reindex_runs.labels(outcome=outcome).inc()

    def quiz_started(self, kind: str) -> None:
        self.quiz_sessions.labels(kind=kind).inc()

    # -- exposition ----------------------------------------------------------------------------
    def register(self, collector: Collector) -> None:
        """Add series computed at scrape time."""
        self.registry.register(collector)

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text format of every series, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
