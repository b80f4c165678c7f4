"""Turning a generator's draft into a ``QuizQuestion``: options, order, id and explanation."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from retrieval.domain.models import Passage
from retrieval.domain.quiz import (
    FALSE,
    MAX_EXPLANATION,
    MAX_OPTION,
    TRUE,
    Difficulty,
    QuizQuestion,
    QuizSource,
    QuizTopic,
    Style,
)
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.excerpt import excerpt
from retrieval.quiz.wording import norm


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
    #: Statements of the same document shown as true besides the key (see ``QuizSource.also``).
    also: list[str] = field(default_factory=list)
    #: The correct items of the list asked about (see ``QuizSource.items``).
    items: list[str] = field(default_factory=list)
    #: Words put before the quote in the explanation ("Sai: đây là một giải pháp.").
    lead: str = ""
    #: Words of the quote the explanation must show when it has to cut the quote.
    anchor: str = ""
    #: Explain by the lead alone, without quoting (the proof is that a list lacks the key).
    lead_only: bool = False
    #: The list a list question was made from, and the items it uses (for the review sheet).
    origin_list: str | None = None


def stable_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(norm(p) for p in parts).encode()).hexdigest()


def question_id(style: str, question: str, answer: str) -> str:
    """A generated question's id: the same for the same question, across regenerations."""
    return f"g-{style.replace('_', '-')}-{stable_hash(style, question, answer)[:10]}"


def explain_tail(corpus: Corpus, passage: Passage) -> str:
    """ " — where. Lưu ý: note", the end of every explanation."""
    note = corpus.note(passage.doc_id)
    return f" — {corpus.where(passage)}" + (f". Lưu ý: {note}" if note else "")


def explain(corpus: Corpus, passage: Passage, quote: str, anchor: str = "", lead: str = "") -> str:
    """ "[lead ]«quote» — where (note)", within Telegram's 200 characters, centred on the
    words that prove the answer."""
    tail = explain_tail(corpus, passage)
    if not quote:  # the lead is the whole proof ("«X» không phải là …")
        text = f"{lead}{tail}"
        if len(text) > MAX_EXPLANATION:
            raise ValueError("giải thích dài quá giới hạn")
        return text
    lead = f"{lead} " if lead else ""
    budget = MAX_EXPLANATION - len(tail) - len(lead) - 2
    if budget < 30:
        raise ValueError("giải thích không đủ chỗ cho trích dẫn")
    return f"{lead}«{excerpt(quote, budget, anchor)}»{tail}"


def shuffled(options: list[str], correct: int, seed: str) -> tuple[list[str], int]:
    """The options in an order ``seed`` decides, and where the key went: a key written first
    in a YAML file must not be first in every poll. "Đúng"/"Sai" keep their order."""
    if options in ([TRUE, FALSE], [FALSE, TRUE]):
        return options, correct
    order = list(range(len(options)))
    random.Random(stable_hash("thứ tự", seed)).shuffle(order)
    return [options[i] for i in order], order.index(correct)


def pick(pool: list[str], k: int, seed: str) -> list[str]:
    """``k`` items of ``pool`` chosen the same way every time for the same ``seed``."""
    rng = random.Random(stable_hash(seed))
    pool = list(dict.fromkeys(pool))
    return pool if len(pool) <= k else rng.sample(pool, k)


def topic_of(passage: Passage) -> QuizTopic:
    return QuizTopic(document_id=passage.doc_id, kind=passage.kind)


def source_of(
    passage: Passage,
    quote: str,
    citation: str | None,
    items: list[str] | None = None,
    also: list[str] | None = None,
) -> QuizSource:
    """The proof of a question: its passage, the words of it that prove, what it cites."""
    return QuizSource(
        document_id=passage.doc_id,
        section=passage.section,
        passage=passage.text,
        quote=quote,
        ordinal=passage.ordinal,
        status=passage.status,
        citation=citation,
        items=items or [],
        also=also or [],
    )


def make_question(draft: Draft, corpus: Corpus) -> QuizQuestion:
    """Order the options (deterministically) and validate; raises ``ValueError`` when it
    does not fit a poll."""
    options = [draft.answer]
    for d in draft.distractors:
        if norm(d) not in {norm(o) for o in options}:
            options.append(d)
    if len(options) < 2:
        raise ValueError("không đủ phương án nhiễu")
    for option in options:
        if len(option) > MAX_OPTION:
            raise ValueError(f"phương án dài quá {MAX_OPTION} ký tự")
    if draft.style == "true_false":
        options = [TRUE, FALSE]
    else:
        random.Random(stable_hash(draft.style, draft.question, draft.answer)).shuffle(options)
    return QuizQuestion(
        id=question_id(draft.style, draft.question, draft.answer),
        question=draft.question,
        options=options,
        correct=options.index(draft.answer),
        explanation=explain(
            corpus, draft.passage, "" if draft.lead_only else draft.quote, draft.anchor, draft.lead
        ),
        origin="generated",
        style=draft.style,
        topic=topic_of(draft.passage),
        difficulty=draft.difficulty,
        source=source_of(
            draft.passage, draft.quote, corpus.citation(draft.passage), draft.items, draft.also
        ),
    )
