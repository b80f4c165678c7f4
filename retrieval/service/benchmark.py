"""``cchc bench``: run the speed and scale benchmark and write its report (see ``bench``)."""

from __future__ import annotations

from pathlib import Path

from retrieval.bench import FULL_SCALES, QUESTIONS, QUICK_SCALES, run_bench
from retrieval.bench.report import markdown_table, plots, targets_table
from retrieval.config import Settings

__all__ = ["FULL_SCALES", "QUESTIONS", "QUICK_SCALES", "benchmark"]


def benchmark(
    settings: Settings, scales: list[int], out: Path, questions: int, keep: bool
) -> tuple[dict, str, list[Path]]:
    """Run the scales; write ``results.json``, ``table.md`` and the plots into ``out``.
    Returns the results, the tables as Markdown and the plot files."""
    result = run_bench(settings, scales, out, questions, keep=keep)
    tables = markdown_table(result) + "\n" + targets_table(result)
    (out / "table.md").write_text(tables, encoding="utf-8")
    return result, tables, plots(result, out)
