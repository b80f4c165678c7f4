"""The extractive cited answer: sentences chosen from each passage, grouped by kind."""

from __future__ import annotations

from retrieval.chunking import CONTINUED
from retrieval.models import KIND_LABELS, Answer, Citation, DocumentMeta, Hit, Passage
from retrieval.text import STOPWORDS, bigrams, fold, split_sentences, syllables

ABSTAIN_TEXT = (
    "Xin lỗi, cơ sở tri thức hiện chưa có nội dung đủ tin cậy để trả lời câu hỏi này, "
    "nên tôi không trích dẫn văn bản nào."
)
ASK_HINT = (
    "Gợi ý: hỏi cụ thể về cải cách hành chính, nêu chủ đề (quan điểm, mục tiêu, giải pháp, "
    "bài học kinh nghiệm, kết quả, hạn chế) hoặc tên văn bản, ví dụ: "
    "“Các giải pháp của Nghị quyết 76/NQ-CP là gì?”"
)
KIND_ORDER = list(KIND_LABELS)


def format_date(doc: DocumentMeta) -> str | None:
    return doc.issued.strftime("%d/%m/%Y") if doc.issued else None


def warning_for(passage: Passage, doc: DocumentMeta) -> str | None:
    """A visible warning when the text cited is no longer (wholly) in force."""
    notes = []
    if doc.status != "còn hiệu lực":
        replaced = f", thay thế bởi {doc.replaced_by}" if doc.replaced_by else ""
        notes.append(f"Văn bản {doc.status}{replaced}.")
    if passage.status == "bị bãi bỏ":
        notes.append(f"Điều khoản này đã bị bãi bỏ ({passage.status_note}).")
    elif passage.status == "được sửa đổi":
        notes.append(f"Điều khoản này đã được sửa đổi ({passage.status_note}).")
    if doc.status_note and doc.status != "còn hiệu lực":
        notes.append(doc.status_note)
    return " ".join(notes) or None


def _body_lines(passage: Passage) -> list[str]:
    """The passage's sentences without its carried heading and status label."""
    lines = passage.text.split("\n")
    if lines and (lines[0].startswith("Điều ") or lines[0].endswith(CONTINUED)):
        lines = lines[1:]
    if lines and lines[0].startswith("(") and "hiệu lực" in lines[0] and lines[0].endswith(")"):
        lines = lines[1:]
    return lines


def excerpt(question: str, passage: Passage, max_sentences: int = 2, limit: int = 420) -> list[str]:
    """The sentences of a passage most relevant to the question, in their original order."""
    sentences = split_sentences("\n".join(_body_lines(passage))) or [passage.text]
    qtoks = [fold(t) for t in syllables(question)]
    q = set(qtoks) - STOPWORDS
    qb = set(bigrams(qtoks))

    def score(s: str) -> float:
        toks = [fold(t) for t in syllables(s)]
        return len(q & set(toks)) + 0.5 * len(qb & set(bigrams(toks))) - 0.002 * len(s)

    ranked = sorted(range(len(sentences)), key=lambda i: score(sentences[i]), reverse=True)
    chosen: list[int] = []
    used = 0
    for i in ranked:
        if len(chosen) >= max_sentences or (chosen and used + len(sentences[i]) > limit):
            continue
        chosen.append(i)
        used += len(sentences[i])
    out = [sentences[i] for i in sorted(chosen)]
    return [s if len(s) <= limit else s[: limit - 1].rsplit(" ", 1)[0] + "…" for s in out]


def build_answer(question: str, hits: list[Hit], confidence: float) -> Answer:
    citations = [
        Citation(
            number=n,
            hit=h,
            excerpt=excerpt(question, h.passage),
            warning=warning_for(h.passage, h.document),
        )
        for n, h in enumerate(hits, 1)
    ]
    return Answer(question=question, abstained=False, citations=citations, confidence=confidence)


def abstain(question: str, reason: str | None = None, error: str | None = None) -> Answer:
    return Answer(question=question, abstained=True, reason=reason, error=error)


def grouped(answer: Answer) -> list[tuple[str, list[Citation]]]:
    """Citations under their kind's Vietnamese heading, kinds in a fixed reading order."""
    groups: dict[str, list[Citation]] = {}
    for c in answer.citations:
        groups.setdefault(c.hit.passage.kind, []).append(c)
    return [(KIND_LABELS[k], groups[k]) for k in KIND_ORDER if k in groups]


def citation_label(c: Citation) -> str:
    """'Title — Số 76/NQ-CP — ngày 15/07/2021 — Mục: … — Nguồn: …'."""
    doc = c.hit.document
    parts = [doc.title]
    if doc.number:
        parts.append(f"số {doc.number}")
    if date := format_date(doc):
        parts.append(f"ngày {date}")
    parts.append(f"mục: {c.hit.passage.section}")
    if origin := c.hit.passage.origin:
        parts.append(f"trích {origin}")
    if doc.source:
        parts.append(f"nguồn: {doc.source}")
    return " — ".join(parts)


def render_text(answer: Answer) -> str:
    """The answer as a person reads it in a terminal."""
    if answer.error:
        return answer.error
    if answer.abstained:
        return f"{ABSTAIN_TEXT}\n{ASK_HINT}"
    lines: list[str] = []
    for label, cites in grouped(answer):
        lines.append(f"{label}:")
        for c in cites:
            lines.append(f"  • {' '.join(c.excerpt)} [{c.number}]")
        lines.append("")
    lines.append("Nguồn trích dẫn:")
    for c in answer.citations:
        lines.append(f"[{c.number}] {citation_label(c)}")
        if c.warning:
            lines.append(f"    ⚠️ {c.warning}")
    return "\n".join(lines)
