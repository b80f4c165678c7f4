"""The plots of docs/PERFORMANCE.md for issue 14, from the benchmarks' result files.

    .venv/bin/python scripts/plot_issue14.py

Reads the scales of ``data/bench/quick/results.json`` (``cchc bench --quick``),
``data/bench/scale/results.json`` (``--scales 100k``) and ``data/bench/scale-1m/results.json``
(``--scales 1M``; tantivy alone there),
``data/bench/embedding/results.json`` (``scripts/bench_embedding.py``) and
``data/bench/load/results.json`` (``scripts/bench_load.py``), whichever exist, and writes
``docs/bench_lexical_engines.png``, ``docs/bench_embedding.png`` and ``docs/bench_load.png``.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "data" / "bench"
DOCS = ROOT / "docs"


def lexical_engines(result: dict) -> Path:
    scales = sorted(result["scales"], key=lambda s: s["passages"])
    labels = [f"{s['passages']:,}" for s in scales]
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, key, title in (
        (axes[0], "lexical_ms", "lexical search alone"),
        (axes[1], "search_ms", "hybrid search (no embedding)"),
    ):
        width = 0.2
        for i, (engine, stat) in enumerate(
            [("fts5", "p50"), ("fts5", "p95"), ("tantivy", "p50"), ("tantivy", "p95")]
        ):
            ys = [
                s["lexical_engines"].get(engine, {}).get(key, {}).get(stat, float("nan"))
                for s in scales
            ]
            xs = [j + (i - 1.5) * width for j in range(len(scales))]
            ax.bar(xs, ys, width, label=f"{engine} {stat}")
        ax.set_xticks(range(len(scales)), labels)
        ax.set_xlabel("passages")
        ax.set_ylabel("ms")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.axhline(30, color="grey", linestyle="--", linewidth=0.8)
        ax.legend(fontsize=7)
    fig.suptitle("FTS5 against tantivy, same index and questions (2 shared cores)")
    fig.tight_layout()
    path = DOCS / "bench_lexical_engines.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def embedding(rows: list[dict]) -> Path:
    fig, ax = plt.subplots(figsize=(11, 4.5))
    names = [r["variant"] for r in rows][::-1]
    ax.barh(names, [r["cpu"] for r in rows][::-1], label="per CPU-second × cores")
    ax.barh(names, [r["wall"] for r in rows][::-1], label="wall clock (shared cores)", alpha=0.7)
    ax.axvline(30, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("passages per second (knowledge base)")
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=8)
    ax.set_title("Passage embedding, one change at a time")
    fig.subplots_adjust(left=0.36, right=0.98)  # the variants' names are long
    path = DOCS / "bench_embedding.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def load(result: dict) -> Path:
    levels = result["levels"]
    xs = [lv["equivalent_users"] for lv in levels]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, [lv["p50_ms"] for lv in levels], marker="o", label="p50")
    ax.plot(xs, [lv["p95_ms"] for lv in levels], marker="o", label="p95")
    ax.axhline(500, color="grey", linestyle="--", linewidth=0.8, label="target p95 at 100 users")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(xs, [str(x) for x in xs])
    ax.minorticks_off()
    ax.set_xlabel("officials (ask, read Exp(20 s), ask again)")
    ax.set_ylabel("update → answer sent, ms")
    ax.set_title("The bot under load (fake Bot API, 2 shared cores)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = DOCS / "bench_load.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> int:
    written = []
    scales: dict[int, dict] = {}
    for name in ("quick", "scale", "scale-1m"):
        if (f := BENCH / name / "results.json").exists():
            scales.update({s["passages"]: s for s in json.loads(f.read_text())["scales"]})
    if scales:
        written.append(lexical_engines({"scales": list(scales.values())}))
    if (f := BENCH / "embedding" / "results.json").exists():
        written.append(embedding(json.loads(f.read_text())))
    if (f := BENCH / "load" / "results.json").exists():
        written.append(load(json.loads(f.read_text())))
    print("\n".join(map(str, written)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
