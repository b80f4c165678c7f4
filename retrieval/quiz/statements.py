"""At most one question per source statement, across all styles.

A statement is a unit of a passage: a line, a sentence, or a part of one between ";" or after
":" (the items of "tập trung vào 6 nội dung, đó là: …; …"). A question rests on the statements
its quote touches, and on those of the members it shows as true (``QuizSource.also``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from retrieval.domain.quiz import QuizQuestion
from retrieval.domain.text import split_sentences
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.wording import norm

Key = tuple[str, str]  # (document id, normalised statement)
_LINE_MARK = re.compile(r"^(?:\d{1,2}\.|[a-zđ]\)|-)\s+")
#: Word runs this long shared by a quote and a statement tie them even when neither holds the
#: other (a quote across the end of one statement and the start of the next).
SHINGLE = 5


@lru_cache(maxsize=1024)
def units(text: str) -> tuple[str, ...]:
    """The statements of a passage."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _LINE_MARK.sub("", line.strip())
        for sentence in split_sentences(line) or [line]:
            for part in re.split(r";\s+|:\s+", sentence):
                if len(norm(part).split()) >= 2:
                    out.append(norm(part))
    return tuple(out)


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def touched(quote: str, text: str) -> set[str]:
    """The statements of ``text`` that ``quote`` says (part of) something of: those inside it,
    else the first that holds it, else those sharing a run of words with it."""
    q = norm(quote)
    all_units = units(text)
    inside = {u for u in all_units if u in q}
    holder = next((u for u in all_units if q in u), None)
    if inside or holder:
        return inside | ({holder} if holder else set())
    q_shingles = _shingles(q.split())
    return {u for u in all_units if q_shingles & _shingles(u.split())}


@dataclass
class Ledger:
    """The statements already asked about, and by which question."""

    corpus: Corpus
    owners: dict[Key, str] = field(default_factory=dict)

    def keys(self, doc_id: str, quotes: Iterable[str]) -> set[Key]:
        keys: set[Key] = set()
        for quote in quotes:
            holders = self.corpus.find(doc_id, quote)
            if holders:
                keys |= {(doc_id, u) for u in touched(quote, holders[0].text)}
        return keys

    def keys_of(self, q: QuizQuestion) -> set[Key]:
        return self.keys(q.source.document_id, [q.source.quote, *q.source.also])

    def owner(self, keys: set[Key]) -> str | None:
        return next((self.owners[k] for k in keys if k in self.owners), None)

    def free(self, doc_id: str, quotes: Iterable[str]) -> bool:
        return self.owner(self.keys(doc_id, quotes)) is None

    def take(self, keys: set[Key], question_id: str) -> None:
        for k in keys:
            self.owners.setdefault(k, question_id)
