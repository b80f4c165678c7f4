"""Bot latency and throughput against the in-process fake Bot API server.

    .venv/bin/python scripts/bench_bot.py --users 1 20 100 --questions 5

Simulated users send questions at once; the script prints p50/p95 from update queued to
reply sent, and questions per second, for each number of users.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.testing.harness import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
