"""How realistic the synthetic benchmark corpus is: its terms' document frequencies, with and
without the long tail of ``retrieval/bench/tail.py``.

    .venv/bin/python scripts/bench_corpus_tail.py --passages 100000

For the synthetic passages (the knowledge base's own passages left out), counts in how many
passages each lexical term occurs (syllables and syllable pairs, as the lexical index has
them) and prints a Markdown table: distinct terms, the share of them in one passage only and
in at most 10, the passages of the most frequent term, and for the benchmark questions the
median and 90th percentile of the document frequency of each question's rarest term (what a
lexical engine's first posting list costs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.bench import _eval_questions  # noqa: E402
from retrieval.bench.corpus import bench_questions, load_base, synthetic_passages  # noqa: E402
from retrieval.bench.tail import LongTail  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.domain.text import fold, lexical_terms  # noqa: E402
from retrieval.search.lexical import fts_terms  # noqa: E402


def frequencies(base, passages: int) -> Counter:
    df: Counter = Counter()
    for _, _, p, _ in synthetic_passages(base, passages):
        df.update({fold(t) for t in lexical_terms(p.text)})
    return df


def row(name: str, df: Counter, questions: list[str]) -> str:
    counts = list(df.values())
    rarest = []
    for q in questions:
        found = [df.get(fold(t), 0) for _, t in fts_terms(q)]
        found = [f for f in found if f > 0]
        if found:
            rarest.append(min(found))
    rarest.sort()
    p90 = rarest[int(0.9 * (len(rarest) - 1))] if rarest else 0
    return (
        f"| {name} | {len(counts):,} | {sum(c == 1 for c in counts) / len(counts):.1%} "
        f"| {sum(c <= 10 for c in counts) / len(counts):.1%} | {max(counts):,} "
        f"| {statistics.median(rarest) if rarest else 0:,.0f} | {p90:,} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    args = parser.parse_args(argv)
    base = load_base(Settings().knowledge_dir)
    questions = bench_questions(base, _eval_questions(), 100)
    with_tail = frequencies(base, args.passages)
    sentences = LongTail.sentences
    LongTail.sentences = lambda self, rng: []  # the corpus of issue 6
    try:
        without = frequencies(base, args.passages)
    finally:
        LongTail.sentences = sentences
    print(
        f"{args.passages:,} synthetic passages; terms = syllables and syllable pairs, folded\n\n"
        "| corpus | distinct terms | in 1 passage | in ≤ 10 passages | most frequent term "
        "(passages) | rarest question term, median df | p90 df |\n"
        "|---|---:|---:|---:|---:|---:|---:|"
    )
    print(row("without the long tail (issue 6)", without, questions))
    print(row("with the long tail (issue 14)", with_tail, questions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
