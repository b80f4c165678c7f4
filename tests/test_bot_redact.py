"""Secrets never reach a log record or a start-up message."""

from __future__ import annotations

import logging

from bot import redact

TOKEN = "555000:AAsecret-redaction-test_token"


def test_token_is_masked_in_messages_args_and_tracebacks(caplog) -> None:
    redact.install(TOKEN)
    log = logging.getLogger("bot.test_redact")
    caplog.set_level(logging.DEBUG)
    log.info("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    log.warning(f"plain {TOKEN}")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.exception("start-up failed")
    logging.getLogger("httpx").warning("HTTP Request: POST https://x/bot%s/sendMessage", TOKEN)
    assert "AAsecret" not in caplog.text
    assert caplog.text.count(redact.MASK) >= 4
    assert redact.redact(f"x{TOKEN}y") == f"x{redact.MASK}y"


def test_httpx_request_logging_is_turned_down() -> None:
    redact.install(TOKEN)
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
