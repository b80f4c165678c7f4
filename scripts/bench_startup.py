"""Start-up: a one-shot ``cchc ask``, and ``cchc run`` until it has answered a first question.

    .venv/bin/python scripts/bench_startup.py [--runs 5]

- ``cchc ask "…"``: wall time of the whole process (imports, model, index, one answer), and
  its CPU time (user + system), which is what it takes on cores nobody else uses.
- ``cchc run``: the bot started as a user starts it, against the fake Bot API server, with a
  question already waiting in the chat: the time from starting the process to the answer's
  ``sendMessage`` reaching the Bot API ("ready to answer").

Both on the live index of ``CCHC_DATA_DIR`` (the project's ``data/`` by default), with the
configured backend. Medians and maxima of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.testing.fake_api import FakeTelegram  # noqa: E402

CCHC = ROOT / ".venv" / "bin" / "cchc"
QUESTION = "Mục tiêu cải cách hành chính giai đoạn 2021-2030 là gì?"


def one_shot() -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(CCHC), "ask", QUESTION], check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bot_ready(home: Path) -> float:
    fake = FakeTelegram().start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.url,
            CCHC_BOT_DB=str(home / "bot.sqlite"),
        )
        fake.send_text(QUESTION, user_id=4242)  # waiting when the bot first asks for updates
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [str(CCHC), "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            calls = fake.wait_for_sync("sendMessage", chat_id=4242, timeout=120)
            return calls[0].at - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        fake.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    one_shot()  # the files in the page cache, as on a server that has run before
    asks = [one_shot() for _ in range(args.runs)]
    with tempfile.TemporaryDirectory() as tmp:
        bots = [bot_ready(Path(tmp)) for _ in range(args.runs)]
    walls, cpus = [a[0] for a in asks], [a[1] for a in asks]
    print(
        f"| what | median | max |\n|---|---:|---:|\n"
        f"| `cchc ask` one-shot, wall | {statistics.median(walls):.2f} s | {max(walls):.2f} s |\n"
        f"| `cchc ask` one-shot, CPU (user + system) | {statistics.median(cpus):.2f} s "
        f"| {max(cpus):.2f} s |\n"
        f"| `cchc run` → first answer sent | {statistics.median(bots):.2f} s "
        f"| {max(bots):.2f} s |\n"
        f"\nload average {os.getloadavg()[0]:.1f}, {args.runs} runs each"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
