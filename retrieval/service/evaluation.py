"""Quality on a questions file, measured on what users read.

Retrieval: R@1, R@5 and MRR of the first cited passage that holds an expected span.
What is shown: the share of answerable questions whose expected span is visible in each
rendering of the answer that the caller passes (the terminal's, Telegram's), and for list
questions whether every item is visible, in the document's order. Refusals: the share of
questions that must be refused that were, and the answerable ones refused by mistake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from retrieval.domain.models import Answer
from retrieval.domain.text import nfc
from retrieval.service.answering import AnsweringService

#: A rendering of an answer as the user reads it (plain text).
Renderer = Callable[[Answer], str]


class EvalQuestion(BaseModel):
    id: str = ""
    question: str
    expect: list[str] = []
    abstain: bool = False
    #: For list questions: a span of every item, in the document's order.
    items: list[str] = []
    kind: str = ""
    doc: str = ""


class EvalRow(BaseModel):
    id: str
    question: str
    kind: str = ""
    abstain_expected: bool
    abstained: bool
    rank: int | None
    confidence: float
    #: renderer name → whether an expected span is visible in it
    visible: dict[str, bool] = {}
    list_complete: bool | None = None


class EvalReport(BaseModel):
    questions: int
    answerable: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    abstention_accuracy: float
    false_abstentions: int
    #: renderer name → share of answerable questions whose expected span is visible
    visible: dict[str, float] = {}
    #: share of list questions whose items are all visible, in order (None: no list questions)
    list_completeness: float | None = None
    rows: list[EvalRow]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text).lower()).strip()


def load_questions(path: Path) -> list[EvalQuestion]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [EvalQuestion.model_validate(json.loads(x)) for x in lines if x.strip()]


def in_order(spans: list[str], text: str) -> bool:
    """Whether every span occurs in ``text``, each after the one before."""
    pos = 0
    for span in spans:
        found = text.find(span, pos)
        if found < 0:
            return False
        pos = found + len(span)
    return True


def evaluate(
    answering: AnsweringService,
    questions: list[EvalQuestion],
    k: int = 5,
    renderers: dict[str, Renderer] | None = None,
) -> EvalReport:
    renderers = renderers or {}
    rows: list[EvalRow] = []
    for q in questions:
        answer = answering.ask(q.question, k=k)
        spans = [normalise(s) for s in q.expect]
        rank = None
        for i, citation in enumerate(answer.citations, 1):
            cited = [citation.hit, *citation.more]  # an article's passages, cited as one
            if any(s in normalise(h.passage.text) for h in cited for s in spans):
                rank = i
                break
        shown = {name: normalise(render(answer)) for name, render in renderers.items()}
        visible = {name: any(s in text for s in spans) for name, text in shown.items()}
        complete = None
        if q.items and shown:
            items = [normalise(s) for s in q.items]
            complete = all(in_order(items, text) for text in shown.values())
        rows.append(
            EvalRow(
                id=q.id,
                question=q.question,
                kind=q.kind,
                abstain_expected=q.abstain,
                abstained=answer.abstained,
                rank=rank,
                confidence=round(answer.confidence, 4),
                visible=visible if not q.abstain else {},
                list_complete=complete,
            )
        )
    answerable = [r for r in rows if not r.abstain_expected]
    should_abstain = [r for r in rows if r.abstain_expected]
    lists = [r for r in rows if r.list_complete is not None]
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
        visible={
            name: sum(r.visible.get(name, False) for r in answerable) / n for name in renderers
        },
        list_completeness=(sum(bool(r.list_complete) for r in lists) / len(lists))
        if lists
        else None,
        rows=rows,
    )
