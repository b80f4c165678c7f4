"""Markdown (.md): YAML front matter, then the text without its inline markup."""

from __future__ import annotations

import re

from pydantic import ValidationError

from retrieval.domain.errors import LoaderError
from retrieval.domain.models import Document
from retrieval.knowledge.frontmatter import FrontMatterError, split_front_matter
from retrieval.knowledge.loaders import limits
from retrieval.knowledge.loaders.base import Extracted, join_soft_wraps
from retrieval.knowledge.loaders.encoding import decode_text

_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
# Bold markers and backticks, not a rule line of stars or underscores.
_MD_EMPHASIS = re.compile(r"(?<![*_])(\*\*|__)(?=[^\s*_])|(?<=[^\s*_])(\*\*|__)(?![*_])|`")


class MarkdownStrategy:
    suffixes = (".md", ".markdown")

    def extract(self, data: bytes) -> Extracted:
        try:
            front, text = split_front_matter(decode_text(data))
        except FrontMatterError as exc:
            raise LoaderError(f"file_front_matter_{exc.code}", **exc.facts) from exc
        limits.check_text(text)  # before the body is validated, cleaned and chunked
        document = None
        if front is not None:
            try:  # a complete front matter is read exactly as ``load_knowledge_dir`` reads it
                document = Document(**front, body=join_soft_wraps(text).strip())
            except (ValidationError, TypeError):
                document = None  # incomplete: detection fills the gaps
        text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
        text = _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text)))
        return Extracted(text, wrapped=True, front=front, document=document)
