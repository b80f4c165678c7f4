"""One reindex at a time: an exclusive ``flock`` on a file in the index folder.

The kernel releases the lock when the process dies, even by SIGKILL, so a crashed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path

from retrieval.atomic import private_dir, private_file
from retrieval.domain.errors import ReindexBusyError


class ReindexLock:
    def __init__(self, folder: Path) -> None:
        self.path = private_file(private_dir(folder) / ".reindex.lock")
        self._fh = None

    def __enter__(self) -> ReindexLock:
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = _holder(fh.read())
            fh.close()
            raise ReindexBusyError(**holder) from None
        fh.seek(0)
        fh.truncate()
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        fh.write(json.dumps({"pid": os.getpid(), "started": started}))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def _holder(text: str) -> dict[str, object]:
    """Who holds the lock (pid, started), as far as its file says."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {k: data[k] for k in ("pid", "started") if isinstance(data, dict) and k in data}
