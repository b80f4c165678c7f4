"""The question bank: curated questions, scenarios and generated questions, checked, with at
most one question per source statement, and the reviewer's decisions applied."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from retrieval.domain.models import Document, Passage
from retrieval.domain.quiz import QuizQuestion
from retrieval.domain.text import fold
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.assemble import make_question
from retrieval.quiz.context import Context
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.curated import CuratedEntry, CuratedError, CuratedSet, as_set, load_curated
from retrieval.quiz.curated import resolve as resolve_curated
from retrieval.quiz.gen_lists import resolve as resolve_list
from retrieval.quiz.generate import generate
from retrieval.quiz.scenarios import fill
from retrieval.quiz.similarity import Embedder, Similarity
from retrieval.quiz.statements import Ledger
from retrieval.quiz.verify import problems

#: Problems a curated question may have without the file being wrong: they depend on the
#: model, so the question is left out and reported rather than failing the whole set.
SOFT = {"trung-y", "khong-mo-hinh"}


@dataclass
class Rejection:
    question: str
    code: str
    detail: str
    origin: str = "generated"


@dataclass
class BankReport:
    """What was built and what was rejected, and why."""

    questions: list[QuizQuestion]
    drafts: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: int = 0
    #: Wrong options the restatement check turned away while generating, by measure.
    turned_away: Counter[str] = field(default_factory=Counter)
    #: Questions a generator did not make because the reviewer had denied them.
    refused: int = 0
    #: Candidates the generators passed over, by reason code.
    skipped: Counter[str] = field(default_factory=Counter)

    def counts(self) -> Counter[str]:
        return Counter(q.origin for q in self.questions)

    def by_reason(self) -> Counter[str]:
        return Counter(r.code for r in self.rejected)


def _check_curated(q: QuizQuestion, name: str, corpus: Corpus, sim: Similarity) -> list:
    found = problems(q, corpus, sim)
    hard = [p for p in found if p.code not in SOFT]
    if hard:
        raise CuratedError(f"{name}: {'; '.join(str(p) for p in hard)}")
    return found


def build_report(
    documents: list[Document],
    passages: list[Passage],
    curated: CuratedSet | list[CuratedEntry] | None = None,
    *,
    encoder: Embedder | None = None,
    similarity: Similarity | None = None,
) -> BankReport:
    """Build the bank and say what was rejected. Curated questions and scenarios that cannot be
    tied to a passage, or fail a check, raise ``CuratedError``; generated ones are left out.
    Wrong options are checked by ``similarity`` (or a new one over ``encoder``; without
    either, by their words alone, and generated list questions are left out)."""
    cur = as_set(curated)
    corpus = Corpus(documents, passages, cur.sources, cur.rules)
    sim = similarity or Similarity(encoder)
    sim.common = corpus.domain_pairs
    ledger = Ledger(corpus)
    ctx = Context(corpus, sim, ledger, cur.lists, cur.review)
    report = BankReport(questions=[])
    items = {}
    for spec in cur.lists:
        resolved = resolve_list(ctx, spec)
        if resolved is not None:
            items[spec.id] = resolved.items

    kept: list[QuizQuestion] = []
    errors: list[str] = []
    makers = [(e.name, lambda e=e: resolve_curated(e, corpus, items)) for e in cur.questions]
    makers += [(f"tình huống {s.id}", lambda s=s: fill(s, corpus)) for s in cur.scenarios]
    for name, make in makers:
        try:
            q = make()
            soft = _check_curated(q, name, corpus, sim)
        except CuratedError as exc:
            errors.append(str(exc))
            continue
        if soft:
            report.rejected += [Rejection(q.question, p.code, p.detail, "curated") for p in soft]
            continue
        keys = ledger.keys_of(q)
        owner = ledger.owner(keys)
        if owner:
            errors.append(f"{name}: cùng câu nguồn với {owner} (mỗi câu nguồn một câu hỏi)")
            continue
        ledger.take(keys, q.id)
        kept.append(q)
    if errors:
        raise CuratedError("\n".join(errors))

    drafts = generate(ctx)
    report.drafts = len(drafts)
    report.turned_away = ctx.turned_away
    report.refused = ctx.refusals
    report.skipped = ctx.skipped
    for draft in drafts:
        try:
            q = make_question(draft, corpus)
        except (ValueError, ValidationError) as exc:
            report.rejected.append(Rejection(draft.question, "gioi-han", str(exc).splitlines()[0]))
            continue
        found = problems(q, corpus, sim)
        if found:
            report.rejected.append(Rejection(q.question, found[0].code, found[0].detail))
            continue
        denial = cur.review.denial(q)
        if denial:
            report.rejected.append(Rejection(q.question, "nguoi-duyet", denial))
            continue
        keys = ledger.keys_of(q)
        owner = ledger.owner(keys)
        if owner not in (None, q.id):
            report.rejected.append(Rejection(q.question, "trung-cau-nguon", owner))
            continue
        ledger.take(keys, q.id)
        kept.append(q)
    report.questions, report.duplicates = dedupe(kept)
    return report


def dedupe(questions: Iterable[QuizQuestion]) -> tuple[list[QuizQuestion], int]:
    """First of each id and of each question text with the same answer."""
    kept: list[QuizQuestion] = []
    seen: set[str] = set()
    dropped = 0
    for q in questions:
        keys = {q.id, f"{fold(q.question)}|{fold(q.answer)}"}
        if keys & seen:
            dropped += 1
            continue
        seen |= keys
        kept.append(q)
    return kept, dropped


def build_bank(
    documents: list[Document],
    passages: list[Passage],
    curated: CuratedSet | list[CuratedEntry] | None = None,
    *,
    encoder: Embedder | None = None,
    similarity: Similarity | None = None,
) -> list[QuizQuestion]:
    """Curated and generated questions over ``documents`` and their ``passages``."""
    return build_report(
        documents, passages, curated, encoder=encoder, similarity=similarity
    ).questions


def load_bank(knowledge_dir: Path, similarity: Similarity | None = None) -> BankReport:
    """The bank of a knowledge folder: its documents and its ``quiz/`` folder."""
    documents = load_knowledge_dir(knowledge_dir)
    passages = [p for doc in documents for p in chunk_document(doc)]
    curated = load_curated(knowledge_dir / "quiz")
    return build_report(documents, passages, curated, similarity=similarity)


def dump_json_lines(bank: list[QuizQuestion]) -> Iterable[str]:
    """The ``cchc quiz --dump-json`` lines: one JSON object per question."""
    for q in bank:
        yield json.dumps(q.model_dump(mode="json"), ensure_ascii=False)
