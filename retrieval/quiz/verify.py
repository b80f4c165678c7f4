"""Checks that a question is proved by its passage, that its wrong options are wrong and do not
restate a correct item, that its form gives nothing away, and that a legal question names its
act and article and asks only current law.

Each problem has a reason code, so that a build can say how many questions it left out and why
(the faces phrase the codes: ``retrieval.domain.messages.QUIZ_REASONS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.domain.quiz import FALSE, TRUE, QuizQuestion, statement_of
from retrieval.domain.text import STOPWORDS, fold, syllables
from retrieval.knowledge.chunking import LEGAL_KINDS
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.form import form_problems
from retrieval.quiz.legal import unanswerable
from retrieval.quiz.similarity import Similarity
from retrieval.quiz.wording import numbers_in, occurs

_CODE = re.compile(r"\b\d+\.\d+\.(?:NĐ|TT|TL|QĐ)\.\d+")
_CITATION = re.compile(r"Điều \d+\w? (?:Nghị định|Thông tư|Quyết định|Luật) \d+/\d{4}/")


@dataclass(frozen=True)
class Problem:
    code: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


def keyword_share(option: str, text: str) -> float:
    """Share of the option's content words (folded) that occur in ``text``."""
    words = {fold(s) for s in syllables(option)} - STOPWORDS
    if not words:
        return 0.0
    have = {fold(s) for s in syllables(text)}
    return len(words & have) / len(words)


def answer_supported(q: QuizQuestion) -> bool:
    """The correct option is what the quoted passage says."""
    src, answer = q.source, q.answer
    if q.style == "scenario":
        return True  # the template's proof words were found in the article when it was filled
    if q.origin == "curated" and q.style == "true_false":
        return answer in (TRUE, FALSE)  # the author's verdict on the quoted statement
    if q.origin == "curated":
        shown = q.distractors if q.style == "not_in_list" else [answer]
        return all(occurs(o, src.passage) or keyword_share(o, src.passage) >= 0.75 for o in shown)
    if q.style == "count":
        return answer.isdigit() and int(answer) in numbers_in(src.quote)
    if q.style == "deadline":
        return occurs(answer, src.quote)
    if q.style in ("list_item", "cause_effect"):
        return answer in src.items
    if q.style == "not_in_list":
        return answer not in src.items and all(d in src.items for d in q.distractors)
    if q.style == "true_false":
        statement = statement_of(q.question)
        return (statement in src.items) == (answer == TRUE)
    return occurs(answer, src.quote)


def distractor_problems(q: QuizQuestion) -> list[Problem]:
    """Wrong options that the proof would make right."""
    src = q.source
    out: list[Problem] = []
    if q.style in ("not_in_list", "true_false"):
        return out
    for d in q.distractors:
        if q.style in ("count", "deadline"):
            if numbers_in(d) and numbers_in(d)[0] in numbers_in(src.quote):
                out.append(Problem("nhieu-dung", d))
        elif occurs(d, src.quote):
            out.append(Problem("nhieu-dung", d))
    return out


def restatement_problems(q: QuizQuestion, sim: Similarity) -> list[Problem]:
    """Wrong statements of a list question that may say what a correct item says."""
    if not q.source.items:
        return []
    sim.prepare([*q.wrong_statements, *q.source.items])  # may find the model cannot load
    if not sim.available and q.origin == "generated":
        return [Problem("khong-mo-hinh", q.id)]
    out = []
    for wrong in q.wrong_statements:
        why = sim.restates_any(wrong, q.source.items)
        if why:
            out.append(Problem("trung-y", f"«{wrong}»: {why}"))
    return out


def legal_problems(q: QuizQuestion, corpus: Corpus) -> list[Problem]:
    """A question on the law names the act and the article and asks only current law."""
    out: list[Problem] = []
    doc = corpus.docs.get(q.source.document_id)
    text = f"{q.question} {' '.join(q.options)}"
    if _CODE.search(text) or "Pháp điển" in text:
        out.append(Problem("dan-luat", "nêu mã Pháp điển"))
    if doc is None or doc.kind not in LEGAL_KINDS:
        return out
    if q.style == "true_false" and (q.source.citation or "") not in q.question:
        # a false statement is proved by another article than the one the question names
        if not _CITATION.search(q.question):
            out.append(Problem("dan-luat", "câu hỏi không nêu điều và văn bản"))
    elif not q.source.citation or q.source.citation not in q.question:
        out.append(Problem("dan-luat", f"câu hỏi không nêu «{q.source.citation}»"))
    if unanswerable(q.question):
        out.append(Problem("tham-chieu", q.question[:80]))
    passage = next(
        (p for p in corpus.passages if p.doc_id == doc.id and p.text == q.source.passage), None
    )
    art = corpus.legal.of(passage) if passage is not None else None
    if art is not None:
        line = next((ln for ln in q.source.passage.split("\n") if occurs(q.source.quote, ln)), "")
        why = corpus.legal.current(art, line or q.source.quote)
        if why:
            out.append(Problem("het-hieu-luc", why))
    return out


def problems(q: QuizQuestion, corpus: Corpus, sim: Similarity | None = None) -> list[Problem]:
    """Everything wrong with ``q``; empty when it is provably right and fair."""
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
        return [Problem("nguon", "đoạn nguồn không có trong kho văn bản")]
    out: list[Problem] = []
    if not corpus.usable(passage):
        out.append(Problem("nguon", "đoạn nguồn đã bị bãi bỏ hoặc văn bản hết hiệu lực"))
    if not occurs(src.quote, src.passage):
        out.append(Problem("nguon", "trích dẫn không có trong đoạn nguồn"))
    for also in src.also:
        if not corpus.find(src.document_id, also):
            out.append(Problem("nguon", f"«{also}» không có trong văn bản"))
    if not answer_supported(q):
        out.append(Problem("dap-an", repr(q.answer)))
    out.extend(distractor_problems(q))
    out.extend(Problem("hinh-thuc", p) for p in form_problems(q.options, q.correct))
    out.extend(legal_problems(q, corpus))
    if sim is not None:
        out.extend(restatement_problems(q, sim))
    return out
