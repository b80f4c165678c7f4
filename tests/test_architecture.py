"""The layering rules of ``docs/ARCHITECTURE.md``, checked by reading the code's imports.

An AST walk over the two packages, so that a change that breaks a rule fails here, with the
file and the line, rather than in a review.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACES = ("retrieval/cli/", "bot/")
#: What a face may import from the core.
FACE_MAY_USE = ("retrieval.service", "retrieval.domain", "retrieval.config")


@dataclass(frozen=True)
class Import:
    file: str
    line: int
    module: str


def _modules(node: ast.AST, file: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against the file's package
            base = file.relative_to(ROOT).with_suffix("").parts[: -node.level]
            prefix = ".".join(base)
            return [f"{prefix}.{node.module}" if node.module else prefix]
        return [node.module or ""]
    return []


def _sources() -> list[Path]:
    return sorted([*ROOT.glob("retrieval/**/*.py"), *ROOT.glob("bot/**/*.py")])


def _imports() -> list[Import]:
    out = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            for module in _modules(node, path):
                out.append(Import(rel, node.lineno, module))
    return out


def _is(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def test_the_walk_sees_the_code() -> None:
    imports = _imports()
    assert len({i.file for i in imports}) > 60
    assert any(i.file == "bot/app.py" and _is(i.module, "retrieval.service") for i in imports)


def test_faces_use_only_the_service_the_domain_and_the_settings() -> None:
    bad = [
        f"{i.file}:{i.line} imports {i.module}"
        for i in _imports()
        if i.file.startswith(FACES)
        and _is(i.module, "retrieval")
        and not _is(i.module, *FACE_MAY_USE, "retrieval.cli")
    ]
    assert bad == []


def test_only_the_faces_import_the_bot() -> None:
    bad = [
        f"{i.file}:{i.line} imports {i.module}"
        for i in _imports()
        if _is(i.module, "bot") and not i.file.startswith(FACES)
    ]
    assert bad == []


def test_only_the_faces_phrase_the_cores_reasons() -> None:
    bad = [
        f"{i.file}:{i.line} imports {i.module}"
        for i in _imports()
        if _is(i.module, "retrieval.domain.messages") and not i.file.startswith(FACES)
    ]
    assert bad == []


def test_only_the_index_opens_the_index_database() -> None:
    """SQLite in ``retrieval/`` is the index's; only ``retrieval/index/`` opens it or reaches
    into a store's connection and lock. (The bot keeps its own log in a database of its own.)"""
    bad = [
        f"{i.file}:{i.line} imports {i.module}"
        for i in _imports()
        if i.file.startswith("retrieval/")
        and not i.file.startswith("retrieval/index/")
        and _is(i.module, "sqlite3", "sqlite_utils")
    ]
    for path in sorted(ROOT.glob("retrieval/**/*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("retrieval/index/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            reaches_in = (
                isinstance(node, ast.Attribute)
                and node.attr in {"conn", "_lock"}
                and isinstance(node.value, ast.Attribute)
                and node.value.attr in {"db", "store"}
            )
            if reaches_in:
                bad.append(f"{rel}:{node.lineno} reaches into a store's {node.attr}")
    assert bad == []


def test_only_the_bots_storage_opens_its_database() -> None:
    """The bot's SQL lives in ``bot/storage/``; handlers call its stores."""
    bad = [
        f"{i.file}:{i.line} imports {i.module}"
        for i in _imports()
        if i.file.startswith("bot/")
        and not i.file.startswith("bot/storage/")
        and _is(i.module, "sqlite3", "sqlite_utils")
    ]
    assert bad == []


def test_the_core_does_not_depend_on_its_faces() -> None:
    bad = [
        f"{i.file}:{i.line} imports {i.module}"
        for i in _imports()
        if not i.file.startswith(FACES) and _is(i.module, "retrieval.cli")
    ]
    assert bad == []
