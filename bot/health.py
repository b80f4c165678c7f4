"""``/healthz`` and ``/metrics`` on 127.0.0.1:``CCHC_HEALTH_PORT`` while ``cchc run`` serves.

The server runs on the bot's own event loop (tornado, which python-telegram-bot's webhook mode
uses too): if the loop is stuck, the health check times out, which is the truth. Both pages
are cheap, for a poll every 30 s: ``/healthz`` reads one small manifest, ``/metrics`` formats
counters held in memory.

``/healthz`` answers 200 when the bot is ``ok`` and 503 otherwise, always with a JSON object:

- ``status``: ``starting`` (not connected to Telegram yet), ``ok``, ``degraded`` (long polling
  and no successful call to Telegram for ``STALE_AFTER`` seconds), ``stopping``;
- ``uptime_s``, ``started_at``;
- ``model``, ``model_backend``, ``model_loaded``;
- ``index_version``, ``index_built_at``, ``index_age_s``, ``passages``, ``documents``;
- ``last_update_at`` and ``last_update_age_s`` (the last update received from Telegram);
- ``telegram``: ``mode``, ``connected_at``, ``last_ok_at``, ``last_error``, ``last_error_at``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.metrics import Metrics
from retrieval.service.answering import AnsweringService
from retrieval.service.status import serving_status

log = logging.getLogger(__name__)

#: Long polling calls getUpdates at least every 10 s; this long without one going through
#: means Telegram cannot be reached.
STALE_AFTER = 90.0


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def _age(now: float, ts: float | None) -> float | None:
    return None if ts is None else round(now - ts, 1)


@dataclass
class Health:
    """The bot's contact with Telegram, updated on the event loop (no lock needed)."""

    mode: str = "polling"
    clock: Callable[[], float] = time.time
    started_at: float = field(default_factory=time.time)
    #: When the first call to Telegram went through.
    connected_at: float | None = None
    last_ok_at: float | None = None
    last_update_at: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    #: When updates started to flow (the first getUpdates answered; for a webhook, once set).
    receiving_since: float | None = None
    stopping: bool = False
    #: Called once, when updates start to flow ("Bot đang chạy" is logged then).
    on_receiving: Callable[[], None] | None = None
    #: Called when Telegram answers again after failures (a line in the log).
    on_recovered: Callable[[], None] | None = None

    def telegram_ok(self, method: str) -> None:
        now = self.clock()
        self.connected_at = self.connected_at or now
        recovered = (
            self.receiving_since is not None
            and self.last_error_at is not None
            and (self.last_ok_at or 0) < self.last_error_at
        )
        self.last_ok_at = now
        if method == "getUpdates" or (method == "setWebhook" and self.mode == "webhook"):
            self.receiving()
        if recovered and self.on_recovered:
            self.on_recovered()

    def telegram_failed(self, error: str) -> None:
        self.last_error = error
        self.last_error_at = self.clock()

    def receiving(self) -> None:
        if self.receiving_since is None:
            self.receiving_since = self.clock()
            if self.on_receiving:
                self.on_receiving()

    def update_received(self) -> None:
        self.last_update_at = self.clock()

    def status(self) -> str:
        if self.stopping:
            return "stopping"
        if self.connected_at is None or self.receiving_since is None:
            return "starting"
        now = self.clock()
        if self.mode == "polling" and now - (self.last_ok_at or 0) > STALE_AFTER:
            return "degraded"
        return "ok"


