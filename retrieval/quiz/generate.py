"""Every question generator, run over the knowledge base."""

from __future__ import annotations

from collections.abc import Callable

from retrieval.quiz.assemble import Draft
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.gen_docs import document_questions
from retrieval.quiz.gen_facts import date_questions, deadline_questions, rank_questions
from retrieval.quiz.gen_legal import definition_questions, origin_questions
from retrieval.quiz.gen_lists import count_questions, list_questions, section_questions

GENERATORS: list[Callable[[Corpus], list[Draft]]] = [
    list_questions,
    count_questions,
    date_questions,
    rank_questions,
    section_questions,
    definition_questions,
    deadline_questions,
    origin_questions,
    document_questions,
]


def generate(corpus: Corpus) -> list[Draft]:
    """Drafts from every generator, in a stable order."""
    return [draft for gen in GENERATORS for draft in gen(corpus)]
