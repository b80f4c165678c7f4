"""Files → ``Document``: one small strategy per file type, then shared metadata detection.

Each strategy (``markdown``, ``text``, ``html``, ``docx``, ``pdf``) turns bytes into plain text
and hints; ``base.to_document`` reads the official header and builds the ``Document``. The
limits of ``limits`` are checked before each expensive step. Every refusal is a
``LoaderError`` with a code, the file's name and the facts (``retrieval.domain.messages``
phrases it), so that a run over a folder can report it and go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from retrieval.domain.errors import LoaderError
from retrieval.domain.models import Document
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.loaders import limits
from retrieval.knowledge.loaders.base import Extracted, Strategy, cause, reflow, to_document
from retrieval.knowledge.loaders.docx import DocxStrategy
from retrieval.knowledge.loaders.encoding import decode_text
from retrieval.knowledge.loaders.html import HtmlStrategy
from retrieval.knowledge.loaders.markdown import MarkdownStrategy
from retrieval.knowledge.loaders.pdf import PdfStrategy
from retrieval.knowledge.loaders.text import TextStrategy

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SKIPPED_DIRS = {"quiz"}
#: The knowledge folder's own data files (``retrieval.domain.vocabulary``, ``.changes``).
_SKIPPED_FILES = {"readme.md", "vocabulary.yaml", "changes.yaml"}
#: Formats that Word saves as .docx: a hint rather than a plain "not supported".
_SAVE_AS_DOCX = {".doc", ".rtf"}

STRATEGIES: tuple[Strategy, ...] = (
    MarkdownStrategy(),
    TextStrategy(),
    HtmlStrategy(),
    DocxStrategy(),
    PdfStrategy(),
)
_BY_SUFFIX: dict[str, Strategy] = {s: st for st in STRATEGIES for s in st.suffixes}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(sorted(_BY_SUFFIX))


def load_file(
    path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, overrides: Mapping[str, Any] | None = None
) -> Document:
    """One file → ``Document``. ``overrides`` (title, number, issued, kind, source, id …) win
    over the front matter and over what is detected. Raises ``LoaderError`` whose details
    name the ``file``."""
    path = Path(path)
    try:
        return _load(path, max_bytes, overrides)
    except LoaderError as exc:
        if "file" in exc.details:
            raise
        raise LoaderError(exc.code, file=path.name, **exc.details) from exc
    except RecursionError as exc:
        raise LoaderError("file_too_deep", file=path.name) from exc
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop a run over a folder
        raise LoaderError("file_unreadable", file=path.name, cause=cause(exc)) from exc


def _load(path: Path, max_bytes: int, overrides: Mapping[str, Any] | None) -> Document:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise LoaderError("file_not_found")
    strategy = _BY_SUFFIX.get(suffix)
    if strategy is None:
        if suffix in _SAVE_AS_DOCX:
            raise LoaderError("file_save_as_docx", suffix=suffix)
        if not suffix:
            raise LoaderError("file_no_suffix", accepted=list(SUPPORTED_SUFFIXES))
        raise LoaderError("file_unsupported", suffix=suffix, accepted=list(SUPPORTED_SUFFIXES))
    size = path.stat().st_size
    if size == 0:
        raise LoaderError("file_empty")
    if size > max_bytes:
        raise LoaderError("file_too_large", size_bytes=size, limit_bytes=max_bytes)
    extracted = strategy.extract(path.read_bytes())
    if not extracted.text.strip() and extracted.front is None:
        raise LoaderError("file_no_text")
    limits.check_text(extracted.text)  # before header detection, reflow and chunking
    doc = to_document(path.stem, extracted, overrides)
    limits.check_passages(len(chunk_document(doc)))  # before anything is embedded
    return doc


def iter_files(paths: Iterable[Path | str]) -> Iterable[Path]:
    """Files named, and files under folders (sorted; hidden files, README.md, quiz/ and the
    knowledge folder's data files skipped). A missing path is yielded as is, for
    ``load_file`` to refuse."""
    seen: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and not any(part in _SKIPPED_DIRS for part in f.relative_to(p).parts[:-1])
                and f.name.lower() not in _SKIPPED_FILES
            )
        else:
            found = [p]
        for f in found:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                yield f


def load_paths(
    paths: Iterable[Path | str],
    max_bytes: int = DEFAULT_MAX_BYTES,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[list[Document], list[LoaderError]]:
    """Load every file named or under a folder named; a bad file is reported, not fatal."""
    docs: list[Document] = []
    errors: list[LoaderError] = []
    for f in iter_files(paths):
        try:
            docs.append(load_file(f, max_bytes, overrides))
        except LoaderError as exc:
            errors.append(exc)
    return docs, errors


__all__ = [
    "DEFAULT_MAX_BYTES",
    "STRATEGIES",
    "SUPPORTED_SUFFIXES",
    "Extracted",
    "LoaderError",
    "Strategy",
    "decode_text",
    "iter_files",
    "load_file",
    "load_paths",
    "reflow",
]
