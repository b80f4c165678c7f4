"""Checks that a question is proved by its passage and that its wrong options are wrong."""

from __future__ import annotations

from retrieval.domain.quiz import QuizQuestion
from retrieval.domain.text import STOPWORDS, fold, syllables
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.wording import dates_in, numbers_in, occurs

#: Styles whose wrong options come from other passages: they must not occur in this one.
FOREIGN_DISTRACTORS = {"list_item", "list_order", "origin", "document"}


def _date_of(option: str):
    found = dates_in(option)
    return next(iter(found)) if len(found) == 1 else None


def keyword_share(option: str, text: str) -> float:
    """Share of the option's content words (folded) that occur in ``text``."""
    words = {fold(s) for s in syllables(option)} - STOPWORDS
    if not words:
        return 0.0
    have = {fold(s) for s in syllables(text)}
    return len(words & have) / len(words)


def answer_supported(q: QuizQuestion, corpus: Corpus) -> bool:
    """The correct option is what the quoted passage says."""
    src, answer = q.source, q.answer
    if q.style == "count":
        return answer.isdigit() and int(answer) in numbers_in(src.quote)
    if q.style == "date":
        d = _date_of(answer)
        return d is not None and d in dates_in(src.quote)
    if q.style == "section":
        return occurs(answer, src.section)
    if q.style == "document":
        return src.document_id in corpus.docs and answer == corpus.label(src.document_id)
    if q.style == "curated":
        d = _date_of(answer)
        if d is not None:
            return d in dates_in(src.passage)
        return occurs(answer, src.passage) or keyword_share(answer, src.passage) >= 0.75
    return occurs(answer, src.quote)


def distractor_problems(q: QuizQuestion) -> list[str]:
    """Wrong options that the proof would make right."""
    src = q.source
    out: list[str] = []
    for d in q.distractors:
        if q.style == "count" and d.isdigit() and int(d) in numbers_in(src.quote):
            out.append(f"phương án nhiễu {d!r} có trong trích dẫn")
        elif q.style == "date" and _date_of(d) in dates_in(src.quote):
            out.append(f"ngày {d!r} có trong trích dẫn")
        elif q.style not in ("section", "document") and occurs(d, src.quote):
            out.append(f"phương án nhiễu {d!r} có trong trích dẫn")
        elif q.style in FOREIGN_DISTRACTORS and occurs(d, src.passage):
            out.append(f"phương án nhiễu {d!r} có trong đoạn nguồn")
    return out


def problems(q: QuizQuestion, corpus: Corpus) -> list[str]:
    """Everything wrong with ``q``; empty when it is provably right."""
    out: list[str] = []
    src = q.source
    passage = next(
        (
            p
            for p in corpus.passages
            if p.doc_id == src.document_id and p.text == src.passage and p.section == src.section
        ),
        None,
    )
    if passage is None:
        return ["đoạn nguồn không có trong kho văn bản"]
    if not corpus.usable(passage):
        out.append("đoạn nguồn đã bị bãi bỏ hoặc văn bản hết hiệu lực")
    if not occurs(src.quote, src.passage):
        out.append("trích dẫn không có trong đoạn nguồn")
    if not answer_supported(q, corpus):
        out.append(f"đáp án {q.answer!r} không được đoạn nguồn chứng minh")
    out.extend(distractor_problems(q))
    return out
