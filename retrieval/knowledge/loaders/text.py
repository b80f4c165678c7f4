"""Plain text (.txt): printed lines, rejoined into paragraphs later."""

from __future__ import annotations

from retrieval.knowledge.loaders.base import Extracted
from retrieval.knowledge.loaders.encoding import decode_text


class TextStrategy:
    suffixes = (".txt",)

    def extract(self, data: bytes) -> Extracted:
        return Extracted(decode_text(data), wrapped=True)
