"""``python -m retrieval.bench [--quick] [--json] …``: the same as ``cchc bench``."""

from retrieval.bench import main

raise SystemExit(main())
