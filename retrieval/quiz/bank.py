"""The question bank: curated and generated questions, checked, de-duplicated, filtered."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from retrieval.domain.models import Document, Passage
from retrieval.domain.naming import KIND_LABELS
from retrieval.domain.quiz import QuizQuestion
from retrieval.domain.text import content_syllables, fold
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.assemble import make_question
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.curated import CuratedEntry, CuratedError, load_curated, resolve
from retrieval.quiz.generate import generate
from retrieval.quiz.verify import problems
from retrieval.quiz.wording import norm, numbers_in

#: Two questions with the same answer whose content words are this alike ask the same thing.
SAME_QUESTION = 0.8


@dataclass
class BankReport:
    """What was built and what was rejected, and why."""

    questions: list[QuizQuestion]
    drafts: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (question, reason)
    duplicates: int = 0

    def counts(self) -> Counter[str]:
        return Counter(q.origin for q in self.questions)


def _words(q: QuizQuestion) -> set[str]:
    return set(content_syllables(q.question))


def dedupe(questions: Iterable[QuizQuestion]) -> tuple[list[QuizQuestion], int]:
    """First of each id, of each normalised question + answer, and of each near-identical
    question with the same answer (curated come first, so they win)."""
    kept: list[QuizQuestion] = []
    ids: set[str] = set()
    keys: set[str] = set()
    dropped = 0
    for q in questions:
        key = f"{norm(q.question)}|{norm(q.answer)}"
        words = _words(q)
        near = any(
            norm(k.answer) == norm(q.answer)
            and (k.style == q.style or "curated" in (k.style, q.style))
            and numbers_in(k.question) == numbers_in(q.question)
            and len(words & _words(k)) / max(1, len(words | _words(k))) >= SAME_QUESTION
            for k in kept
        )
        if q.id in ids or key in keys or near:
            dropped += 1
            continue
        ids.add(q.id)
        keys.add(key)
        kept.append(q)
    return kept, dropped


def build_report(
    documents: list[Document],
    passages: list[Passage],
    curated: list[CuratedEntry] | None = None,
) -> BankReport:
    """Build the bank and say what was rejected. Curated questions that cannot be tied to a
    passage raise ``CuratedError``; generated ones that fail a check are left out."""
    corpus = Corpus(documents, passages)
    made: list[QuizQuestion] = []
    for entry in curated or []:
        q = resolve(entry, corpus)
        found = problems(q, corpus)
        if found:
            raise CuratedError(f"{entry.name}: {'; '.join(found)}")
        made.append(q)
    drafts = generate(corpus)
    report = BankReport(questions=[], drafts=len(drafts))
    for draft in drafts:
        try:
            q = make_question(draft, corpus)
        except (ValueError, ValidationError) as exc:
            report.rejected.append((draft.question, str(exc).splitlines()[0]))
            continue
        found = problems(q, corpus)
        if found:
            report.rejected.append((q.question, "; ".join(found)))
            continue
        made.append(q)
    report.questions, report.duplicates = dedupe(made)
    return report


def build_bank(
    documents: list[Document],
    passages: list[Passage],
    curated: list[CuratedEntry] | None = None,
) -> list[QuizQuestion]:
    """Curated and generated questions over ``documents`` and their ``passages``."""
    return build_report(documents, passages, curated).questions


def load_bank(knowledge_dir: Path) -> BankReport:
    """The bank of a knowledge folder: its documents and its ``quiz/*.yaml``."""
    documents = load_knowledge_dir(knowledge_dir)
    passages = [p for doc in documents for p in chunk_document(doc)]
    return build_report(documents, passages, load_curated(knowledge_dir / "quiz"))


def matches_topic(q: QuizQuestion, topic: str) -> bool:
    """A topic is a document id, a kind (``giai_phap`` or "giải pháp"), or part of either."""
    wanted = fold(topic).strip().replace("_", " ")
    names = [q.topic.document_id, q.topic.kind, KIND_LABELS[q.topic.kind]]
    return any(wanted in fold(n).replace("_", " ") for n in names)


def filter_topic(bank: list[QuizQuestion], topic: str | None) -> list[QuizQuestion]:
    return bank if not topic else [q for q in bank if matches_topic(q, topic)]


def dump_json_lines(bank: list[QuizQuestion]) -> Iterable[str]:
    """The ``cchc quiz --dump-json`` lines: one JSON object per question."""
    for q in bank:
        yield json.dumps(q.model_dump(mode="json"), ensure_ascii=False)
