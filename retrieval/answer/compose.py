"""The extractive cited answer: sentences chosen from each passage, grouped by kind."""

from __future__ import annotations

from retrieval.domain.models import (
    Answer,
    AnswerGroup,
    Citation,
    Hit,
    Passage,
    QuestionProblem,
)
from retrieval.domain.naming import KIND_LABELS, shorten
from retrieval.domain.text import STOPWORDS, bigrams, fold, split_sentences, syllables
from retrieval.knowledge.chunking import CONTINUED

KIND_ORDER = list(KIND_LABELS)


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
    return [shorten(s, limit) for s in out]


def build_answer(question: str, hits: list[Hit], confidence: float) -> Answer:
    citations = [
        Citation(
            number=n,
            hit=h,
            excerpt=excerpt(question, h.passage),
        )
        for n, h in enumerate(hits, 1)
    ]
    return Answer(
        question=question,
        abstained=False,
        citations=citations,
        groups=group(citations),
        confidence=confidence,
    )


def abstain(question: str, reason: str, problem: QuestionProblem | None = None) -> Answer:
    return Answer(question=question, abstained=True, reason=reason, problem=problem)


def group(citations: list[Citation]) -> list[AnswerGroup]:
    """Citations under their kind, kinds in a fixed reading order."""
    numbers: dict[str, list[int]] = {}
    for c in citations:
        numbers.setdefault(c.hit.passage.kind, []).append(c.number)
    return [AnswerGroup(kind=k, numbers=numbers[k]) for k in KIND_ORDER if k in numbers]
