"""Synthetic corpora of realistic Vietnamese, made from the real knowledge base, offline.

Every synthetic passage recombines 2–5 sentences of real knowledge-base passages (in a shuffled
order, under the heading of the first one), with light variation: years, document numbers,
percentages and province names are replaced by other plausible values. Among them go 0–2
sentences of the long tail (``retrieval.bench.tail``): places, agencies, document numbers and
technical words with Zipf-like frequencies, the rare terms of a real corpus. Passages are grouped
into synthetic documents of 20 (a decree, report or plan of a ministry or province), so the
documents table grows with the corpus as it would in a national deployment.

Dense vectors (see ``passage_vector``) are synthesised from the *real* embeddings of the source
passages: the normalised mixture of the source passages' vectors, weighted by how many sentences
each contributes, plus isotropic Gaussian noise, normalised again. The real knowledge-base
documents themselves come first in every corpus, with their real vectors.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.bench.tail import LongTail, tail_question
from retrieval.domain.models import Document, DocumentMeta, Passage
from retrieval.domain.text import split_sentences
from retrieval.knowledge.chunking import (
    chunk_document,
    document_context,
    embedding_text,
    passage_hash,
)
from retrieval.knowledge.documents import load_knowledge_dir

#: Per-dimension standard deviation of the noise added to a mixture of real vectors (384
#: dimensions: a noise vector of norm ≈ 0.49, so a synthetic vector keeps a cosine of about
#: 0.85–0.9 with the mixture it comes from, like near-paraphrases under e5).
NOISE_SIGMA = 0.025
PASSAGES_PER_DOCUMENT = 20

PROVINCES = """Hà Nội|Hải Phòng|Đà Nẵng|Thành phố Hồ Chí Minh|Cần Thơ|Hà Giang|Cao Bằng|Bắc Kạn|
Tuyên Quang|Lào Cai|Điện Biên|Lai Châu|Sơn La|Yên Bái|Hòa Bình|Thái Nguyên|Lạng Sơn|Quảng Ninh|
Bắc Giang|Phú Thọ|Vĩnh Phúc|Bắc Ninh|Hải Dương|Hưng Yên|Thái Bình|Hà Nam|Nam Định|Ninh Bình|
Thanh Hóa|Nghệ An|Hà Tĩnh|Quảng Bình|Quảng Trị|Thừa Thiên Huế|Quảng Nam|Quảng Ngãi|Bình Định|
Phú Yên|Khánh Hòa|Ninh Thuận|Bình Thuận|Kon Tum|Gia Lai|Đắk Lắk|Đắk Nông|Lâm Đồng|Bình Phước|
Tây Ninh|Bình Dương|Đồng Nai|Bà Rịa - Vũng Tàu|Long An|Tiền Giang|Bến Tre|Trà Vinh|Vĩnh Long|
Đồng Tháp|An Giang|Kiên Giang|Hậu Giang|Sóc Trăng|Bạc Liêu|Cà Mau""".replace("\n", "").split("|")
MINISTRIES = [
    "Bộ Nội vụ",
    "Bộ Tư pháp",
    "Bộ Tài chính",
    "Bộ Thông tin và Truyền thông",
    "Bộ Kế hoạch và Đầu tư",
    "Văn phòng Chính phủ",
    "Bộ Công Thương",
    "Bộ Y tế",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Tài nguyên và Môi trường",
]
DOC_FORMS = [
    ("nghị định", "NĐ-CP", "Chính phủ"),
    ("quyết định", "QĐ-UBND", None),
    ("thông tư", "TT-B", None),
    ("kế hoạch", "KH-UBND", None),
    ("báo cáo", "BC-UBND", None),
    ("chỉ thị", "CT-UBND", None),
]
TOPICS = [
    "cải cách thủ tục hành chính",
    "cải cách tổ chức bộ máy hành chính nhà nước",
    "xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
    "cải cách chế độ công vụ",
    "cải cách tài chính công",
    "kiểm soát thủ tục hành chính",
    "nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
    "thực hiện cơ chế một cửa, một cửa liên thông",
    "đánh giá Chỉ số cải cách hành chính",
    "tăng cường kỷ luật, kỷ cương hành chính",
]

_YEAR = re.compile(r"\b(19[89]\d|20[0-3]\d)\b")
_NUMBER = re.compile(r"\b(\d{1,3})/(\d{4}/)?(NQ|NĐ|QĐ|TT|CT|KH|BC)")
_PERCENT = re.compile(r"\b(\d{1,2})(,\d+)?%")


@dataclass(frozen=True)
class Unit:
    """One real sentence and the real passage it comes from."""

    text: str
    source: int  # index into ``Base.passages``


@dataclass
class Base:
    """The real knowledge base, cut into sentences."""

    documents: list[Document]
    passages: list[Passage]
    contexts: dict[str, str]
    units: list[Unit]

    def embedding_texts(self) -> list[str]:
        return [embedding_text(p, self.contexts[p.doc_id]) for p in self.passages]

    def lexicon_texts(self) -> list[str]:
        """Texts whose words cover every synthetic passage's words (for accent restoration)."""
        extra = " ".join([*PROVINCES, *MINISTRIES, *TOPICS])
        texts = [f"{self.contexts[p.doc_id]}\n{p.section}\n{p.text}" for p in self.passages]
        return [*texts, extra]


