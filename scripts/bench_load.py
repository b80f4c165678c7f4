"""A load test that looks like officials: the real bot against the in-process fake Bot API.

    .venv/bin/python scripts/bench_load.py --users 20 100 500 --seconds 180

Each simulated user asks a question in a private chat, waits for the answer, reads it for a
random time (exponential, mean ``--think`` = 20 s) and asks again; users start at random
moments of the first think time, so they do not ask in step. For each number of users the
script reports, over the answers of the measured window (after ``--warmup`` seconds), p50 /
p95 / max from the update being queued to the answer's ``sendMessage`` reaching the Bot API,
the answers per second, and the share of that time spent waiting on Telegram's own send
limits: the time ``AIORateLimiter`` (30 messages/s overall, 20/min per group) held the
answer's ``sendMessage`` back before sending it, measured around its callback.

``--compress C`` divides reading times by C to shorten a run: N users then load the bot like
N × C users reading in real time (the arrival rate is what matters), which the report states
as "equivalent users". The figures of docs/PERFORMANCE.md are without compression.

The questions are the shared evaluation questions and those of ``tests/data/`` (on-topic and
off-topic), drawn at random, so the embedding cache is hit only by real repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_application  # noqa: E402
from bot.runner import start, stop  # noqa: E402
from bot.testing.fake_api import FakeTelegram  # noqa: E402
from bot.testing.harness import bot_settings, percentile  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.service.answering import AnsweringService  # noqa: E402


def questions() -> list[str]:
    """The questions of the shared and ``tests/data/`` evaluation sets (the quiz's distractor
    pairs in ``tests/data/`` have none)."""
    files = [ROOT.parent / "shared" / "eval" / "questions.jsonl"]
    files += sorted((ROOT / "tests" / "data").glob("*.jsonl"))
    out = []
    for path in files:
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and "question" in (row := json.loads(line)):
                    out.append(row["question"])
    return list(dict.fromkeys(out))


class AnswerWatch(FakeTelegram):
    """The fake Bot API, telling the waiting user when the answer to their message arrives
    (instead of every user scanning every call)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiting: dict[tuple[int, int], asyncio.Future[float]] = {}
        self._lock = threading.Lock()

    def expect(self, chat_id: int, message_id: int) -> asyncio.Future[float]:
        assert self.loop is not None
        future: asyncio.Future[float] = self.loop.create_future()
        with self._lock:
            self.waiting[(chat_id, message_id)] = future
        return future

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        result = super().handle(method, params)
        if method == "sendMessage" and result[0] == 200:
            at = time.monotonic()
            reply = (params.get("reply_parameters") or {}).get("message_id")
            with self._lock:
                future = self.waiting.pop((int(params.get("chat_id", 0)), reply), None)
            if future is not None and self.loop is not None:
                self.loop.call_soon_threadsafe(
                    lambda: future.done() or future.set_result(at)  # noqa: B023
                )
        return result


class LimiterClock:
    """The bot's rate limiter, timing how long each ``sendMessage`` waits in it, by chat
    (``AIORateLimiter`` has slots: it is wrapped, not patched)."""

    def __init__(self, limiter: Any) -> None:
        self.waits: dict[int, float] = {}
        self._limiter = limiter

    def __getattr__(self, name: str) -> Any:
        return getattr(self._limiter, name)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        t0 = time.monotonic()
        inner = 0.0

        async def measured(*a, **k):
            nonlocal inner
            t1 = time.monotonic()
            try:
                return await callback(*a, **k)
            finally:
                inner += time.monotonic() - t1

        try:
            return await self._limiter.process_request(
                measured, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            if endpoint == "sendMessage":
                chat = int((data or {}).get("chat_id", 0))
                self.waits[chat] = time.monotonic() - t0 - inner


async def level(
    fake: AnswerWatch,
    clock: LimiterClock,
    users: int,
    args: argparse.Namespace,
    pool: list[str],
    first_id: int,
) -> dict:
    rng = random.Random(users)
    think = args.think / args.compress
    t_start = time.monotonic()
    measure_from = t_start + args.warmup
    stop_at = measure_from + args.seconds
    rows: list[tuple[float, float]] = []  # (latency s, limiter wait s)

    async def official(uid: int) -> None:
        await asyncio.sleep(rng.expovariate(1 / think))
        while time.monotonic() < stop_at:
            msg = fake.send_text(rng.choice(pool), user_id=uid)
            future = fake.expect(uid, msg["message_id"])
            queued = time.monotonic()
            try:
                answered = await asyncio.wait_for(future, timeout=120)
            except TimeoutError:
                rows.append((float("inf"), 0.0))
                continue
            if queued >= measure_from:
                rows.append((answered - queued, clock.waits.get(uid, 0.0)))
            await asyncio.sleep(rng.expovariate(1 / think))

    await asyncio.gather(*(official(first_id + i) for i in range(users)))
    latencies = [r[0] * 1000 for r in rows]
    answered = [r for r in rows if r[0] != float("inf")]  # not answered within 120 s: apart
    waited = sum(r[1] for r in answered)
    return {
        "users": users,
        "equivalent_users": users * args.compress,
        "answers": len(rows),
        "answers_per_s": round(len(rows) / args.seconds, 2),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies, default=float("nan")), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "timeouts": len(rows) - len(answered),
        "send_limit_share": round(waited / max(sum(r[0] for r in answered), 1e-9), 4),
        "send_limit_wait_p95_ms": round(percentile([r[1] * 1000 for r in rows], 0.95), 1),
    }


async def run(args: argparse.Namespace) -> list[dict]:
    core = Settings()
    assistant = AnsweringService(core)
    pool = questions()
    fake = AnswerWatch().start()
    fake.loop = asyncio.get_running_loop()
    out = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = bot_settings(core, fake, Path(tmp) / "bot.sqlite", throttle_per_minute=0)
            app = build_application(settings, assistant)
            clock = LimiterClock(app.bot.rate_limiter)
            app.bot._rate_limiter = clock
            await start(app, settings)
            try:
                for q in pool[:5]:  # warm up
                    msg = fake.send_text(q, user_id=1)
                    await asyncio.wait_for(fake.expect(1, msg["message_id"]), timeout=60)
                first = 100_000
                for n in args.users:
                    row = await level(fake, clock, n, args, pool, first)
                    first += n
                    print(json.dumps(row), flush=True)
                    out.append(row)
            finally:
                await stop(app)
    finally:
        fake.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kiểm thử tải: cán bộ hỏi, đọc, hỏi tiếp")
    parser.add_argument("--users", type=int, nargs="+", default=[20, 100, 500])
    parser.add_argument("--seconds", type=float, default=180, help="measured window per level")
    parser.add_argument("--warmup", type=float, default=20, help="unmeasured start per level")
    parser.add_argument("--think", type=float, default=20, help="mean reading time, s")
    parser.add_argument("--compress", type=float, default=1, help="divide reading times by C")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "bench" / "load")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows = asyncio.run(run(args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(
        json.dumps({"args": vars(args) | {"out": str(args.out)}, "levels": rows}, indent=2),
        encoding="utf-8",
    )
    print(f"[load] {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
