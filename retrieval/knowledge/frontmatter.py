"""The one reader of YAML front matter, for knowledge files and for Markdown uploads."""

from __future__ import annotations

import re
from typing import Any

import yaml

from retrieval.domain.text import nfc

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class FrontMatterError(ValueError):
    """Front matter that is there but cannot be used: ``code`` is ``unreadable`` (YAML
    syntax) or ``not_mapping`` (YAML, but not ``key: value`` pairs)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter, body) of a Markdown text; (None, text) when it has none. Only plain
    YAML data is read (``yaml.safe_load``): no tags that build Python objects."""
    text = nfc(text.lstrip("\ufeff"))
    m = _FRONT.match(text)
    if m is None:
        return None, text
    try:
        front = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        raise FrontMatterError("unreadable") from exc
    if front is None:
        front = {}
    if not isinstance(front, dict):
        raise FrontMatterError("not_mapping")
    return front, text[m.end() :]
