"""The parts of ``bot.delivery`` on their own: what is retried, and what the inbox keeps."""

from __future__ import annotations

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.policy import Verdict, backoff, verdict
from bot.storage.inbox import Inbox, scrub
from bot.storage.outbox import Outbox
from bot.storage.sqlite import Database


def test_verdicts() -> None:
    request = httpx.Request("POST", "http://t/botX/sendMessage")

    def caused(error: Exception, cause: Exception) -> Exception:
        error.__cause__ = cause
        return error

    connect = caused(NetworkError("httpx.ConnectError"), httpx.ConnectError("no", request=request))
    read_timeout = caused(TimedOut(), httpx.ReadTimeout("slow", request=request))
    dropped = caused(
        NetworkError("httpx.RemoteProtocolError"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    )
    write = caused(TimedOut(), httpx.WriteTimeout("slow", request=request))
    pool = TimedOut("Pool timeout: All connections in the connection pool are occupied.")
    server = NetworkError("Internal Server Error")  # a 5xx: Telegram answered
    table = {
        (RetryAfter(3), "sendMessage"): Verdict.RETRY,
        (server, "sendMessage"): Verdict.RETRY,
        (connect, "sendMessage"): Verdict.RETRY,
        (write, "sendMessage"): Verdict.RETRY,
        (pool, "sendMessage"): Verdict.RETRY,
        (read_timeout, "sendMessage"): Verdict.UNCERTAIN,
        (dropped, "sendPoll"): Verdict.UNCERTAIN,
        (read_timeout, "editMessageText"): Verdict.RETRY,
        (dropped, "sendChatAction"): Verdict.RETRY,
        (BadRequest("Message is too long"), "sendMessage"): Verdict.FINAL,
        (Forbidden("bot was blocked by the user"), "sendMessage"): Verdict.FINAL,
    }
    assert {key: verdict(*key) for key in table} == table
    assert [backoff(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 8, 8]


UPDATE = {
    "update_id": 7,
    "message": {
        "message_id": 10,
        "date": 0,
        "text": "Câu hỏi?",
        "chat": {"id": 5, "type": "private", "first_name": "An", "username": "an_nguyen"},
        "from": {"id": 5, "is_bot": False, "first_name": "An", "last_name": "Nguyễn",
                 "username": "an_nguyen", "language_code": "vi"},
    },
}  # fmt: skip


def test_the_inbox_keeps_no_names_and_nothing_once_done(tmp_path) -> None:
    db = Database(tmp_path / "bot.sqlite")
    inbox = Inbox(db)
    assert inbox.record(7, UPDATE) and not inbox.record(7, UPDATE)  # a replay
    (waiting,) = inbox.due()
    message = waiting.payload["message"]
    assert message["text"] == "Câu hỏi?" and message["from"]["id"] == 5
    assert "An" not in str(waiting.payload) and "an_nguyen" not in str(waiting.payload)
    assert inbox.claim(7) == 1 and inbox.claim(7) is None  # handled once at a time
    inbox.release(7, 0)
    assert inbox.claim(7) == 2
    inbox.finish(7)
    assert inbox.state(7) == "done" and inbox.due() == []
    assert db.query("SELECT payload FROM inbox") == [{"payload": None}]
    voter = {"id": 9, "is_bot": False, "first_name": "Bình"}
    answer = {"poll_answer": {"poll_id": "p", "user": voter, "option_ids": [1]}}
    assert scrub(answer)["poll_answer"]["user"]["first_name"] == "Bình"  # for a leaderboard


def test_a_restart_puts_back_what_was_being_handled(tmp_path) -> None:
    inbox = Inbox(Database(tmp_path / "bot.sqlite"))
    inbox.record(1, UPDATE)
    inbox.record(2, {**UPDATE, "update_id": 2})
    assert inbox.claim(1) == 1
    inbox.finish(2)  # handled already
    again = Inbox(Database(tmp_path / "bot.sqlite"))  # the next process
    assert again.recover() == 1
    assert [w.update_id for w in again.due()] == [1]


def test_the_outbox_gives_back_what_was_sent(tmp_path) -> None:
    outbox = Outbox(Database(tmp_path / "bot.sqlite"))
    sent = {"message_id": 3, "chat": {"id": 5, "type": "private", "first_name": "An"}, "date": 0}
    outbox.remember(7, 0, "sendMessage", sent)
    assert outbox.sent(7, 0) == {"message_id": 3, "chat": {"id": 5, "type": "private"}, "date": 0}
    assert outbox.sent(7, 1) is None