def healthz(health: Health, answering: AnsweringService) -> tuple[int, dict[str, Any]]:
    """The HTTP status and the JSON object of ``/healthz``."""
    now = health.clock()
    status = health.status()
    body: dict[str, Any] = {
        "status": status,
        "uptime_s": round(now - health.started_at, 1),
        "started_at": _iso(health.started_at),
    }
    try:
        serving = serving_status(answering)
    except Exception as exc:  # the index being swapped, a model gone: say so, do not crash
        log.warning("Không đọc được tình trạng chỉ mục: %s", exc)
        body.update(model_loaded=False, index_version=None)
    else:
        age = serving.index_age_seconds(dt.datetime.fromtimestamp(now, dt.UTC))
        body.update(
            model=serving.model,
            model_backend=serving.backend,
            model_loaded=True,
            index_version=serving.index_version,
            index_built_at=(
                serving.index_built_at.isoformat(timespec="seconds")
                if serving.index_built_at
                else None
            ),
            index_age_s=None if age is None else round(age, 1),
            passages=serving.passages,
            documents=serving.documents,
        )
    body.update(
        last_update_at=_iso(health.last_update_at),
        last_update_age_s=_age(now, health.last_update_at),
        telegram={
            "mode": health.mode,
            "connected_at": _iso(health.connected_at),
            "last_ok_at": _iso(health.last_ok_at),
            "last_error": health.last_error,
            "last_error_at": _iso(health.last_error_at),
        },
    )
    return (200 if status == "ok" else 503), body


class StateCollector(Collector):
    """Gauges computed at scrape time from :class:`Health` and the served index."""

    def __init__(self, health: Health, answering: AnsweringService) -> None:
        self.health = health
        self.answering = answering

    def collect(self) -> Iterator[GaugeMetricFamily]:
        health = self.health
        now = health.clock()
        up = GaugeMetricFamily("cchc_up", "1 when the bot receives updates from Telegram")
        up.add_metric([], 1.0 if health.status() == "ok" else 0.0)
        yield up
        yield GaugeMetricFamily(
            "cchc_start_time_seconds", "When the bot started (Unix time)", value=health.started_at
        )
        if health.last_update_at is not None:
            yield GaugeMetricFamily(
                "cchc_last_update_timestamp_seconds",
                "When the last update was received (Unix time)",
                value=health.last_update_at,
            )
        try:
            serving = serving_status(self.answering)
        except Exception:
            return
        info = GaugeMetricFamily(
            "cchc_index_info", "The index version served", labels=["version", "model"]
        )
        info.add_metric([serving.index_version, serving.model], 1.0)
        yield info
        age = serving.index_age_seconds(dt.datetime.fromtimestamp(now, dt.UTC))
        if age is not None:
            yield GaugeMetricFamily(
                "cchc_index_age_seconds", "Age of the index version served", value=age
            )
        if serving.passages is not None:
            yield GaugeMetricFamily(
                "cchc_index_passages", "Passages in the index served", value=serving.passages
            )


class HealthPortError(OSError):
    """The health port cannot be opened (taken by another program, say)."""

    def __init__(self, port: int, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.port = port
        self.cause = cause


class HealthServer:
    """The two pages, served by tornado on the running event loop, on 127.0.0.1 only."""

    def __init__(
        self,
        port: int,
        health: Health,
        answering: AnsweringService,
        metrics: Metrics,
        host: str = "127.0.0.1",
    ) -> None:
        self.port = port
        self.host = host
        self.health = health
        self.answering = answering
        self.metrics = metrics
        self._server: Any = None

    async def start(self) -> None:
        """Listen (an ``OSError`` when the port is taken)."""
        from tornado.httpserver import HTTPServer
        from tornado.web import Application, RequestHandler

        server = self

        class Healthz(RequestHandler):
            def get(self) -> None:
                code, body = healthz(server.health, server.answering)
                self.set_status(code)
                self.set_header("Content-Type", "application/json; charset=utf-8")
                self.set_header("Cache-Control", "no-store")
                self.finish(json.dumps(body, ensure_ascii=False))

        class Prometheus(RequestHandler):
            def get(self) -> None:
                data, content_type = server.metrics.exposition()
                self.set_header("Content-Type", content_type)
                self.finish(data)

        def quiet(handler: RequestHandler) -> None:  # no access log line every 30 s
            if handler.get_status() >= 500 and handler.request.path != "/healthz":
                log.warning(
                    "%s %s: %s", handler.request.method, handler.request.path, handler.get_status()
                )

        app = Application([(r"/healthz", Healthz), (r"/metrics", Prometheus)], log_function=quiet)
        server_ = HTTPServer(app)
        try:
            server_.listen(self.port, address=self.host)
        except OSError as exc:
            raise HealthPortError(self.port, exc) from exc
        self._server = server_

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
