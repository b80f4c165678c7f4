"""Soak test of delivery: a real ``cchc run`` answers many questions through the fake Bot API
while faults are injected at random; then every question's answers are counted.

    .venv/bin/python scripts/soak_delivery.py --questions 1000 --kills 3 [--seed 1] [--json]

Faults (each one counted): bursts of 5xx on sendMessage, runs of 429 with ``retry_after``,
sends slower than the bot's timeout (carried out by "Telegram" all the same), outages (the
server goes away and comes back on the same port), failing getUpdates, and SIGKILLs of the
bot followed by a restart. Questions keep coming meanwhile, also while the server is away.

It reports the faults injected, the answers delivered, the duplicates (answers beyond the first
to one question), the losses (questions without an answer once the bot has settled) and the
apologies sent. A SIGKILL between a send reaching Telegram and the bot writing it down can
duplicate that one answer: Telegram offers no way to tell, so that is counted, not hidden.

The bot runs on a copy of the live index of ``CCHC_DATA_DIR`` (the project's ``data/`` by
default) in a temporary folder; the project's own data is not touched.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import texts  # noqa: E402
from bot.testing.fake_api import FakeTelegram  # noqa: E402
from bot.testing.harness import BENCH_QUESTIONS  # noqa: E402
from retrieval.config import Settings  # noqa: E402

#: The bot's settings for the soak: short timeouts, so that faults resolve in seconds.
BOT_ENV = {
    "CCHC_THROTTLE_PER_MINUTE": "0",
    "CCHC_SEND_TIMEOUT": "2",
    "CCHC_SEND_RETRY_SECONDS": "20",
    "CCHC_REDELIVER_SECONDS": "2",
    "CCHC_TYPING_DELAY": "5",
    "CCHC_LOG_FORMAT": "json",
}


def questions() -> list[str]:
    """On- and off-topic questions of the test data, and the benchmark's."""
    out = list(BENCH_QUESTIONS)
    for name in ("ontopic.jsonl", "offtopic.jsonl"):
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_data(source: Settings, target: Path) -> Path:
    """A data dir serving a copy of ``source``'s live index, sharing its models."""
    from retrieval.index.versions import CURRENT, current_version_dir

    live = current_version_dir(source.index_root)
    if live is None:
        raise SystemExit("Chưa có chỉ mục: hãy chạy `make test` hoặc `cchc setup` trước.")
    (target / "index").mkdir(parents=True)
    shutil.copytree(live, target / "index" / live.name)
    (target / "index" / CURRENT).write_text(live.name, encoding="utf-8")
    (target / "models").symlink_to(source.models_dir.resolve(), target_is_directory=True)
    return target


class Bot:
    """``cchc run`` in a child process, started again after each kill."""

    def __init__(self, home: Path, data: Path, knowledge: Path, fake: FakeTelegram) -> None:
        cchc = ROOT / ".venv" / "bin" / "cchc"
        self.command = (
            [str(cchc)] if cchc.exists() else [sys.executable, "-m", "retrieval.cli.main"]
        )
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "TELEGRAM_"))}
        self.env.update(
            BOT_ENV,
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.url,
            CCHC_DATA_DIR=str(data),
            CCHC_KNOWLEDGE_DIR=str(knowledge),
            CCHC_BOT_DB=str(home / "bot.sqlite"),
            CCHC_HOME=str(home),
            PYTHONPATH=str(ROOT),
        )
        self.home = home
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.home / f"bot-{self.starts}.log", "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*self.command, "run"], cwd=self.home, env=self.env, stdout=log, stderr=log
        )

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def inbox_states(db: Path) -> collections.Counter:
    if not db.exists():
        return collections.Counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return collections.Counter(state for (state,) in conn.execute("SELECT state FROM inbox"))
    except sqlite3.OperationalError:
        return collections.Counter()
    finally:
        conn.close()


