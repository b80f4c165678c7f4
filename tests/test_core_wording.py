"""The knowledge side of the core raises codes, never sentences: an AST walk over
``retrieval/knowledge`` for a ``raise`` whose expression holds Vietnamese text.

Wording lives in ``retrieval.domain.messages``, which only the faces use
(``tests/test_architecture``); a Vietnamese message raised in the core would bypass it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Letters of Vietnamese outside ASCII: ă â đ ê ô ơ ư and the tone-marked vowels.
_VIETNAMESE = re.compile(r"[À-ɏḀ-ỿ]")


def _worded_raises(source: str, filename: str) -> list[str]:
    """``file:line`` of each ``raise`` with a str or f-string holding Vietnamese letters."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        texts = [
            part.value
            for part in ast.walk(node.exc)
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        ]
        if any(_VIETNAMESE.search(t) for t in texts):
            found.append(f"{filename}:{node.lineno}")
    return found


def test_the_check_sees_a_worded_raise() -> None:
    worded = (
        "def f(path, exc):\n"
        '    raise ValueError("tệp rỗng")\n'
        "def g(path):\n"
        '    raise LoaderError(path, f"tệp quá lớn ({path})")\n'
        "def h():\n"
        '    raise LoaderError("file_empty", file="rong.txt")\n'
    )
    assert _worded_raises(worded, "x.py") == ["x.py:2", "x.py:4"]


def test_the_knowledge_core_raises_codes_not_vietnamese() -> None:
    sources = sorted(ROOT.glob("retrieval/knowledge/**/*.py"))
    assert len(sources) >= 10  # the loaders package is walked too
    bad = [
        hit
        for path in sources
        for hit in _worded_raises(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        )
    ]
    assert bad == []


def _codes(error_class: str) -> set[str]:
    """The literal codes passed first to ``error_class(...)`` in ``retrieval/knowledge``."""
    codes = set()
    for path in ROOT.glob("retrieval/knowledge/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == error_class
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
    return codes


def test_every_code_the_loaders_raise_is_phrased() -> None:
    from retrieval.domain import messages

    loader_codes = _codes("LoaderError")
    front_codes = _codes("FrontMatterError")
    assert {"file_not_found", "file_zip_ratio", "file_pdf_too_many_pages"} <= loader_codes
    assert {"aliases", "too_large"} <= front_codes
    wanted = loader_codes | {
        f"{prefix}front_matter_{code}" for code in front_codes for prefix in ("", "file_")
    }
    assert sorted(wanted - set(messages._ERRORS)) == []
