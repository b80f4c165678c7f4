"""The quiz: a question bank built from the knowledge base (it knows nothing of Telegram)."""

from retrieval.domain.quiz import QuizQuestion, QuizSource, QuizTopic
from retrieval.quiz.bank import (
    BankReport,
    build_bank,
    build_report,
    dump_json_lines,
    load_bank,
)
from retrieval.quiz.curated import CuratedError, load_curated
from retrieval.quiz.topics import filter_topic

__all__ = [
    "BankReport",
    "CuratedError",
    "QuizQuestion",
    "QuizSource",
    "QuizTopic",
    "build_bank",
    "build_report",
    "dump_json_lines",
    "filter_topic",
    "load_bank",
    "load_curated",
]
