"""Warm latency of ``AnsweringService.ask`` (model and index loaded once), and its parts.

    .venv/bin/python scripts/bench_ask.py [--questions FILE] [--rounds 5]

Prints median and p95 in milliseconds for query embedding (cache bypassed), the whole hybrid
search, and end-to-end ``ask`` with a cold query cache and with a warm one, plus the machine
and the corpus size. Compare variants within one run: absolute times on shared machines vary.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from retrieval.config import Settings
from retrieval.service.answering import AnsweringService
from retrieval.service.evaluation import load_questions

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "questions.jsonl"


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   n={len(ordered)}"


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions)]
    assistant = AnsweringService(Settings())
    encoder = assistant.encoder
    for q in questions[:3]:
        assistant.ask(q)  # warm up threads and caches of torch and SQLite
    embed, search, ask_cold, ask_warm = [], [], [], []
    for _ in range(args.rounds):
        for q in questions:
            embed.append(timed(encoder.model.encode, [q]))
            encoder._cache.clear()
            ask_cold.append(timed(assistant.ask, q))
            ask_warm.append(timed(assistant.ask, q))
            search.append(timed(assistant.searcher.search, q))
    m = assistant.searcher.version.manifest
    print(f"machine: {platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()}")
    print(f"corpus: {m.document_count} documents, {m.passage_count} passages ({m.index_type})")
    print(f"query embedding       {summary(embed)}")
    print(f"search (cached query) {summary(search)}")
    print(f"ask, new question     {summary(ask_cold)}")
    print(f"ask, repeated         {summary(ask_warm)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
