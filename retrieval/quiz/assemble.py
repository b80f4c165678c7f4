"""Turning a generator's draft into a ``QuizQuestion``: options, order, id and explanation."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field

from retrieval.domain.models import Passage
from retrieval.domain.naming import shorten
from retrieval.domain.quiz import (
    MAX_EXPLANATION,
    MAX_OPTION,
    Difficulty,
    QuizQuestion,
    QuizSource,
    QuizTopic,
    Style,
)
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.wording import norm

MAX_DISTRACTORS = 3
_ITEM_MARK = re.compile(r"^(?:\d{1,2}\.|[a-zđ]\))\s+")


@dataclass
class Draft:
    """A question as a generator sees it: the answer, the wrong ones and the proof."""

    style: Style
    difficulty: Difficulty
    question: str
    answer: str
    distractors: list[str]
    quote: str
    passage: Passage
    notes: list[str] = field(default_factory=list)


def stable_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(norm(p) for p in parts).encode()).hexdigest()


def explain(corpus: Corpus, passage: Passage, quote: str) -> str:
    """ "«quote» — where", within Telegram's 200 characters."""
    where = corpus.where(passage)
    quote = _ITEM_MARK.sub("", quote.strip())
    budget = MAX_EXPLANATION - len(where) - len("«» — ")
    return f"«{shorten(quote, budget)}» — {where}"


def pick(pool: list[str], k: int, seed: str) -> list[str]:
    """``k`` items of ``pool`` chosen the same way every time for the same ``seed``."""
    rng = random.Random(stable_hash(seed))
    pool = list(dict.fromkeys(pool))
    return pool if len(pool) <= k else rng.sample(pool, k)


def make_question(draft: Draft, corpus: Corpus) -> QuizQuestion:
    """Shorten, shuffle (deterministically) and validate; raises ``ValueError`` when it
    cannot be made to fit."""
    answer = shorten(draft.answer, MAX_OPTION)
    options = [answer]
    for d in draft.distractors:
        option = shorten(d, MAX_OPTION)
        if norm(option) not in {norm(o) for o in options}:
            options.append(option)
        if len(options) > MAX_DISTRACTORS:
            break
    if len(options) < 2:
        raise ValueError("không đủ phương án nhiễu")
    digest = stable_hash(draft.style, draft.question, draft.answer)
    random.Random(digest).shuffle(options)
    return QuizQuestion(
        id=f"g-{draft.style.replace('_', '-')}-{digest[:10]}",
        question=draft.question,
        options=options,
        correct=options.index(answer),
        explanation=explain(corpus, draft.passage, draft.quote),
        origin="generated",
        style=draft.style,
        topic=QuizTopic(document_id=draft.passage.doc_id, kind=draft.passage.kind),
        difficulty=draft.difficulty,
        source=QuizSource(
            document_id=draft.passage.doc_id,
            section=draft.passage.section,
            passage=draft.passage.text,
            quote=draft.quote,
            ordinal=draft.passage.ordinal,
            status=draft.passage.status,
        ),
    )
