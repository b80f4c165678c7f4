"""The evaluation of every question set under several configurations, side by side.

    .venv/bin/python scripts/eval_variants.py \\
        torch:CCHC_EMBEDDING_BACKEND=torch onnx-int8:CCHC_EMBEDDING_BACKEND=onnx-int8

Each variant is ``NAME:VAR=VALUE[,VAR=VALUE…]``. For each one, a data dir of its own
(``data/eval-variants/NAME``, the built models linked from ``data/models``) gets its index from
``cchc setup``, then ``cchc eval --json`` runs on every question set: the shared questions, and
``tests/data/*.jsonl``. Prints one Markdown table, and writes it with the raw reports to
``data/eval-variants/``. Used for the backend and lexical-engine comparisons of
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _is_question_set(path: Path) -> bool:
    """An evaluation set has questions (``quiz_distractor_pairs.jsonl`` has not)."""
    with path.open(encoding="utf-8") as f:
        first = f.readline()
    return '"question"' in first


SETS = [
    ROOT.parent / "shared" / "eval" / "questions.jsonl",
    *sorted(p for p in (ROOT / "tests" / "data").glob("*.jsonl") if _is_question_set(p)),
]


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, assignments = text.partition(":")
    env = dict(part.split("=", 1) for part in assignments.split(",") if part)
    return name, env


def run_variant(name: str, env: dict[str, str], out: Path, sets: list[Path]) -> dict:
    data = out / name
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "models").exists():
        (data / "models").symlink_to(ROOT / "data" / "models", target_is_directory=True)
    full = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    full.update(CCHC_DATA_DIR=str(data), CCHC_HOME=str(ROOT), **env)
    cchc = [str(ROOT / ".venv" / "bin" / "cchc")]
    t0 = time.perf_counter()
    subprocess.run([*cchc, "setup"], env=full, check=True, capture_output=True)
    reports = {"setup_s": round(time.perf_counter() - t0, 1)}
    for path in sets:
        done = subprocess.run(
            [*cchc, "eval", str(path), "--json"], env=full, check=True, capture_output=True
        )
        reports[path.name] = json.loads(done.stdout)
        (out / f"{name}-{path.stem}.json").write_text(done.stdout.decode(), encoding="utf-8")
    return reports


def table(results: dict[str, dict], sets: list[Path]) -> str:
    lines = [
        "| question set | variant | questions | R@1 | R@5 | MRR | abstention | false "
        "abstentions | span visible (terminal) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path in sets:
        for name, reports in results.items():
            r = reports[path.name]
            lines.append(
                f"| {path.name} | {name} | {r['questions']} | {r['recall_at_1']:.3f} | "
                f"{r['recall_at_5']:.3f} | {r['mrr']:.3f} | {r['abstention_accuracy']:.3f} | "
                f"{r['false_abstentions']} | {r['visible'].get('terminal', 0):.3f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+", type=parse_variant)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "eval-variants")
    args = parser.parse_args(argv)
    sets = [s for s in SETS if s.is_file()]
    results = {}
    for name, env in args.variants:
        print(f"[eval] {name}…", file=sys.stderr, flush=True)
        results[name] = run_variant(name, env, args.out, sets)
    text = table(results, sets)
    setup = ", ".join(f"{name} {r['setup_s']} s" for name, r in results.items())
    text += f"\ncchc setup (index of knowledge/, model already built): {setup}\n"
    (args.out / "table.md").write_text(text, encoding="utf-8")
    differs = [
        s.name
        for s in sets
        if len({json.dumps([row["rank"] for row in r[s.name]["rows"]]) for r in results.values()})
        > 1
    ]
    text += f"ranks differ on: {', '.join(differs) or 'none'}\n"
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
