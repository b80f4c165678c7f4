"""Which failures of a Bot API call are worth another try, and how long to wait before it.

A message must reach the user once. A call that certainly did not reach Telegram (no
connection, a request not fully written) or that Telegram answered with an error it asks to
retry (a 429 with ``retry_after``, a 5xx) is tried again. A call that reached Telegram and
got no answer (a read timeout, a connection dropped while waiting) may have been carried out:
a message is then *not* sent again, nor an apology after it (issue 15: a send slower than the
read timeout was delivered, and then the apology too). Calls that change nothing when repeated
(editing a message to the same text, a chat action, reading) are tried again in every case.
"""

from __future__ import annotations

import datetime as dt
import enum

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

#: Calls whose result is a message a user sees: never sent twice for one update
#: (``bot.storage.outbox``), never repeated when their outcome is unknown.
SENDS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPoll",
        "sendPhoto",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendDice",
        "sendSticker",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)
#: Calls that may be repeated whatever happened to the first one.
IDEMPOTENT = frozenset(
    {
        "getMe",
        "getFile",
        "getChat",
        "getChatMember",
        "getMyCommands",
        "getWebhookInfo",
        "setMyCommands",
        "deleteMyCommands",
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "deleteMessage",
        "stopPoll",
    }
)
#: Calls retried by their own callers, in their own way: start-up (``bot.runner.connect``)
#: and python-telegram-bot's polling loop.
NOT_HERE = frozenset({"getUpdates", "getMe", "setWebhook", "deleteWebhook", "logOut", "close"})

#: Seconds before the first new attempt after a 5xx or a network failure; doubled each time.
FIRST_DELAY = 0.5
MAX_DELAY = 8.0


class Verdict(enum.Enum):
    RETRY = "retry"  # it did not happen: try again
    UNCERTAIN = "uncertain"  # it may have happened: do not repeat it
    FINAL = "final"  # Telegram refused it (400, 403…): repeating changes nothing


def _never_sent(cause: BaseException | None) -> bool:
    """httpx failed before the request was complete: Telegram cannot have acted on it."""
    return isinstance(
        cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.WriteError
    ) or isinstance(cause, httpx.WriteTimeout)


def verdict(error: TelegramError, method: str) -> Verdict:
    """What to do after ``method`` failed with ``error``."""
    if isinstance(error, RetryAfter):
        return Verdict.RETRY
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return Verdict.FINAL  # 400, 401, 403, 409, a migrated chat…
    cause = error.__cause__
    if isinstance(error, TimedOut) and "Pool timeout" in (error.message or ""):
        return Verdict.RETRY  # python-telegram-bot's own words: "not sent to Telegram"
    if _never_sent(cause):
        return Verdict.RETRY
    if not isinstance(cause, httpx.HTTPError) and not isinstance(error, TimedOut):
        return Verdict.RETRY  # Telegram answered with a 5xx: it did not carry the call out
    return Verdict.RETRY if method in IDEMPOTENT else Verdict.UNCERTAIN


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for (an int or a timedelta, by the library's version)."""
    value = error.retry_after
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return max(seconds, 0.0) + 0.1


def backoff(attempt: int, first: float = FIRST_DELAY, cap: float = MAX_DELAY) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, …): 0.5, 1, 2, 4, 8, 8…"""
    return min(cap, first * 2 ** min(attempt - 1, 16))
