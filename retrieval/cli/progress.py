"""Progress of long work in the terminal: a tqdm bar on a terminal, a line per step in logs."""

from __future__ import annotations

import sys
from collections.abc import Callable

from tqdm import tqdm


def progress_reporter(label: str, unit: str = "đoạn") -> Callable[[int, int], None]:
    """A ``(done, total)`` callback. On a terminal it draws one bar; when stderr is a file or
    a pipe (a service's log), it writes one line per step instead of a bar redrawn in place."""
    bar: tqdm | None = None
    interactive = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        nonlocal bar
        if not interactive:
            print(f"{label}: {done}/{total} {unit}", file=sys.stderr, flush=True)
            return
        if bar is None:
            bar = tqdm(total=total, desc=label, unit=f" {unit}", file=sys.stderr, leave=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return show
