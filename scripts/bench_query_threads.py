"""Query embedding latency with the ONNX Runtime thread settings of issue 14.

    .venv/bin/python scripts/bench_query_threads.py [--rounds 3]

Embeds the benchmark questions (``data/bench/questions.json``, written by ``cchc bench``, or
the shared evaluation questions) one at a time with the int8 model, in interleaved rounds:
every core with threads that sleep between operators, that spin without end, that spin only
within a forward pass (the default), and one thread; then the default threads on the passages'
model (feed-forward outputs in fp32), which questions went through before. Prints the median
and p95 in ms and the CPU time per question (the whole process's, spinning threads included).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.config import Settings  # noqa: E402
from retrieval.cores import available_cores  # noqa: E402
from retrieval.embedding.onnx import OnnxModel, _session  # noqa: E402


def questions() -> list[str]:
    bench = ROOT / "data" / "bench" / "questions.json"
    if bench.exists():
        return json.loads(bench.read_text(encoding="utf-8"))
    shared = ROOT.parent / "shared" / "eval" / "questions.jsonl"
    return [json.loads(line)["question"] for line in shared.read_text().splitlines() if line]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    model = OnnxModel(Path(settings.model_path_or_name()))
    cores = available_cores()
    query = model.query_path
    variants = {
        f"{cores} threads, sleeping between operators": _session(query, cores, "never"),
        f"{cores} threads, spinning always": _session(query, cores, "always"),
        f"{cores} threads, spinning within a pass (default)": _session(query, cores),
        "1 thread": _session(query, 1),
        "default threads, the passages' model": _session(model.path, cores),
    }
    texts = [settings.query_prompt + q for q in questions()]
    wall: dict[str, list[float]] = {name: [] for name in variants}
    cpu = dict.fromkeys(variants, 0.0)
    for _ in range(args.rounds):
        for name, session in variants.items():
            for text in texts:
                encodings = model.tokenizer.encode_batch([text])
                t0, c0 = time.perf_counter(), time.process_time()
                model._run(session, encodings)
                wall[name].append((time.perf_counter() - t0) * 1000)
                cpu[name] += time.process_time() - c0
    print(f"{len(texts)} questions × {args.rounds} rounds, {cores} cores\n")
    print("| threads | p50 ms | p95 ms | CPU ms a question |\n|---|---:|---:|---:|")
    for name, samples in wall.items():
        samples.sort()
        p95 = samples[min(int(len(samples) * 0.95), len(samples) - 1)]
        per = cpu[name] / len(samples) * 1000
        print(f"| {name} | {statistics.median(samples):.2f} | {p95:.2f} | {per:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
