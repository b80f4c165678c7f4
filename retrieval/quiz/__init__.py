"""The quiz: a question bank built from the knowledge base, and practice in the terminal."""

from retrieval.quiz.bank import (
    BankReport,
    build_bank,
    build_report,
    dump_json_lines,
    filter_topic,
    load_bank,
)
from retrieval.quiz.curated import CuratedError, load_curated
from retrieval.quiz.models import QuizQuestion, QuizSource, QuizTopic
from retrieval.quiz.practice import PracticeResult, run_practice

__all__ = [
    "BankReport",
    "CuratedError",
    "PracticeResult",
    "QuizQuestion",
    "QuizSource",
    "QuizTopic",
    "build_bank",
    "build_report",
    "dump_json_lines",
    "filter_topic",
    "load_bank",
    "load_curated",
    "run_practice",
]
