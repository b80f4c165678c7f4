"""A/B of lexical search at scale: one OR query against the two-stage search, same index.

    .venv/bin/cchc bench --scales 100k --keep --out data/bench/k100
    CCHC_DATA_DIR=data/bench/k100/scale-100000/data \\
        .venv/bin/python scripts/bench_lexical_stages.py data/bench/k100/questions.json

Prints p50/p95 of each variant (twice, interleaved, to even out machine noise) and how much
their candidate sets overlap.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from retrieval.config import Settings
from retrieval.search.lexical import fts_terms, match_string
from retrieval.search.searcher import Searcher
from retrieval.service.answering import AnsweringService

Candidates = list[tuple[int, float]]


def one_query(searcher: Searcher, question: str, limit: int) -> Candidates:
    """The lexical search before the two stages: every kept term in one OR query."""
    terms = searcher.lexical.selective_terms(fts_terms(question))
    return searcher.version.store.lexical_search(match_string(terms), limit)


def two_stages(searcher: Searcher, question: str, limit: int) -> Candidates:
    return searcher.lexical.search(question, limit)


def timed(fn, searcher: Searcher, questions: list[str]) -> tuple[list[float], list[Candidates]]:
    times, results = [], []
    for q in questions:
        t0 = time.perf_counter()
        results.append(fn(searcher, q, 50))
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times), results


def overlap(a: list[Candidates], b: list[Candidates], top: int) -> float:
    shares = [
        len({p for p, _ in x[:top]} & {p for p, _ in y[:top]}) / max(1, min(top, len(x)))
        for x, y in zip(a, b, strict=True)
    ]
    return statistics.mean(shares)


def main() -> int:
    raw = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    questions = [q if isinstance(q, str) else q["question"] for q in raw][:100]
    searcher = AnsweringService(Settings()).searcher
    for q in questions[:10]:
        searcher.lexical.search(q, 50)  # warm caches of document frequencies
    results: dict[str, list[Candidates]] = {}
    for name, fn in [("one query", one_query), ("two stages", two_stages)] * 2:
        times, results[name] = timed(fn, searcher, questions)
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"{name:<10}  p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")
    for top in (10, 50):
        share = overlap(results["one query"], results["two stages"], top)
        print(f"overlap of the top {top}: {share:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
