"""The knowledge base as the quiz sees it: documents, usable passages and how to name them."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from retrieval.domain.models import Document, Passage
from retrieval.domain.naming import shorten
from retrieval.knowledge.chunking import SEP
from retrieval.quiz.wording import folded_bigrams, overlap, sentence_case

_ARTICLE_CODE = re.compile(r"^(Điều\s+[\dA-Za-zĐđ.]+?)\.?\s")
_ROMAN_HEAD = re.compile(r"^[IVXLC]+\.\s+")
NUMBERED_KINDS = {
    "nghị quyết": "Nghị quyết",
    "nghị định": "Nghị định",
    "quyết định": "Quyết định",
    "thông tư": "Thông tư",
    "chỉ thị": "Chỉ thị",
    "luật": "Luật",
}


def article_code(section: str) -> str | None:
    """ "Điều 44.5.NĐ.15" from a section path ending in a codified article."""
    m = _ARTICLE_CODE.match(section.split(SEP)[-1])
    return m.group(1) if m else None


def article_title(section: str) -> str | None:
    """ "Quyết định công bố thủ tục hành chính" from "… › Điều 44.5.NĐ.15. Quyết định …"."""
    last = section.split(SEP)[-1]
    m = _ARTICLE_CODE.match(last)
    return last[m.end() :].strip() if m else None


def heading_label(heading: str) -> str:
    """ "IV. GIẢI PHÁP THỰC HIỆN" → "Giải pháp thực hiện"."""
    text = _ROMAN_HEAD.sub("", heading).strip().rstrip(".")
    return sentence_case(text.lower()) if text.isupper() else text


@dataclass
class Corpus:
    """Documents and passages, with the repealed and the no-longer-in-force set apart."""

    documents: list[Document]
    passages: list[Passage]
    docs: dict[str, Document] = field(init=False)

    def __post_init__(self) -> None:
        self.docs = {d.id: d for d in self.documents}

    def usable(self, passage: Passage) -> bool:
        """A passage that may prove a correct answer: not repealed, its document in force."""
        doc = self.docs.get(passage.doc_id)
        return doc is not None and doc.in_force and passage.status != "bị bãi bỏ"

    def usable_doc(self, doc_id: str) -> bool:
        doc = self.docs.get(doc_id)
        return doc is not None and doc.in_force

    @cached_property
    def live(self) -> list[Passage]:
        return [p for p in self.passages if self.usable(p)]

    def of(self, doc_id: str) -> list[Passage]:
        return [p for p in self.live if p.doc_id == doc_id]

    @cached_property
    def common_pairs(self) -> frozenset[str]:
        """Word pairs found in at least half the documents ("cải cách hành chính" …):
        they say nothing about whether two statements are the same."""
        df: Counter[str] = Counter()
        for doc in self.documents:
            text = " ".join(p.text for p in self.passages if p.doc_id == doc.id)
            df.update(folded_bigrams(text))
        floor = max(2, (len(self.documents) + 1) // 2)
        return frozenset(k for k, v in df.items() if v >= floor)

    def alike(self, a: str, b: str, limit: float = 0.5) -> bool:
        """Whether statement ``a`` may say what text ``b`` says: too many of its word pairs
        are in ``b``, counting all pairs, or only the informative ones when it has enough."""
        if overlap(a, b) >= limit:
            return True
        if len(folded_bigrams(a) - self.common_pairs) < 3:
            return False
        return overlap(a, b, self.common_pairs) >= limit

    # --- names ---------------------------------------------------------------------------

    def label(self, doc_id: str) -> str:
        """A document's name as an option (≤ 100 characters, the title's own words)."""
        doc = self.docs[doc_id]
        if doc.number and doc.kind in NUMBERED_KINDS:
            return f"{NUMBERED_KINDS[doc.kind]} {doc.number}"
        if doc.kind == "pháp điển" and doc.number:
            return shorten(f"Pháp điển, {doc.number} ({doc.title.split(' (')[0]})", 100)
        return shorten(doc.title, 100)

    def ref(self, doc_id: str) -> str:
        """A document named inside a question: "Nghị quyết 76/NQ-CP", "bài «…» (Tỉnh …)"."""
        doc = self.docs[doc_id]
        if doc.number and doc.kind in NUMBERED_KINDS:
            return f"{NUMBERED_KINDS[doc.kind]} {doc.number}"
        if doc.kind == "pháp điển" and doc.number:
            return f"Pháp điển, {doc.number}"
        issuer = (doc.issuer or "").split(" (")[0]
        name = f"bài «{shorten(doc.title, 90)}»"
        if issuer.startswith(("Tỉnh", "Thành phố")) and issuer.lower() not in doc.title.lower():
            name += f" ({issuer})"
        return name

    def short(self, doc_id: str) -> str:
        """A document named in an explanation, briefly."""
        doc = self.docs[doc_id]
        if doc.number and doc.kind in NUMBERED_KINDS:
            return f"{NUMBERED_KINDS[doc.kind]} {doc.number}"
        if doc.kind == "pháp điển" and doc.number:
            return f"Pháp điển {doc.number.removeprefix('Đề mục ')}"
        return shorten(doc.title, 55)

    def where(self, passage: Passage) -> str:
        """Document and place: "Nghị quyết 76/NQ-CP, IV. Giải pháp thực hiện"."""
        doc = self.docs[passage.doc_id]
        name = self.short(passage.doc_id)
        if passage.section == doc.title:
            return name
        code = article_code(passage.section)
        if code:
            return f"{name}, {code}"
        top = passage.section.split(SEP)[0]
        if top.isupper() or _ROMAN_HEAD.match(top):
            roman = _ROMAN_HEAD.match(top)
            top = (roman.group(0) if roman else "") + heading_label(top)
        return f"{name}, {shorten(top, 40)}"
