"""The knowledge base as the quiz sees it: documents, usable passages and how to name them."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from retrieval.domain.models import Document, Passage
from retrieval.domain.naming import shorten
from retrieval.knowledge.chunking import SEP
from retrieval.quiz.catalogue import SourceName
from retrieval.quiz.legal import Legal, LegalRules
from retrieval.quiz.wording import folded_bigrams, occurs, sentence_case

_ROMAN_HEAD = re.compile(r"^[IVXLC]+\.\s+")
NUMBERED_KINDS = {
    "nghị quyết": "Nghị quyết",
    "nghị định": "Nghị định",
    "quyết định": "Quyết định",
    "thông tư": "Thông tư",
    "chỉ thị": "Chỉ thị",
    "luật": "Luật",
}


def heading_label(heading: str) -> str:
    """ "IV. GIẢI PHÁP THỰC HIỆN" → "Giải pháp thực hiện"."""
    text = _ROMAN_HEAD.sub("", heading).strip().rstrip(".")
    return sentence_case(text.lower()) if text.isupper() else text


#: Words a cut heading must not end on ("… nhiệm vụ cụ thể của…").
_DANGLING = frozenset("của và về các cho với trong theo để những là từ đến tại hoặc".split())


def short_heading(label: str, limit: int = 40) -> str:
    """``label`` within ``limit`` characters, cut after a word that can end a phrase:
    "Nội dung, mục tiêu, nhiệm vụ cụ thể…", not "… cụ thể của…"."""
    cut = shorten(label, limit)
    if cut == label:
        return label
    words = cut.removesuffix("…").split()
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(",;:") + "…"


@dataclass
class Corpus:
    """Documents and passages, with the repealed and the no-longer-in-force set apart, and the
    curated names of documents and rules of law."""

    documents: list[Document]
    passages: list[Passage]
    names: dict[str, SourceName] = field(default_factory=dict)
    rules: LegalRules = field(default_factory=LegalRules)
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

    @cached_property
    def legal(self) -> Legal:
        return Legal(self.passages, self.rules)

    def of(self, doc_id: str) -> list[Passage]:
        return [p for p in self.live if p.doc_id == doc_id]

    def find(self, doc_id: str, quote: str, section: str | None = None) -> list[Passage]:
        """The passages of ``doc_id`` that hold ``quote`` (and whose section has ``section``)."""
        return [
            p
            for p in self.passages
            if p.doc_id == doc_id
            and occurs(quote, p.text)
            and (section is None or section in p.section)
        ]

    @cached_property
    def domain_pairs(self) -> frozenset[str]:
        """Word pairs found in every document ("cải cách", "hành chính", "cơ quan" …): they say
        nothing about whether two statements are the same. None for fewer than 4 documents,
        where every pair of a lone document would count."""
        if len(self.documents) < 4:
            return frozenset()
        df: Counter[str] = Counter()
        for doc in self.documents:
            df.update(folded_bigrams(" ".join(p.text for p in self.passages if p.doc_id == doc.id)))
        return frozenset(k for k, v in df.items() if v == len(self.documents))

    # --- names ---------------------------------------------------------------------------

    def ref(self, doc_id: str) -> str:
        """A document named inside a question: "Nghị quyết 76/NQ-CP", "báo cáo … tỉnh Bắc Kạn"."""
        if doc_id in self.names:
            return self.names[doc_id].ref
        doc = self.docs[doc_id]
        if doc.number and doc.kind in NUMBERED_KINDS:
            return f"{NUMBERED_KINDS[doc.kind]} {doc.number}"
        name = f"văn bản «{shorten(doc.title, 90)}»"
        issuer = (doc.issuer or "").split(" (")[0]
        if issuer.startswith(("Tỉnh", "Thành phố")) and issuer.lower() not in doc.title.lower():
            name += f" ({issuer})"
        return name

    def short(self, doc_id: str) -> str:
        """A document named in an explanation, briefly."""
        if doc_id in self.names:
            return self.names[doc_id].short
        doc = self.docs[doc_id]
        if doc.number and doc.kind in NUMBERED_KINDS:
            return f"{NUMBERED_KINDS[doc.kind]} {doc.number}"
        return shorten(doc.title, 55)

    def note(self, doc_id: str) -> str | None:
        """What has changed since the document was written, in a few words."""
        name = self.names.get(doc_id)
        return name.note if name else None

    def where(self, passage: Passage) -> str:
        """Where a passage is: "Điều 13 Nghị định 63/2010/NĐ-CP (sửa đổi bởi …)", or
        "Nghị quyết 76/NQ-CP, I. Quan điểm"."""
        art = self.legal.of(passage)
        if art is not None and art.citation:
            return art.citation + (f" ({art.amendment_note})" if art.amended_by else "")
        doc = self.docs[passage.doc_id]
        name = self.short(passage.doc_id)
        if passage.section == doc.title:
            return name
        top = passage.section.split(SEP)[0]
        roman = _ROMAN_HEAD.match(top)
        if top.isupper() or roman:
            return f"{name}, {(roman.group(0) if roman else '')}{short_heading(heading_label(top))}"
        return name

    def citation(self, passage: Passage) -> str | None:
        art = self.legal.of(passage)
        return art.citation if art is not None else None
