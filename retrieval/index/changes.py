"""What a run changes besides the index, kept inside the version it publishes.

An added document must reach ``documents/``, a removed one leave it (and a removed
``knowledge/`` document go into ``removed.txt``), and the run log must say the run succeeded.
None of that can be renamed together with ``index/CURRENT``, so the change is written into the
new version folder (``change.json``) before its manifest: publishing the version publishes the
change with it, in the one atomic rename. Then it is applied and the file deleted. A crash in
between (issue 15: a SIGKILL right after the swap lost the added document and brought a removed
one back) leaves ``change.json`` in the live version, and the next run applies it first
(:mod:`retrieval.index.recovery`). Applying twice does no harm: every step writes a final state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from retrieval.atomic import remove_durably, write_text_atomically
from retrieval.domain.models import Document
from retrieval.index.docstore import DocStore

CHANGE = "change.json"


class Change(BaseModel):
    """A run's changes to ``documents/`` and the run log, as the published version holds them."""

    run_id: int | None = None
    #: Documents written into ``documents/`` (added, updated, or marked replaced).
    save: list[Document] = []
    #: Ids whose ``documents/`` file is deleted.
    delete: list[str] = []
    #: ``knowledge/`` ids remembered as removed, and ids no longer removed.
    removed: list[str] = []
    restored: list[str] = []
    #: What the run log records once the change is applied (the build report, as JSON).
    summary: dict[str, Any] = {}

    def apply(self, store: DocStore) -> None:
        """Bring ``documents/`` and ``removed.txt`` to the state this change leaves them in."""
        for doc in self.save:
            store.save(doc)
        for doc_id in self.delete:
            store.delete(doc_id)
        if self.removed or self.restored:
            store.update_removed(add=set(self.removed), drop=set(self.restored))


def write_change(folder: Path, change: Change) -> None:
    write_text_atomically(folder / CHANGE, change.model_dump_json())


def read_change(folder: Path) -> Change | None:
    """The change a version still has to apply, or None when it has none (left)."""
    path = folder / CHANGE
    if not path.exists():
        return None
    return Change.model_validate_json(path.read_text(encoding="utf-8"))


def forget_change(folder: Path) -> None:
    """The change is applied: the version no longer carries it."""
    remove_durably(folder / CHANGE)
