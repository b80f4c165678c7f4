"""A reindex run in a child process that SIGKILLs itself at a chosen point (issue 15).

``python -m tests.crash_child POINT ACTION ARG``, with ``CCHC_DATA_DIR`` and
``CCHC_KNOWLEDGE_DIR`` in the environment:

- POINT: ``publish`` (just after ``index/CURRENT`` names the new version), ``documents``
  (after ``documents/`` and ``removed.txt`` were written), ``log`` (after the run log says
  "thành công", before the version forgets its change);
- ACTION: ``add`` (ARG: a file) or ``remove`` (ARG: a document id).

The real code runs unchanged; the function named by POINT is wrapped so that the process
kills itself, by SIGKILL, as soon as it returns: nothing after it runs, no ``finally``.
"""

from __future__ import annotations

import os
import signal
import sys

from retrieval.config import Settings
from retrieval.index import builder, changes, run_log
from retrieval.service.admin import AdminService, read_file

POINTS = {
    "publish": (builder, "publish"),
    "documents": (changes.Change, "apply"),
    "log": (run_log.ReindexLog, "finish_if_running"),
}


def die_after(owner: object, name: str) -> None:
    real = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("still alive after SIGKILL")

    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    point, action, arg = argv
    settings = Settings(_env_file=None)
    die_after(*POINTS[point])
    admin = AdminService(settings)
    if action == "add":
        admin.add([read_file(arg, 20 * 1024 * 1024)])
    else:
        admin.remove(arg)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
