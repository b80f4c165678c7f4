"""Which questions a topic asks for: ``/quiz 10 30 nq-76 vận dụng``, ``cchc quiz --topic``.

A topic names a document (its id or part of it), a kind of content ("giải pháp", ``giai_phap``),
a kind of question ("tình huống", ``scenario``), a level of thinking ("nhớ", "hiểu", "vận
dụng"), or a level with one of the others. Accents and case do not matter.
"""

from __future__ import annotations

import re

from retrieval.domain.naming import KIND_LABELS, STYLE_LABELS
from retrieval.domain.quiz import DIFFICULTIES, QuizQuestion
from retrieval.domain.text import fold


def _words(text: str) -> str:
    return " ".join(re.sub(r"[_\s]+", " ", fold(text)).split())


def split_level(topic: str) -> tuple[str | None, str]:
    """The level a topic names, if any, and the rest of it: "nq-76 vận dụng" → ("vận dụng",
    "nq-76")."""
    wanted = _words(topic)
    for level in sorted(DIFFICULTIES, key=len, reverse=True):
        folded = _words(level)
        found = re.search(rf"(?:^| ){re.escape(folded)}(?: |$)", wanted)
        if found:
            rest = (wanted[: found.start()] + " " + wanted[found.end() :]).strip()
            return level, " ".join(rest.split())
    return None, wanted


def names_of(q: QuizQuestion) -> list[str]:
    """Everything a topic may name a question by."""
    style = STYLE_LABELS.get(q.style, "")
    return [q.topic.document_id, q.topic.kind, KIND_LABELS[q.topic.kind], q.style, style]


def matches_topic(q: QuizQuestion, topic: str) -> bool:
    level, rest = split_level(topic)
    if level is not None and q.difficulty != level:
        return False
    return not rest or any(rest in _words(name) for name in names_of(q) if name)


def filter_topic(bank: list[QuizQuestion], topic: str | None) -> list[QuizQuestion]:
    return bank if not topic or not topic.strip() else [q for q in bank if matches_topic(q, topic)]
