"""The service's log: plain lines (the default) or JSON lines (``CCHC_LOG_FORMAT=json``), with
the id of the update being handled.

The id lives in a context variable set by the first handler of every update
(``bot.gate.note_update``), and every log record is stamped with it when it is created
(:func:`install`, called when the application is built). python-telegram-bot handles each
update in a task of its own, and a task copies the context, so updates handled at the same
time never see each other's id; work sent to the question threads carries it along
(``CustomContext.in_worker``).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

#: The update being handled ("-" outside any update: start-up, jobs).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("cchc_request_id", default="-")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


_installed = False


def install() -> None:
    """Stamp every log record with the request id when it is created (in the handler's own
    context, whatever handler formats it later). Idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id.get()
        return record

    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (and the exception,
    when there is one, as one string)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        return json.dumps(out, ensure_ascii=False)


def configure(log_format: str) -> None:
    """Give every handler of the root logger the format asked for (one is added when there is
    none)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in root.handlers:
        handler.setFormatter(formatter)
