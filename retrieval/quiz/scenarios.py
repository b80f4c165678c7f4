"""Situation questions: curated templates (``knowledge/quiz/scenarios.yaml``) filled from the
articles of the legal text.

A template gives a situation, the question, the options and the words of the article that
decide it. The article fills the rest: the citation the question names ("Theo Điều 6 Nghị định
63/2010/NĐ-CP"), the proof and its explanation. The template fails loudly when the article is
no longer there, when its words are gone, or when the article is repealed or its wording out
of date — so a scenario never asks a provision that a later act changed.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from retrieval.domain.quiz import (
    MAX_EXPLANATION,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    Difficulty,
    QuizQuestion,
)
from retrieval.quiz.assemble import explain, shuffled, source_of, topic_of
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.errors import CuratedError, read_yaml
from retrieval.quiz.form import form_problems
from retrieval.quiz.wording import occurs

SCENARIOS_FILE = "scenarios.yaml"


class ScenarioError(CuratedError):
    """A template that cannot be filled; the message names the file and the template."""


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    #: The Pháp điển code of the article that decides the case ("44.5.NĐ.6").
    article: str
    #: Words of the article that decide it (copied from it).
    quote: str = Field(min_length=10)
    situation: str = Field(min_length=20)
    #: The question after the situation; {citation} is "Điều 6 Nghị định 63/2010/NĐ-CP".
    ask: str = Field(min_length=10)
    options: list[str] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    correct: int = Field(ge=0)
    #: Words of the key that must be in the article, so that a changed article is noticed.
    proof: list[str] = []
    #: A short reason before the quote in the explanation ("Không được nhận:").
    why: str = Field("", max_length=90)
    difficulty: Difficulty = "vận dụng"

    @model_validator(mode="after")
    def _fits(self) -> Scenario:
        if "{citation}" not in self.ask:
            raise ValueError("ask phải nêu {citation}: câu tình huống luôn dẫn điều luật")
        for option in self.options:
            if not option.strip() or len(option) > MAX_OPTION:
                raise ValueError(f"phương án rỗng hoặc dài quá {MAX_OPTION} ký tự: {option!r}")
        if len({o.lower().strip() for o in self.options}) != len(self.options):
            raise ValueError("các phương án bị trùng nhau")
        if self.correct >= len(self.options):
            raise ValueError(f"correct={self.correct} vượt quá số phương án")
        return self


def load_scenarios(directory: Path) -> list[Scenario]:
    path = directory / SCENARIOS_FILE
    if not path.is_file():
        return []
    data = read_yaml(path, ScenarioError, list)
    assert isinstance(data, list)
    out: list[Scenario] = []
    for i, raw in enumerate(data, start=1):
        label = raw.get("id", "?") if isinstance(raw, dict) else "?"
        try:
            out.append(Scenario.model_validate(raw))
        except ValidationError as exc:
            raise ScenarioError(
                f"{path}: tình huống {i} ({label}): {exc.errors()[0]['msg']}"
            ) from exc
    ids = [s.id for s in out]
    if len(ids) != len(set(ids)):
        raise ScenarioError(f"{path}: mã tình huống trùng nhau")
    return out


def fill(scenario: Scenario, corpus: Corpus) -> QuizQuestion:
    """The question of ``scenario``, its citation and proof taken from the article."""
    name = f"tình huống {scenario.id}"
    art = corpus.legal.by_code.get(scenario.article)
    if art is None or not art.citation:
        raise ScenarioError(f"{name}: không có điều {scenario.article} trong văn bản")
    holders = [p for p in art.passages if occurs(scenario.quote, p.text)]
    if not holders:
        raise ScenarioError(f"{name}: trích dẫn không có trong {art.citation}")
    passage = holders[0]
    line = next((ln for ln in passage.text.split("\n") if occurs(scenario.quote, ln)), "")
    why_not = corpus.legal.current(art, line or scenario.quote)
    if why_not or not corpus.usable(passage):
        raise ScenarioError(f"{name}: {art.citation} không còn là luật hiện hành ({why_not})")
    for words in scenario.proof:
        if not occurs(words, passage.text):
            raise ScenarioError(f"{name}: «{words}» không còn trong {art.citation}")
    question = f"{scenario.situation.strip()} {scenario.ask.format(citation=art.citation)}"
    if len(question) > MAX_QUESTION:
        raise ScenarioError(f"{name}: câu hỏi dài {len(question)} > {MAX_QUESTION} ký tự")
    found = form_problems(scenario.options, scenario.correct)
    if found:
        raise ScenarioError(f"{name}: {'; '.join(found)}")
    try:
        anchor = next((w for w in scenario.proof if occurs(w, scenario.quote)), scenario.quote)
        explanation = explain(corpus, passage, scenario.quote, anchor, scenario.why)
    except ValueError as exc:
        raise ScenarioError(f"{name}: {exc}") from exc
    assert len(explanation) <= MAX_EXPLANATION
    options, correct = shuffled(scenario.options, scenario.correct, scenario.id)
    return QuizQuestion(
        id=f"s-{scenario.id}",
        question=question,
        options=options,
        correct=correct,
        explanation=explanation,
        origin="curated",
        style="scenario",
        topic=topic_of(passage),
        difficulty=scenario.difficulty,
        source=source_of(passage, scenario.quote, art.citation),
    )
