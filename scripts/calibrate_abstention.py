"""Calibrate when to refuse, on questions of our own: answerable ones, near-domain questions
whose facts the knowledge base lacks, and off-topic ones.

For every question it prints the evidence (word coverage, passage and sentence similarity,
the facts named but missing), the confidence and the decision; then, for the threshold of
``CCHC_ABSTAIN_THRESHOLD``, the questions on the wrong side, and the widest margin between the
weakest answerable question and the strongest one that must be refused (missing facts are
refused whatever the confidence). Calibrate on the development files only, and report on
the held-out ones with ``cchc eval``:

    .venv/bin/python scripts/calibrate_abstention.py ../shared/eval/questions.jsonl \\
        tests/data/ontopic.jsonl tests/data/offtopic.jsonl tests/data/questions_dev.jsonl \\
        tests/data/neardomain_dev.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path

from retrieval.config import Settings
from retrieval.service.answering import AnsweringService
from retrieval.service.evaluation import load_questions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="in từng câu")
    args = parser.parse_args(argv)
    settings = Settings()
    answering = AnsweringService(settings)
    threshold = settings.abstain_threshold
    answerable: list[tuple[float, str]] = []
    refused: list[tuple[float, str]] = []
    wrong: list[str] = []
    for path in args.files:
        for q in load_questions(path):
            result = answering.searcher.search(q.question)
            ev = result.evidence
            missing = ",".join(f"{m.what}:{m.value}" for m in ev.missing)
            refuses = ev.confidence < threshold or bool(ev.missing)
            line = (
                f"{q.id:>4} {'N' if q.abstain else 'A'} conf {ev.confidence:.3f} cov "
                f"{ev.coverage:.2f} dense {ev.dense:.3f} sent {ev.sentence:.3f} "
                f"{missing or '-':<14} {q.question}"
            )
            if args.verbose:
                print(line)
            if refuses != q.abstain:
                wrong.append(line)
            if q.abstain and not ev.missing:
                refused.append((ev.confidence, q.question))
            elif not q.abstain:
                answerable.append((ev.confidence, q.question))
    print(f"Ngưỡng {threshold:.3f}: {len(wrong)} câu sai phía")
    for line in wrong:
        print(f"  {line}")
    answerable.sort()
    refused.sort(reverse=True)
    if answerable and refused:
        low, high = answerable[0][0], refused[0][0]
        print(f"Yếu nhất trả lời được: {low:.3f} ({answerable[0][1]})")
        print(f"Mạnh nhất phải từ chối (không thiếu dữ kiện): {high:.3f} ({refused[0][1]})")
        if low > high:
            print(f"Khoảng trống {high:.3f} … {low:.3f}; ngưỡng đề xuất {(low + high) / 2:.3f}")
    return 0 if not wrong else 1


if __name__ == "__main__":
    raise SystemExit(main())
