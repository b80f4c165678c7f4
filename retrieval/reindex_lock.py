"""One reindex at a time: an exclusive ``flock`` on a file in the index folder.

The kernel releases the lock when the process dies, even by SIGKILL, so a crashed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path


class ReindexBusyError(RuntimeError):
    """Another reindex run holds the lock."""


class ReindexLock:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / ".reindex.lock"
        self._fh = None

    def __enter__(self) -> ReindexLock:
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "không rõ"
            fh.close()
            raise ReindexBusyError(
                f"Một lượt cập nhật chỉ mục khác đang chạy ({holder}). "
                "Vui lòng đợi lượt đó xong rồi chạy lại."
            ) from None
        fh.seek(0)
        fh.truncate()
        started = dt.datetime.now().strftime("%H:%M:%S %d/%m/%Y")
        fh.write(f"tiến trình {os.getpid()}, bắt đầu lúc {started}")
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
