"""The one reader of YAML front matter, for knowledge files and for Markdown uploads.

A front matter is a few lines of ``key: value``, so it is read defensively: a size cap on the
block, and a loader that refuses YAML aliases (``*name``) and deep nesting. An alias bomb of
483 bytes expands to hundreds of megabytes as soon as a value is turned into text; without
aliases, what is read is never larger than what was written.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from retrieval.domain.text import nfc

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)

#: The largest front matter read, in bytes (UTF-8). The knowledge base's are about 1 KB each
#: (the largest 1,126 bytes); a real one never needs more than a few.
MAX_FRONT_MATTER_BYTES = 16 * 1024
#: Nesting depth of lists and mappings: front matter is flat, a title or a list of tags at most.
MAX_FRONT_MATTER_DEPTH = 8


class FrontMatterError(ValueError):
    """Front matter that is there but cannot be used. ``code``: ``unreadable`` (YAML syntax),
    ``not_mapping`` (YAML, but not ``key: value`` pairs), ``too_large`` (``size_bytes`` over
    ``limit_bytes``), ``aliases`` (YAML anchors and aliases, refused) or ``too_deep``
    (nested deeper than ``limit``). ``facts`` holds the numbers."""

    def __init__(self, code: str, **facts: Any) -> None:
        self.code = code
        self.facts = facts
        super().__init__(code)


class _FrontLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (plain data, no Python objects) that refuses aliases and depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise FrontMatterError("aliases")
        self._depth += 1
        if self._depth > MAX_FRONT_MATTER_DEPTH:
            raise FrontMatterError("too_deep", limit=MAX_FRONT_MATTER_DEPTH)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter, body) of a Markdown text; (None, text) when it has none. Only plain
    YAML data is read: no tags that build Python objects, no aliases, a bounded size."""
    text = nfc(text.lstrip("\ufeff"))
    m = _FRONT.match(text)
    if m is None:
        return None, text
    block = m.group(1)
    size = len(block.encode("utf-8", errors="replace"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError("too_large", size_bytes=size, limit_bytes=MAX_FRONT_MATTER_BYTES)
    try:
        front = yaml.load(block, Loader=_FrontLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise FrontMatterError("unreadable") from exc
    if front is None:
        front = {}
    if not isinstance(front, dict):
        raise FrontMatterError("not_mapping")
    return front, text[m.end() :]
