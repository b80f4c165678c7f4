"""Retrieval quality on a questions file: R@1, R@5, MRR and abstention accuracy."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel

from retrieval.domain.text import nfc
from retrieval.service.answering import AnsweringService


class EvalQuestion(BaseModel):
    id: str = ""
    question: str
    expect: list[str] = []
    abstain: bool = False


class EvalRow(BaseModel):
    id: str
    question: str
    abstain_expected: bool
    abstained: bool
    rank: int | None
    confidence: float


class EvalReport(BaseModel):
    questions: int
    answerable: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    abstention_accuracy: float
    false_abstentions: int
    rows: list[EvalRow]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text).lower()).strip()


def load_questions(path: Path) -> list[EvalQuestion]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [EvalQuestion.model_validate(json.loads(x)) for x in lines if x.strip()]


def evaluate(assistant: AnsweringService, questions: list[EvalQuestion], k: int = 5) -> EvalReport:
    rows: list[EvalRow] = []
    for q in questions:
        answer = assistant.ask(q.question, k=k)
        rank = None
        spans = [normalise(s) for s in q.expect]
        for i, hit in enumerate(answer.hits, 1):
            text = normalise(hit.passage.text)
            if any(s in text for s in spans):
                rank = i
                break
        rows.append(
            EvalRow(
                id=q.id,
                question=q.question,
                abstain_expected=q.abstain,
                abstained=answer.abstained,
                rank=rank,
                confidence=round(answer.confidence, 4),
            )
        )
    answerable = [r for r in rows if not r.abstain_expected]
    should_abstain = [r for r in rows if r.abstain_expected]
    n = max(len(answerable), 1)
    return EvalReport(
        questions=len(rows),
        answerable=len(answerable),
        recall_at_1=sum(r.rank == 1 for r in answerable) / n,
        recall_at_5=sum(r.rank is not None and r.rank <= 5 for r in answerable) / n,
        mrr=sum(1 / r.rank for r in answerable if r.rank) / n,
        abstention_accuracy=(
            sum(r.abstained for r in should_abstain) / len(should_abstain)
            if should_abstain
            else 1.0
        ),
        false_abstentions=sum(r.abstained for r in answerable),
        rows=rows,
    )
