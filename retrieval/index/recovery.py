"""Finishing a run's change, and repairing what a killed run left, before the next one starts.

A run that was killed (SIGKILL, a power cut) or stopped by a full disk can leave:

- a published version whose change (``change.json``) was not applied yet: it is applied now,
  and its run recorded as succeeded;
- version folders that were never published (half-written, or complete but not swapped in):
  removed, so that they do not hold the disk;
- runs the log still calls "đang chạy": marked "bị gián đoạn".

:func:`repair` must run under the reindex lock: then no other run can be going on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from retrieval.atomic import remove_tree
from retrieval.config import Settings
from retrieval.index.changes import Change, forget_change, read_change
from retrieval.index.docstore import docstore
from retrieval.index.run_log import SUCCEEDED, ReindexLog
from retrieval.index.versions import current_version_dir, is_complete, version_folders


class Repair(BaseModel):
    """What :func:`repair` found and did."""

    #: The run whose published change was applied now (None: there was none to apply).
    completed_run: int | None = None
    completed: bool = False
    #: Version folders removed: half-written, or never published.
    removed: list[str] = []
    #: Runs marked "bị gián đoạn".
    interrupted: int = 0

    @property
    def anything(self) -> bool:
        return self.completed or bool(self.removed) or bool(self.interrupted)


def complete(
    settings: Settings,
    log: ReindexLog,
    change: Change,
    folder: Path | None,
    summary: dict[str, Any] | None = None,
) -> None:
    """Apply a published change: ``documents/`` first, then the run log, then the version
    forgets it. Each step can be done again, so a crash at any point is repaired by doing it
    all again."""
    change.apply(docstore(settings))
    if change.run_id is not None:
        log.finish_if_running(change.run_id, SUCCEEDED, summary or change.summary)
    if folder is not None:
        forget_change(folder)


def repair(settings: Settings, log: ReindexLog) -> Repair:
    """Bring the data dir to a state some run left complete. Call it holding the lock."""
    out = Repair()
    root = settings.index_root
    live = current_version_dir(root) if root.is_dir() else None
    for folder in version_folders(root) if root.is_dir() else []:
        if folder != live and (not is_complete(folder) or read_change(folder) is not None):
            remove_tree(folder)
            out.removed.append(folder.name)
    if live is not None and (change := read_change(live)) is not None:
        complete(settings, log, change, live)
        out.completed, out.completed_run = True, change.run_id
    out.interrupted = log.interrupt_running()
    return out
