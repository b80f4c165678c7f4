"""Calibrate the abstention threshold from answerable and off-topic questions.

Prints the confidence of every question with abstention switched off, then the threshold
with the widest margin between the weakest answerable question and the strongest off-topic
one. Put the result in ``CCHC_ABSTAIN_THRESHOLD`` or the default in ``retrieval/settings.py``.

    .venv/bin/python scripts/calibrate_abstention.py ../shared/eval/questions.jsonl \
        tests/data/ontopic.jsonl tests/data/offtopic.jsonl
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from retrieval.config import Settings
from retrieval.service.answering import AnsweringService
from retrieval.service.evaluation import load_questions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    settings = Settings(abstain_threshold=0.0)
    assistant = AnsweringService(settings)
    answerable: list[tuple[float, str]] = []
    offtopic: list[tuple[float, str]] = []
    for path in args.files:
        for q in load_questions(path):
            confidence = assistant.searcher.search(q.question).confidence
            (offtopic if q.abstain else answerable).append((confidence, q.question))
    answerable.sort()
    offtopic.sort(reverse=True)
    print("Yếu nhất trong các câu trả lời được:")
    for c, q in answerable[:5]:
        print(f"  {c:.3f}  {q}")
    print("Mạnh nhất trong các câu ngoài phạm vi:")
    for c, q in offtopic[:5]:
        print(f"  {c:.3f}  {q}")
    low, high = answerable[0][0], offtopic[0][0]
    if low <= high:
        print(f"Không tách được: {low:.3f} ≤ {high:.3f}", file=sys.stderr)
        return 1
    print(f"Khoảng trống {high:.3f} … {low:.3f}; ngưỡng đề xuất {(low + high) / 2:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
