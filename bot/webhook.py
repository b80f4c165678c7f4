"""Receiving updates by webhook: a small tornado server on the bot's event loop, as
python-telegram-bot's documentation does it for a custom webhook (``Application.builder()
.updater(None)`` and ``application.update_queue.put(Update.de_json(...))``).

Its own webhook server answers HTTP 500 to a body that is not UTF-8 JSON, which Telegram, or
whoever sends it, would retry forever; this one says what is wrong (issue 15):

- 403 without the secret token (compared in constant time) or without a JSON content type;
- 400 for a body that is not UTF-8, not JSON, not an object with an integer ``update_id``, or
  not an update python-telegram-bot can read;
- 200 once the update is recorded and queued (``bot.delivery.queue``), or recognised as a
  replay: either way Telegram need not send it again.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from telegram import Bot, Update

from bot import texts
from bot.delivery.queue import RecordingQueue

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body, or None when the body is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    except Exception:  # a malformed object inside the update
        return None


class WebhookServer:
    """Listens on ``listen:port`` for POSTs to ``/path``; start and stop on the event loop."""

    def __init__(
        self, listen: str, port: int, path: str, secret: str, bot: Bot, queue: RecordingQueue
    ) -> None:
        self.listen, self.port, self.path = listen, port, path.strip("/")
        self.secret = secret
        self.bot = bot
        self.queue = queue
        self._server: Any = None

    async def start(self) -> None:
        from tornado.httpserver import HTTPServer
        from tornado.web import Application, RequestHandler

        server = self

        class Receive(RequestHandler):
            SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

            async def post(self) -> None:
                status = await server.receive(
                    self.request.headers.get(SECRET_HEADER, ""),
                    self.request.headers.get("Content-Type", ""),
                    self.request.body,
                )
                self.set_status(status)
                self.finish()

        def quiet(handler: RequestHandler) -> None:
            if handler.get_status() >= 400:
                log.warning(texts.WEBHOOK_REFUSED.format(status=handler.get_status()))

        app = Application([(rf"/{self.path}/?", Receive)], log_function=quiet)
        self._server = HTTPServer(app)
        self._server.listen(self.port, address=self.listen)

    async def receive(self, secret: str, content_type: str, body: bytes) -> int:
        """The HTTP status for one request (the update is queued when it is 200)."""
        if not hmac.compare_digest(secret.encode(), self.secret.encode()):
            return 403
        if content_type.split(";")[0].strip().lower() != "application/json":
            return 403
        update = parse_update(body, self.bot)
        if update is None:
            return 400
        await self.queue.put(update)
        return 200

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
