"""Page furniture inside a document's body: bylines, attendance lists, photo captions.

Such a sentence is true but answers nothing ("Tham dự Hội nghị có ông …"). Chunking marks a
passage made only of them, and excerpts never lead with one.
"""

from __future__ import annotations

import re

from retrieval.domain.text import split_sentences

_FURNITURE = [
    # who attended
    re.compile(r"^(?:Cùng )?(?:Tham dự|Dự)\s+(?:Hội nghị|hội nghị|phiên họp|buổi|lễ|cuộc họp)"),
    re.compile(r"^(?:Tham dự|Đến dự|Cùng dự) (?:có|còn có)\b"),
    # captions and credits
    re.compile(r"^(?:Ảnh|Hình|Video|Nguồn ảnh)\s*[:：]"),
    re.compile(r"^\((?:Ảnh|Nguồn)[^)]*\)\.?$"),
    re.compile(r"^(?:Tác giả|Người viết|Biên tập|Nguồn)\s*[:：]"),
    re.compile(r"^(?:Theo|Nguồn) [A-ZĐ][\w.]*(?:\s[\w.]+){0,4}\.?$"),
    # a bare byline such as "(ĐCSVN)" or "TG" on its own
    re.compile(r"^\([A-ZĐ][\w.&-]{1,15}\)\.?$"),
    re.compile(r"^[A-ZĐ]{1,5}\.?$"),
]


def is_furniture(sentence: str) -> bool:
    s = sentence.strip()
    return any(p.search(s) for p in _FURNITURE)


def is_boilerplate(text: str) -> bool:
    """Whether every sentence of ``text`` is furniture."""
    sentences = [s for s in split_sentences(text) if s.strip()]
    return bool(sentences) and all(is_furniture(s) for s in sentences)
