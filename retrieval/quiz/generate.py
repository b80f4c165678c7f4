"""Every question generator, run over the knowledge base in a stable order.

The order matters: each generator marks the statements it asks about, and a later one does not
ask about them again (``statements.Ledger``). Lists come first (they ask about the substance of
documents), then counts, definitions and time limits.
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.quiz.assemble import Draft
from retrieval.quiz.context import Context
from retrieval.quiz.gen_facts import count_questions, deadline_questions
from retrieval.quiz.gen_legal import definition_questions
from retrieval.quiz.gen_lists import list_questions

GENERATORS: list[Callable[[Context], list[Draft]]] = [
    list_questions,
    count_questions,
    definition_questions,
    deadline_questions,
]


def generate(ctx: Context) -> list[Draft]:
    """Drafts from every generator, in a stable order."""
    return [draft for gen in GENERATORS for draft in gen(ctx)]
