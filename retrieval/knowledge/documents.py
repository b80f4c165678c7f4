"""Loading knowledge documents: Markdown files with YAML front matter → ``Document``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import ValidationError

from retrieval.domain.errors import DocumentError
from retrieval.domain.models import Document
from retrieval.domain.text import nfc
from retrieval.knowledge.frontmatter import FrontMatterError, split_front_matter
from retrieval.knowledge.loaders.base import join_soft_wraps


def parse_markdown(text: str, origin: str) -> Document:
    """Split front matter from body and validate both; ``DocumentError`` names ``origin``."""
    try:
        meta, body = split_front_matter(text)
    except FrontMatterError as exc:
        raise DocumentError(f"front_matter_{exc.code}", origin=origin, **exc.facts) from exc
    if meta is None:
        raise DocumentError("no_front_matter", origin=origin)
    try:
        return Document(**meta, body=join_soft_wraps(body).strip())
    except ValidationError as exc:
        fields = [".".join(str(x) for x in e["loc"]) for e in exc.errors()]
        raise DocumentError("invalid_fields", origin=origin, fields=fields) from exc


def load_markdown(path: Path) -> Document:
    return parse_markdown(path.read_text(encoding="utf-8"), str(path))


def load_knowledge_dir(directory: Path) -> list[Document]:
    """Every ``*.md`` document directly in ``directory`` (not ``quiz/``), sorted by file name."""
    if not directory.is_dir():
        raise DocumentError("no_folder", origin=str(directory))
    docs = [load_markdown(p) for p in sorted(directory.glob("*.md")) if p.name != "README.md"]
    ids = [d.id for d in docs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise DocumentError("duplicate_ids", origin=str(directory), ids=dupes)
    return docs


def to_markdown(doc: Document) -> str:
    """The document as a knowledge file: YAML front matter, then the body."""
    meta = doc.model_dump(mode="json", exclude={"body"})
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{front}---\n\n{doc.body.strip()}\n"


def body_hash(doc: Document) -> str:
    """Hash of the text alone, whitespace-insensitive: the same text under another file name
    or id is a duplicate."""
    words = nfc(doc.body).split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32]


def corpus_hash(docs: list[Document]) -> str:
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.id):
        h.update(d.model_dump_json().encode())
    return h.hexdigest()[:16]