def load_base(knowledge_dir: Path) -> Base:
    documents = load_knowledge_dir(knowledge_dir)
    passages: list[Passage] = []
    contexts: dict[str, str] = {}
    for doc in documents:
        contexts[doc.id] = document_context(doc)
        passages.extend(chunk_document(doc))
    units = [
        Unit(s, i)
        for i, p in enumerate(passages)
        for s in split_sentences(p.text)
        if len(s) >= 25  # labels and fragments make poor passages on their own
    ]
    return Base(documents, passages, contexts, units)


def vary(text: str, rng: random.Random) -> str:
    """Plausible variation: other years, document numbers, percentages and provinces."""
    if rng.random() < 0.6:
        text = _YEAR.sub(lambda m: str(int(m.group(1)) + rng.randint(-6, 6)), text)
    if rng.random() < 0.6:
        text = _NUMBER.sub(lambda m: f"{rng.randint(1, 399)}/{m.group(2) or ''}{m.group(3)}", text)
    if rng.random() < 0.5:
        text = _PERCENT.sub(lambda m: f"{rng.randint(40, 99)}{m.group(2) or ''}%", text)
    if "Bắc Kạn" in text and rng.random() < 0.9:
        text = text.replace("Bắc Kạn", rng.choice(PROVINCES))
    return text


def synthetic_document(n: int, rng: random.Random) -> Document:
    kind, suffix, issuer = rng.choice(DOC_FORMS)
    year = rng.randint(2008, 2025)
    province = rng.choice(PROVINCES)
    if issuer is None:
        issuer = rng.choice(MINISTRIES) if suffix == "TT-B" else f"Ủy ban nhân dân tỉnh {province}"
    topic = rng.choice(TOPICS)
    number = f"{rng.randint(1, 399)}/{year}/{suffix}"
    title = f"{kind.capitalize()} {number} về {topic} giai đoạn {year} - {year + 5}"
    return Document(
        id=f"syn-{n:07d}",
        title=title,
        kind=kind,
        number=number,
        issuer=issuer,
        issued=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
        summary=f"Văn bản tổng hợp để đo hiệu năng: {topic}.",
        body="-",
    )


def synthetic_passages(
    base: Base, count: int, seed: int = 7, tails: list[dict[str, str]] | None = None
) -> Iterator[tuple[DocumentMeta | None, str, Passage, list[int]]]:
    """``count`` synthetic passages: (new document or None, its context, passage, sources),
    the document given with the first passage that belongs to it. Each passage also gets the
    long tail's sentences (``retrieval.bench.tail``); ``tails`` collects what they name."""
    rng = random.Random(seed)
    tail = LongTail()
    doc: Document | None = None
    context = ""
    for n in range(count):
        fresh = None
        if n % PASSAGES_PER_DOCUMENT == 0:
            doc = synthetic_document(n // PASSAGES_PER_DOCUMENT, rng)
            context = document_context(doc)
            fresh = DocumentMeta(**doc.model_dump(exclude={"body"}))
        assert doc is not None
        picks = [rng.choice(base.units) for _ in range(rng.randint(2, 5))]
        head = base.passages[picks[0].source]
        sentences = [vary(u.text, rng) for u in picks]
        rng.shuffle(sentences[1:])
        for extra, parts in tail.sentences(rng):
            sentences.insert(rng.randint(1, len(sentences)), extra)
            if tails is not None:
                tails.append(parts)
        text = " ".join(sentences)
        section = head.section.replace("Bắc Kạn", rng.choice(PROVINCES))
        passage = Passage(
            doc_id=doc.id,
            ordinal=n % PASSAGES_PER_DOCUMENT,
            section=section,
            kind=head.kind,
            text=text,
            content_hash=passage_hash(doc.id, section, text),
        )
        yield fresh, context, passage, [u.source for u in picks]


def passage_vector(basis: np.ndarray, sources: list[int], rng: np.random.Generator) -> np.ndarray:
    """A synthetic dense vector: the mixture of the real vectors of the passages a synthetic
    passage draws its sentences from (weighted by sentence count), plus Gaussian noise
    (σ = ``NOISE_SIGMA`` per dimension), L2-normalised."""
    v = basis[sources].sum(axis=0)
    v = v / np.linalg.norm(v)
    v = v + rng.normal(0.0, NOISE_SIGMA, size=v.shape)
    return (v / np.linalg.norm(v)).astype(np.float32)


#: Share of the benchmark questions about a place, agency or document of the long tail.
TAIL_QUESTIONS = 0.25


def bench_questions(base: Base, eval_questions: list[str], count: int, seed: int = 11) -> list[str]:
    """The evaluation questions, questions about the long tail's places, agencies and
    documents (named in the first 1,000 synthetic passages, so in every corpus), then
    questions made from knowledge-base phrases."""
    rng = random.Random(seed)
    out = list(dict.fromkeys(eval_questions))[:count]
    tails: list[dict[str, str]] = []
    for _ in synthetic_passages(base, 1_000 - len(base.passages), tails=tails):
        pass
    for parts in rng.sample(tails, min(len(tails), round(count * TAIL_QUESTIONS))):
        if len(out) < count:
            out.append(tail_question(parts, rng))
    templates = ["{} là gì?", "Quy định về {} như thế nào?", "Nêu {}.", "{} gồm những gì?"]
    while len(out) < count:
        words = rng.choice(base.units).text.rstrip(".;:").split()
        if len(words) < 6:
            continue
        start = rng.randint(0, max(len(words) - 6, 0))
        phrase = " ".join(words[start : start + rng.randint(4, 9)]).strip(',;:()“”"')
        question = rng.choice(templates).format(phrase)
        out.append(question[0].upper() + question[1:])
    return out