class Faults:
    """Injects one random fault every few seconds, in a thread, until told to stop."""

    KINDS = ("server_error", "rate_limit", "slow_send", "outage", "polling_error", "kill")

    def __init__(self, fake: FakeTelegram, port: int, bot: Bot, rng: random.Random, kills: int):
        self.fake, self.port, self.bot, self.rng = fake, port, bot, rng
        self.kills_left = kills
        #: When each SIGKILL was sent (the fake's clock, ``time.monotonic``).
        self.killed_at: list[float] = []
        self.counts: collections.Counter = collections.Counter()
        self.detail: collections.Counter = collections.Counter()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stopping.wait(self.rng.uniform(2.0, 6.0)):
            kinds = [k for k in self.KINDS if k != "kill" or self.kills_left > 0]
            getattr(self, self.rng.choice(kinds))()

    def server_error(self) -> None:
        times = self.rng.randint(1, 6)
        for _ in range(times):
            self.fake.fail("sendMessage", self.rng.choice([500, 502, 503, 504]))
        self.counts["server_error"] += 1
        self.detail["5xx replies queued"] += times

    def rate_limit(self) -> None:
        times = self.rng.randint(1, 5)
        self.fake.fail("sendMessage", 429, retry_after=1, times=times)
        self.counts["rate_limit"] += 1
        self.detail["429 replies queued"] += times

    def slow_send(self) -> None:
        self.fake.delay("sendMessage", 2.5)  # past the bot's 2 s timeout
        self.stopping.wait(self.rng.uniform(1.0, 3.0))
        self.fake.delay("sendMessage", 0)
        self.counts["slow_send"] += 1

    def outage(self) -> None:
        self.fake.stop()
        self.stopping.wait(self.rng.uniform(1.0, 6.0))
        self.fake.start(port=self.port)
        self.counts["outage"] += 1

    def polling_error(self) -> None:
        self.fake.fail("getUpdates", self.rng.choice([500, 502]), times=self.rng.randint(1, 3))
        self.counts["polling_error"] += 1

    def kill(self) -> None:
        self.kills_left -= 1
        self.killed_at.append(time.monotonic())
        self.bot.kill()
        self.counts["kill"] += 1
        self.bot.start()


#: A duplicate whose first send came this soon before a SIGKILL is the kill's window.
KILL_WINDOW = 2.0


