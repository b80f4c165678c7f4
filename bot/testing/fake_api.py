"""A small in-process fake of the Telegram Bot API, for tests and benchmarks.

It listens on 127.0.0.1 on a random port, in a background thread, so the bot under test talks
to it through python-telegram-bot's real HTTP client (``base_url=f"{fake.url}/bot"``).

- Updates are queued with :meth:`FakeTelegram.send_text`, :meth:`send_sticker`,
  :meth:`send_document` (a file, then served by ``getFile`` and the file endpoint
  ``/file/bot<token>/<file_path>``), :meth:`press` (a callback query) or :meth:`enqueue`, and
  served by ``getUpdates`` with long polling and offsets, as Telegram does.
- Every call is recorded (:attr:`calls`), with its parsed parameters and the HTTP status
  answered. :meth:`wait_for` waits (asynchronously) for calls; :meth:`wait_for_sync` from a
  plain thread.
- Messages sent by the bot are kept (:meth:`sent`), with their buttons, so tests can press them.
- HTML sent with ``parse_mode=HTML`` is checked like Telegram does (allowed tags, nesting,
  entities), and Telegram's limits are enforced as it counts them, with its error
  descriptions: texts over 4096 UTF-16 code units, captions over 1024, poll questions over
  300 and options over 100, alerts over 200, and callback data over 64 bytes.
- Errors on demand: :meth:`fail` makes the next call(s) of a method answer 429 with
  ``retry_after``, 400 (e.g. "can't parse entities", "message is not modified") or a 5xx;
  :meth:`delay` answers slowly (the call is carried out, then answered); :meth:`hold` keeps
  calls waiting before they are carried out, and :meth:`release` carries out those whose
  client is still there (a killed bot's calls never reached "Telegram"); :meth:`stop` and
  :meth:`start` on the same port are an outage.
- Replays and edits: :meth:`redeliver` queues an update again under its own id, as Telegram
  does with an update it did not see confirmed; :meth:`edit_text` queues an
  ``edited_message``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import html
import html.parser
import itertools
import json
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TOKEN = "123456789:TEST-fake-token_for_tests"
#: Where each new fake server starts numbering updates: Telegram's ids only grow, also across a
#: restart of the bot, and a bot's database remembers the ids it has seen.
_update_id_bases = itertools.count(1, 100_000)
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_POLL_QUESTION = 300
MAX_POLL_OPTION = 100
MAX_ALERT = 200
MAX_CALLBACK_DATA_BYTES = 64

#: Parameters that are always strings (everything else is JSON-decoded when it can be).
STRING_PARAMS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "secret_token",
    "question",
    "explanation",
    "explanation_parse_mode",
    "question_parse_mode",
    "action",
    "description",
    "short_description",
    "file_id",
    "type",
    "language_code",
    "ip_address",
    "inline_message_id",
}

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _HTMLCheck(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.error:
            return
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        elif tag == "a" and not dict(attrs).get("href"):
            self.error = "Can't find href of the link"
        else:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.error:
            self.error = f'Unsupported start tag "{tag}"'

    def handle_endtag(self, tag: str) -> None:
        if self.error:
            return
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Can\'t find end tag corresponding to start tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.error and "<" in data:
            self.error = "Unexpected end tag"

    def unknown_decl(self, data: str) -> None:
        self.error = self.error or "Unsupported declaration"


def html_error(text: str) -> str | None:
    """Why Telegram would refuse ``text`` as HTML, or None when it is fine."""
    bad_entity = re.search(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text)
    if bad_entity:
        return f"Can't find end of the entity starting at byte offset {bad_entity.start()}"
    check = _HTMLCheck()
    check.feed(text)
    check.close()
    if check.error:
        return check.error
    if check.stack:
        return f'Can\'t find end tag corresponding to start tag "{check.stack[-1]}"'
    return None


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees (tags removed, entities decoded)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(re.sub(r"<[^>]*>", "", text))
    return text


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    result: Any = None


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class FakeTelegram:
    token: str = DEFAULT_TOKEN
    bot_id: int = 987654321
    username: str = "cchc_test_bot"
    #: Longest a getUpdates call is held open, whatever timeout the bot asks for.
    max_poll: float = 2.0
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: list[dict] = []
        #: The id the first update gets; ``last_update_id`` is the newest (one less before any).
        self.first_update_id = next(_update_id_bases)
        self._update_ids = itertools.count(self.first_update_id)
        self.last_update_id = self.first_update_id - 1
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._failures: dict[str, list[Failure | None]] = {}
        self._answered_queries: set[str] = set()
        self._delays: dict[str, float] = {}
        self._held: set[str] = set()
        #: Updates sent again (:meth:`redeliver`), served once whatever the offset.
        self._replays: list[dict] = []
        #: False: getUpdates' offsets do not reach "Telegram" (a network failure after the
        #: answer), so the updates they confirm are sent again to whoever asks from 0.
        self.confirmations = True
        #: Calls waiting in :meth:`hold`, and calls being carried out (``stop`` waits for them).
        self.holding = 0
        self._busy = 0
        self._closing = False
        self.messages: dict[tuple[int, int], dict] = {}
        self.chats: dict[int, dict] = {}
        self.files: dict[str, bytes] = {}
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, Any] = {}
        #: Status of a user in a chat for ``getChatMember`` ("member" unless set here).
        self.members: dict[tuple[int, int], str] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        #: Open client connections, closed by ``stop`` as a server that goes away closes them.
        self._connections: set[socket.socket] = set()

    # -- lifecycle ----------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeTelegram:
        """Listen on ``port`` (0: any free port). Stopped, then started again on the same port,
        it is a Bot API server that went away and came back."""
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._closing = False
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Go away as a server does: stop accepting, let the calls being carried out finish
        (held ones are dropped), then close every connection."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        deadline = time.monotonic() + 10
        with self._cond:
            while self._busy and time.monotonic() < deadline:
                self._cond.wait(0.05)
            connections, self._connections = list(self._connections), set()
        for conn in connections:  # kept-alive connections would otherwise go on being served
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API root to give the bot (TELEGRAM_API_BASE_URL)."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Trợ lý CCHC (thử)",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # -- errors on demand ---------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int = 500,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (once ``after``
        more have gone through)."""
        if status == 429:
            retry_after = retry_after if retry_after is not None else 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        default = {
            400: "Bad Request",
            401: "Unauthorized",
            403: "Forbidden: bot was blocked by the user",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }
        failure = Failure(status, description or default.get(status, "Error"), retry_after)
        with self._cond:
            self._failures.setdefault(method, []).extend([None] * after + [failure] * times)

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` (0 removes the delay); the call is carried
        out all the same, as Telegram carries out a call the client stopped waiting for."""
        self._delays[method] = seconds

    def clear_failures(self, method: str | None = None) -> None:
        """Forget the failures :meth:`fail` queued (for ``method``, or all)."""
        with self._cond:
            if method is None:
                self._failures.clear()
            else:
                self._failures.pop(method, None)

    def hold(self, method: str) -> None:
        """Keep calls of ``method`` waiting, not carried out, until :meth:`release`."""
        with self._cond:
            self._held.add(method)

    def release(self, method: str) -> None:
        """Carry out the held calls of ``method`` whose client still waits for them; those of
        a client that went away meanwhile are dropped, as if they never arrived."""
        with self._cond:
            self._held.discard(method)
            self._cond.notify_all()

    def _wait_if_held(self, method: str) -> bool:
        """False when the call was held and the server is stopping: drop it."""
        with self._cond:
            if method not in self._held:
                return True
            self.holding += 1
            try:
                while method in self._held and not self._closing:
                    self._cond.wait()
                return not self._closing
            finally:
                self.holding -= 1

    # -- updates ------------------------------------------------------------------------
    def user(self, user_id: int, **extra: Any) -> dict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"Cán bộ {user_id}",
            "language_code": "vi",
            **extra,
        }

    def chat(self, chat_id: int, chat_type: str = "private") -> dict:
        if chat_id not in self.chats:
            chat = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat["first_name"] = f"Cán bộ {chat_id}"
            else:
                chat["title"] = f"Nhóm {abs(chat_id)}"
            self.chats[chat_id] = chat
        return self.chats[chat_id]

    def enqueue(self, update: dict) -> dict:
        """Queue a raw update (``update_id`` is filled in)."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self.last_update_id = update["update_id"]
            self._pending.append(update)
            self._cond.notify_all()
        return update

    def _message(
        self, user_id: int, chat_id: int | None, chat_type: str, reply_to: dict | None, **body: Any
    ) -> dict:
        chat_id = chat_id if chat_id is not None else user_id
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.user(user_id),
            **body,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def send_text(
        self,
        text: str,
        *,
        user_id: int = 1,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict | None = None,
    ) -> dict:
        """Queue a text message from a user; commands and @mentions get their entities."""
        entities = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        for m in re.finditer(r"@\w+", text):
            if text.startswith("/") and m.start() < len(text.split(maxsplit=1)[0]):
                continue
            entities.append(
                {
                    "type": "mention",
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group()),
                }
            )
        body: dict[str, Any] = {"text": text}
        if entities:
            body["entities"] = entities
        message = self._message(user_id, chat_id, chat_type, reply_to, **body)
        self.enqueue({"message": message})
        return message

    def send_sticker(
        self, *, user_id: int = 1, chat_id: int | None = None, chat_type: str = "private"
    ) -> dict:
        sticker = {
            "file_id": "CAACAgIAAxkBAAEBsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        message = self._message(user_id, chat_id, chat_type, None, sticker=sticker)
        self.enqueue({"message": message})
        return message

    def send_document(
        self,
        file_name: str,
        data: bytes,
        *,
        user_id: int = 1,
        chat_id: int | None = None,
        chat_type: str = "private",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> dict:
        """Queue a file sent by a user; its bytes are then served by ``getFile`` and the
        file endpoint, as Telegram serves them."""
        file_id = f"BQACAgIAAxkBdoc{next(self._message_ids)}"
        with self._cond:
            self.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        body: dict[str, Any] = {"document": document}
        if caption:
            body["caption"] = caption
        message = self._message(user_id, chat_id, chat_type, None, **body)
        self.enqueue({"message": message})
        return message

    def redeliver(self, update: dict) -> dict:
        """Send ``update`` again under the same id with the next getUpdates, whatever the
        offset, as Telegram does with an update whose receipt it did not see confirmed."""
        with self._cond:
            self._replays.append(update)
            self._cond.notify_all()
        return update

    def edit_text(self, message: dict, text: str) -> dict:
        """Queue an ``edited_message``: the user changed the text of ``message``."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        self.enqueue({"edited_message": edited})
        return edited

    def press(self, message: dict, data: str, *, user_id: int = 1) -> dict:
        """Queue a callback query: ``user_id`` pressed the button ``data`` under ``message``."""
        query = {
            "id": str(next(self._callback_ids)),
            "from": self.user(user_id),
            "message": message,
            "chat_instance": f"ci{message['chat']['id']}",
            "data": data,
        }
        self.enqueue({"callback_query": query})
        return query

    def answer_poll(self, poll_id: str, user_id: int, option_ids: list[int]) -> dict:
        """Queue a ``poll_answer``: ``user_id`` chose ``option_ids`` (empty: retracted)."""
        answer = {
            "poll_id": poll_id,
            "user": self.user(user_id),
            "option_ids": option_ids,
            "option_persistent_ids": [str(i) for i in option_ids],
        }
        self.enqueue({"poll_answer": answer})
        return answer

    def migrate(self, old_chat_id: int, new_chat_id: int, *, user_id: int = 1) -> None:
        """Queue the two service messages Telegram sends when a group becomes a supergroup."""
        old = self._message(user_id, old_chat_id, "group", None, migrate_to_chat_id=new_chat_id)
        self.enqueue({"message": old})
        new = self._message(
            user_id, new_chat_id, "supergroup", None, migrate_from_chat_id=old_chat_id
        )
        self.enqueue({"message": new})

    # -- looking at what the bot did ----------------------------------------------------
    def polls(self, chat_id: int | None = None) -> list[dict]:
        """Polls the bot sent (messages with a ``poll``), oldest first."""
        return [m for m in self.sent(chat_id) if "poll" in m]

    def calls_of(self, method: str, ok_only: bool = True, **match: Any) -> list[Call]:
        with self._cond:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.method == method
            and (c.status == 200 or not ok_only)
            and all(c.params.get(k) == v for k, v in match.items())
        ]

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """Messages the bot sent (and as last edited), oldest first."""
        with self._cond:
            msgs = sorted(self.messages.values(), key=lambda m: m["message_id"])
        return [m for m in msgs if chat_id is None or m["chat"]["id"] == chat_id]

    def _matching(
        self, method: str, where: Callable[[Call], bool] | None, match: dict, ok_only: bool
    ) -> list[Call]:
        return [c for c in self.calls_of(method, ok_only, **match) if where is None or where(c)]

    async def wait_for(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 30.0,
        where: Callable[[Call], bool] | None = None,
        ok_only: bool = True,
        **match: Any,
    ) -> list[Call]:
        """Wait until at least ``count`` matching calls were made; return them all."""
        deadline = time.monotonic() + timeout
        while (found := self._poll(method, count, where, match, ok_only, deadline)) is None:
            await asyncio.sleep(0.02)
        return found

    def wait_for_sync(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 30.0,
        where: Callable[[Call], bool] | None = None,
        ok_only: bool = True,
        **match: Any,
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        while (found := self._poll(method, count, where, match, ok_only, deadline)) is None:
            time.sleep(0.02)
        return found

    def _poll(
        self,
        method: str,
        count: int,
        where: Callable[[Call], bool] | None,
        match: dict,
        ok_only: bool,
        deadline: float,
    ) -> list[Call] | None:
        """The matching calls once there are ``count``; None to keep waiting; fails at the
        deadline with the recent calls, to show what happened instead."""
        found = self._matching(method, where, match, ok_only)
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(self._timeout_report(method, count, found))
        return None

    def _timeout_report(self, method: str, count: int, found: list[Call]) -> str:
        recent = [(c.method, c.status, str(c.params)[:120]) for c in self.calls[-15:]]
        return f"expected {count} {method} call(s), got {len(found)}; last calls: {recent}"

    # -- the API ------------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        """Answer one API call; returns (HTTP status, JSON body)."""
        if delay := self._delays.get(method):
            time.sleep(delay)
        with self._cond:
            queue = self._failures.get(method)
            failure = queue.pop(0) if queue else None
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            return 200, {"ok": True, "result": handler(params)}
        except _ApiError as exc:
            return exc.status, {"ok": False, "error_code": exc.status, "description": exc.text}

    def _record(self, method: str, params: dict, status: int, result: Any) -> None:
        with self._cond:
            self.calls.append(Call(method, params, time.monotonic(), status, result))

    def _api_getMe(self, params: dict) -> dict:
        return self.bot_user

    def _api_getUpdates(self, params: dict) -> list[dict]:
        offset = params.get("offset") or 0
        limit = params.get("limit") or 100
        timeout = min(float(params.get("timeout") or 0), self.max_poll)
        deadline = time.monotonic() + timeout
        with self._cond:
            confirms = self.confirmations  # as it was when the call arrived
            while True:
                if offset and confirms:
                    self._pending = [u for u in self._pending if u["update_id"] >= offset]
                visible = [u for u in self._pending if u["update_id"] >= offset]
                if visible or self._replays or self._closing:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            replays, self._replays = self._replays, []
            return replays + visible[: max(0, limit - len(replays))]

    def _check_text(self, text: Any, parse_mode: str | None, what: str = "message") -> str:
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, f"Bad Request: {what} text is empty")
        if parse_mode and parse_mode.upper() == "HTML" and (err := html_error(text)):
            raise _ApiError(400, f"Bad Request: can't parse entities: {err}")
        if utf16_len(plain_text(text, parse_mode)) > MAX_TEXT:
            raise _ApiError(400, f"Bad Request: {what} is too long")
        return text

    @staticmethod
    def _check_markup(markup: Any) -> None:
        for row in (markup or {}).get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _new_message(self, params: dict, **body: Any) -> dict:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        self._check_markup(params.get("reply_markup"))
        chat_type = "private" if chat_id > 0 else "supergroup"
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.bot_user,
            **body,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._cond:
            self.messages[(chat_id, message["message_id"])] = message
        return message

    def _api_sendMessage(self, params: dict) -> dict:
        text = self._check_text(params.get("text"), params.get("parse_mode"))
        return self._new_message(params, text=text)

    def _stored(self, params: dict) -> dict:
        key = (params.get("chat_id"), params.get("message_id"))
        with self._cond:
            message = self.messages.get(key)  # type: ignore[arg-type]
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return message

    def _api_editMessageText(self, params: dict) -> dict:
        message = self._stored(params)
        text = self._check_text(params.get("text"), params.get("parse_mode"))
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        message["text"] = text
        if markup is not None:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        message = self._stored(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if markup == message.get("reply_markup"):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        return message

    def _api_deleteMessage(self, params: dict) -> bool:
        with self._cond:
            self.messages.pop((params.get("chat_id"), params.get("message_id")), None)  # type: ignore[arg-type]
        return True

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        if params.get("text") and utf16_len(params["text"]) > MAX_ALERT:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._cond:
            if params.get("callback_query_id") in self._answered_queries:
                raise _ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID "
                    "is invalid",
                )
            self._answered_queries.add(str(params.get("callback_query_id")))
        return True

    def _api_sendChatAction(self, params: dict) -> bool:
        return True

    def _api_setMyCommands(self, params: dict) -> bool:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands[scope] = params.get("commands")
        return True

    def _api_deleteMyCommands(self, params: dict) -> bool:
        return True

    def _api_getMyCommands(self, params: dict) -> list:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return self.commands.get(scope) or []

    def _api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = None
        return True

    def _api_setWebhook(self, params: dict) -> bool:
        self.webhook = dict(params)
        return True

    def _api_getWebhookInfo(self, params: dict) -> dict:
        url = (self.webhook or {}).get("url", "")
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    def _api_close(self, params: dict) -> bool:
        return True

    def _api_logOut(self, params: dict) -> bool:
        return True

    def _api_getFile(self, params: dict) -> dict:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"files/{file_id}",
        }

    def _api_sendDocument(self, params: dict) -> dict:
        doc = params.get("document")
        name = doc.get("filename", "file") if isinstance(doc, dict) else "file"
        data = doc.get("data", b"") if isinstance(doc, dict) else b""
        caption = params.get("caption")
        if caption and utf16_len(plain_text(caption, params.get("parse_mode"))) > MAX_CAPTION:
            raise _ApiError(400, "Bad Request: message caption is too long")
        file_id = f"doc{next(self._message_ids)}"
        self.files[file_id] = data
        body: dict[str, Any] = {
            "document": {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name}
        }
        if params.get("caption"):
            body["caption"] = params["caption"]
        return self._new_message(params, **body)

    def _api_sendPoll(self, params: dict) -> dict:
        options = [
            {"text": o if isinstance(o, str) else o.get("text", ""), "voter_count": 0}
            for o in params.get("options") or []
        ]
        if utf16_len(str(params.get("question", ""))) > MAX_POLL_QUESTION:
            raise _ApiError(400, "Bad Request: poll question length must not exceed 300")
        if any(utf16_len(o["text"]) > MAX_POLL_OPTION for o in options):
            raise _ApiError(400, "Bad Request: poll options length must not exceed 100")
        poll = {
            "id": f"poll{next(self._message_ids)}",
            "question": params.get("question", ""),
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": params.get("is_anonymous", True),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": bool(params.get("allows_multiple_answers")),
            "allows_revoting": bool(params.get("allows_revoting")),
            "members_only": bool(params.get("members_only")),
        }
        if poll["type"] == "quiz":
            # Bot API 9.6 sends ``correct_option_ids``; older clients ``correct_option_id``
            if params.get("correct_option_ids") is not None:
                poll["correct_option_ids"] = params["correct_option_ids"]
            else:
                poll["correct_option_id"] = params.get("correct_option_id")
        if params.get("open_period"):
            poll["open_period"] = params["open_period"]
        for i, option in enumerate(options):
            option["persistent_id"] = str(i)
        if poll["type"] == "quiz":
            if params.get("explanation"):
                poll["explanation"] = params["explanation"]
        return self._new_message(params, poll=poll)

    def _api_getChatMember(self, params: dict) -> dict:
        chat_id, user_id = params.get("chat_id"), params.get("user_id")
        status = self.members.get((chat_id, user_id), "member")  # type: ignore[arg-type]
        member: dict[str, Any] = {"status": status, "user": self.user(int(user_id or 0))}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            rights = [
                "can_be_edited",
                "is_anonymous",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            member.update({r: r not in ("can_be_edited", "is_anonymous") for r in rights})
        return member

    def _api_stopPoll(self, params: dict) -> dict:
        message = self._stored(params)
        poll = dict(message.get("poll") or {})
        poll["is_closed"] = True
        message["poll"] = poll
        return poll


class _ApiError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


def _decode(values: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in STRING_PARAMS or not isinstance(value, str):
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(body)
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        values: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename:
                values[name] = {"filename": filename, "data": payload}
            else:
                values[name] = payload.decode("utf-8")
        return _decode(values)
    parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    return _decode({k: v[-1] for k, v in parsed.items()})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeTelegram

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        with self.server_fake._cond:
            self.server_fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_fake._cond:
            self.server_fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _reply(self, status: int, body: dict | bytes) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header(
            "Content-Type",
            "application/json" if isinstance(body, dict) else "application/octet-stream",
        )
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _serve(self) -> None:
        fake = self.server_fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        # python-telegram-bot percent-encodes file URLs (the token's ":" becomes %3A)
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", unquote(path))
        if file_match:
            if file_match.group(1) != fake.token:
                self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            file_id = file_match.group(2).removeprefix("files/")
            data = fake.files.get(file_id)
            # recorded as the pseudo-method "file", so tests can see the download happen
            status = 200 if data is not None else 404
            fake._record("file", {"file_path": file_match.group(2)}, status, None)
            if data is None:
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            else:
                self._reply(200, data)
            return
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if not match:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = match.groups()
        if token != fake.token:
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        params = _parse_body(self.headers.get("Content-Type", ""), body)
        query = parse_qs(urlsplit(self.path).query)
        if query:
            params = {**_decode({k: v[-1] for k, v in query.items()}), **params}
        if not fake._wait_if_held(method) or self._client_gone():
            self.close_connection = True  # never carried out: it did not reach "Telegram"
            return
        status, answer = fake.handle(method, params)
        fake._record(method, params, status, answer.get("result"))
        self._reply(status, answer)

    def _client_gone(self) -> bool:
        """Whether the client closed the connection (a killed bot): it waits for an answer
        on it, so the only thing there is to read is the end of the stream."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        fake = self.server_fake
        with fake._cond:
            fake._busy += 1
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError):  # the bot gave up waiting: fine
            pass
        finally:
            with fake._cond:
                fake._busy -= 1
                fake._cond.notify_all()

    do_GET = do_POST  # noqa: N815
