"""Admin script: the same as ``cchc reindex`` (add files, --remove, --dry-run, or rebuild).

.venv/bin/python scripts/reindex.py [PATH ...] [--dry-run] [--remove DOC_ID] ...
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.cli.main import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(["reindex", *sys.argv[1:]]))
