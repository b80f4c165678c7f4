"""Loading knowledge documents: Markdown files with YAML front matter → ``Document``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import ValidationError

from retrieval.models import Document
from retrieval.text import nfc


class DocumentError(ValueError):
    """A document that cannot be loaded; the message names the file and the reason."""


def parse_markdown(text: str, origin: str) -> Document:
    """Split front matter from body and validate both."""
    text = nfc(text.lstrip("\ufeff"))
    if not text.startswith("---"):
        raise DocumentError(f"{origin}: thiếu phần khai báo (front matter) ở đầu tệp")
    try:
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
    except (ValueError, yaml.YAMLError) as exc:
        raise DocumentError(f"{origin}: phần khai báo không đọc được ({exc})") from exc
    if not isinstance(meta, dict):
        raise DocumentError(f"{origin}: phần khai báo phải là các cặp khóa: giá trị")
    try:
        return Document(**meta, body=body.strip())
    except ValidationError as exc:
        fields = ", ".join(".".join(str(x) for x in e["loc"]) for e in exc.errors())
        raise DocumentError(f"{origin}: khai báo không hợp lệ ({fields})") from exc


def load_markdown(path: Path) -> Document:
    return parse_markdown(path.read_text(encoding="utf-8"), str(path))


def load_knowledge_dir(directory: Path) -> list[Document]:
    """Every ``*.md`` document directly in ``directory`` (not ``quiz/``), sorted by file name."""
    if not directory.is_dir():
        raise DocumentError(f"{directory}: không có thư mục văn bản")
    docs = [load_markdown(p) for p in sorted(directory.glob("*.md")) if p.name != "README.md"]
    ids = [d.id for d in docs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise DocumentError(f"{directory}: trùng mã văn bản {', '.join(dupes)}")
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