def soak(count: int, kills: int, seed: int, rate: float, keep: Path | None = None) -> dict:
    rng = random.Random(seed)
    pool = questions()
    port = free_port()
    fake = FakeTelegram().start(port)
    core = Settings()
    with tempfile.TemporaryDirectory(prefix="cchc-soak-") as tmp:
        home = Path(tmp)
        data = copy_data(core, home / "data")
        bot = Bot(home, data, core.knowledge_dir, fake)
        bot.start()
        fake.wait_for_sync("getUpdates", timeout=300)
        faults = Faults(fake, port, bot, rng, kills)
        started = time.monotonic()
        faults.thread.start()
        asked = []
        for n in range(count):
            asked.append(fake.send_text(pool[n % len(pool)], user_id=100_000 + n % 250))
            time.sleep(rng.expovariate(rate))
        faults.stopping.set()
        faults.thread.join()
        fake.clear_failures()
        fake.delay("sendMessage", 0)
        sending_done = time.monotonic()

        def first_sends() -> dict[int, float]:
            """When each question's answer was first sent."""
            first: dict[tuple[int, int], float] = {}
            for c in fake.calls_of("sendMessage"):
                key = (
                    c.params["chat_id"],
                    (c.params.get("reply_parameters") or {}).get("message_id"),
                )
                first.setdefault(key, c.at)
            return {
                m["message_id"]: first.get((m["chat"]["id"], m["message_id"]), 0.0) for m in asked
            }

        def replies() -> collections.Counter:
            numbers = collections.Counter(
                (c.params["chat_id"], (c.params.get("reply_parameters") or {}).get("message_id"))
                for c in fake.calls_of("sendMessage")
            )
            return collections.Counter(
                {m["message_id"]: numbers[(m["chat"]["id"], m["message_id"])] for m in asked}
            )

        deadline = time.monotonic() + 600
        db = home / "bot.sqlite"
        while time.monotonic() < deadline:
            states = inbox_states(db)
            # all answered, or every question recorded and settled (a lost one stays lost)
            unsettled = states["received"] or states["handling"]
            recorded = sum(states.values()) >= count
            if not unsettled and (recorded or all(replies().values())):
                break
            time.sleep(0.5)
        settled = time.monotonic()
        answered = replies()
        states = inbox_states(db)
        exit_code = bot.stop()
        fake.stop()
        if keep is not None:
            keep_evidence(keep, home, fake, asked, answered)
        sent = [c.params["text"] for c in fake.calls_of("sendMessage")]
        # A SIGKILL between a send reaching Telegram and its outbox record makes the restarted
        # bot answer again: at-least-once in that window, which no client can close (Telegram
        # cannot be asked whether a message arrived). Such duplicates are counted apart.
        sent_at = first_sends()
        after_kill = sum(
            v - 1
            for m, v in answered.items()
            if v > 1 and any(0 <= k - sent_at[m] <= KILL_WINDOW for k in faults.killed_at)
        )
        duplicates = sum(v - 1 for v in answered.values() if v > 1)
        return {
            "questions": count,
            "seed": seed,
            "faults": dict(faults.counts),
            "fault_detail": dict(faults.detail),
            "faults_total": sum(faults.counts.values()),
            "answers_delivered": sum(1 for v in answered.values() if v >= 1),
            "duplicates": duplicates,
            "duplicates_after_kill": after_kill,
            "duplicates_unexplained": duplicates - after_kill,
            "losses": sum(1 for v in answered.values() if v == 0),
            "apologies": sum(texts.ERROR in t for t in sent),
            "send_calls_failed": len(fake.calls_of("sendMessage", ok_only=False)) - len(sent),
            "updates_given_up": states["failed"],
            # sends Telegram did not answer in time: not repeated, so possibly not delivered
            "updates_uncertain": states["uncertain"],
            "inbox": dict(states),
            "bot_starts": bot.starts,
            "bot_exit_code": exit_code,
            "seconds_sending": round(sending_done - started, 1),
            "seconds_to_settle": round(settled - sending_done, 1),
        }


def keep_evidence(
    folder: Path, home: Path, fake: FakeTelegram, asked: list[dict], answered: dict
) -> None:
    """What a failed soak needs looking into: the bot's database and logs, every call the bot
    made (time, method, status, chat, message replied to) and the questions not answered once."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in home.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    with open(folder / "calls.jsonl", "w", encoding="utf-8") as out:
        for c in list(fake.calls):
            reply = (c.params.get("reply_parameters") or {}).get("message_id")
            row = {"at": c.at, "method": c.method, "status": c.status, "reply_to": reply}
            row["chat_id"] = c.params.get("chat_id")
            out.write(json.dumps(row) + "\n")
    odd = [
        {"message_id": m["message_id"], "chat_id": m["chat"]["id"], "date": m["date"]}
        | {"answers": answered[m["message_id"]]}
        for m in asked
        if answered[m["message_id"]] != 1
    ]
    (folder / "not_once.json").write_text(json.dumps(odd, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Soak test: câu hỏi dưới lỗi ngẫu nhiên")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=3, help="số lần SIGKILL bot")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=8.0, help="câu hỏi mỗi giây (trung bình)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="thư mục giữ lại cơ sở dữ liệu, nhật ký của bot")
    args = parser.parse_args(argv)
    result = soak(args.questions, args.kills, args.seed, args.rate, args.keep)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    ok = result["losses"] == 0 and result["apologies"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
