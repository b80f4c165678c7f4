"""The question bank over the real knowledge base: proof, wrong options, limits, duplicates."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest

from retrieval.domain.models import Document, Passage
from retrieval.domain.quiz import QuizQuestion
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir, parse_markdown
from retrieval.quiz.bank import BankReport, build_bank, build_report, dump_json_lines
from retrieval.quiz.curated import load_curated

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"


# --- an independent normaliser, so the tests do not trust the code under test -------------


def _n(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("…", " ")
    text = re.sub(r"[^\w]+", " ", text).replace("_", " ")
    text = re.sub(r"\b0+(\d)", r"\1", text)
    return f" {' '.join(text.split())} "


def _in(needle: str, haystack: str) -> bool:
    return _n(needle).strip() != "" and _n(needle) in _n(haystack)


def _dates(text: str) -> set[dt.date]:
    out = set()
    pats = [r"(\d{1,2})/(\d{1,2})/(\d{4})", r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})"]
    for pat in pats:
        for d, m, y in re.findall(pat, text, flags=re.I):
            out.add(dt.date(int(y), int(m), int(d)))
    return out


def _numbers(text: str) -> set[int]:
    return {int(x) for x in re.findall(r"(?<![\w/])(\d+)(?![\w/])", text)}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return load_knowledge_dir(KNOWLEDGE)


@pytest.fixture(scope="module")
def passages(documents: list[Document]) -> list[Passage]:
    return [p for d in documents for p in chunk_document(d)]


@pytest.fixture(scope="module")
def report(documents: list[Document], passages: list[Passage]) -> BankReport:
    return build_report(documents, passages, load_curated(KNOWLEDGE / "quiz"))


@pytest.fixture(scope="module")
def bank(report: BankReport) -> list[QuizQuestion]:
    return report.questions


def _generated(bank: list[QuizQuestion]) -> list[QuizQuestion]:
    return [q for q in bank if q.origin == "generated"]


# --- tests -------------------------------------------------------------------------------------


def test_at_least_sixty_questions_of_many_kinds(report: BankReport) -> None:
    counts = report.counts()
    assert len(report.questions) >= 60
    assert counts["curated"] >= 15 and counts["generated"] >= 45
    assert len({q.style for q in report.questions}) >= 8
    assert len({q.topic.document_id for q in report.questions}) == 6


def test_telegram_limits(bank: list[QuizQuestion]) -> None:
    for q in bank:
        assert len(q.question) <= 300, q.id
        assert 2 <= len(q.options) <= 10, q.id
        assert all(0 < len(o) <= 100 for o in q.options), q.id
        assert len(q.explanation) <= 200, q.id
        assert 0 <= q.correct < len(q.options), q.id


def test_every_source_passage_is_in_the_knowledge_base(
    bank: list[QuizQuestion], passages: list[Passage]
) -> None:
    known = {(p.doc_id, p.section, p.text): p for p in passages}
    for q in bank:
        p = known.get((q.source.document_id, q.source.section, q.source.passage))
        assert p is not None, q.id
        assert p.status != "bị bãi bỏ", q.id
        assert _in(q.source.quote, q.source.passage), q.id
        assert q.topic.document_id == q.source.document_id


def test_generated_answers_are_proved_by_their_passage(
    bank: list[QuizQuestion], documents: list[Document]
) -> None:
    docs = {d.id: d for d in documents}
    for q in _generated(bank):
        src, answer = q.source, q.answer
        if q.style == "count":
            assert int(answer) in _numbers(src.quote), q.id
        elif q.style == "date":
            assert _dates(answer) and _dates(answer) <= _dates(src.quote), q.id
        elif q.style == "section":
            assert _in(answer, src.section), q.id
        elif q.style == "document":
            doc = docs[src.document_id]
            words = set(_n(f"{doc.title} {doc.number or ''} {doc.kind}").split())
            assert set(_n(answer).split()) <= words, q.id
        else:
            assert _in(answer, src.quote) and _in(answer, src.passage), (q.id, answer)


def test_curated_answers_key_words_are_in_their_passage(bank: list[QuizQuestion]) -> None:
    for q in bank:
        if q.origin != "curated":
            continue
        words = set(_n(q.answer).split())
        have = set(_n(q.source.passage).split())
        assert len(words & have) / len(words) >= 0.75, (q.id, q.answer)


def test_no_wrong_option_is_what_the_proof_says(bank: list[QuizQuestion]) -> None:
    for q in bank:
        for d in q.distractors:
            if q.style == "count":
                assert int(d) not in _numbers(q.source.quote), (q.id, d)
            elif q.style == "date":
                assert not (_dates(d) & _dates(q.source.quote)), (q.id, d)
            elif q.style not in ("section", "document"):
                assert not _in(d, q.source.quote), (q.id, d)
            if q.style in ("list_item", "list_order", "origin", "document"):
                assert not _in(d, q.source.passage), (q.id, d)


def test_no_duplicates(bank: list[QuizQuestion]) -> None:
    ids = [q.id for q in bank]
    assert len(ids) == len(set(ids))
    keys = [(_n(q.question), _n(q.answer)) for q in bank]
    assert len(keys) == len(set(keys))


def test_repealed_articles_are_never_the_basis_of_an_answer(
    bank: list[QuizQuestion], passages: list[Passage]
) -> None:
    repealed = [p for p in passages if p.status == "bị bãi bỏ"]
    assert repealed, "the knowledge base has repealed articles (Điều 44.5.NĐ.29)"
    used = {(q.source.document_id, q.source.passage) for q in bank}
    assert not used & {(p.doc_id, p.text) for p in repealed}


def test_a_repealed_passage_yields_no_question(
    documents: list[Document], passages: list[Passage]
) -> None:
    repealed = [
        p.model_copy(update={"status": "bị bãi bỏ"}) if p.doc_id.startswith("nq-76") else p
        for p in passages
    ]
    bank = build_bank(documents, repealed)
    assert bank and not [q for q in bank if q.source.document_id.startswith("nq-76")]


def test_user_facing_text_is_vietnamese_with_diacritics(bank: list[QuizQuestion]) -> None:
    from retrieval.domain.text import has_diacritics

    for q in bank:
        assert has_diacritics(q.question) and has_diacritics(q.explanation), q.id
        assert unicodedata.is_normalized("NFC", q.question + "".join(q.options)), q.id
        assert q.difficulty in ("dễ", "trung bình", "khó")


def test_issue_examples_are_in_the_bank(bank: list[QuizQuestion]) -> None:
    by_question = {q.question: q for q in bank}
    date = next(q for t, q in by_question.items() if "76/NQ-CP được ban hành ngày nào" in t)
    assert date.answer == "15/07/2021"
    count = next(q for t, q in by_question.items() if "bao nhiêu nội dung" in t)
    assert count.answer == "6"
    rank = next(q for t, q in by_question.items() if "năm 2019 xếp thứ mấy" in t)
    assert rank.answer == "55/63" and "49/63" in rank.options
    assert any("một trong 7 bài học kinh nghiệm" in t for t in by_question)
    assert any("một trong 5 quan điểm" in t for t in by_question)


def test_dump_json_lines(bank: list[QuizQuestion]) -> None:
    lines = list(dump_json_lines(bank))
    assert len(lines) == len(bank)
    for line in lines:
        obj = json.loads(line)
        assert {"id", "question", "options", "correct", "explanation", "origin", "source"} <= set(
            obj
        )
        assert isinstance(obj["correct"], int) and 0 <= obj["correct"] < len(obj["options"])
        assert obj["origin"] in ("curated", "generated")
        assert {"document_id", "section", "passage"} <= set(obj["source"])


NEW_DOC = """---
id: vi-du-ke-hoach-2025
title: Kế hoạch cải cách hành chính năm 2025 của Ủy ban nhân dân huyện Ví Dụ
kind: kế hoạch
issuer: Ủy ban nhân dân huyện Ví Dụ
issued: 2025-01-10
summary: Kế hoạch ví dụ dùng trong kiểm thử ngân hàng câu hỏi.
---

Ngày 10/01/2025, Ủy ban nhân dân huyện ban hành Kế hoạch số 12/KH-UBND về cải cách hành chính.

I. MỤC TIÊU

Nâng cao chỉ số hài lòng của người dân đối với sự phục vụ của cơ quan hành chính huyện.

II. NHIỆM VỤ

Kế hoạch tập trung vào 4 nhiệm vụ, đó là: số hóa hồ sơ; rút ngắn thời gian giải quyết; \
tập huấn công chức; kiểm tra công vụ.

III. GIẢI PHÁP

1. Ứng dụng nền tảng số dùng chung cho tiếp nhận hồ sơ tại Bộ phận Một cửa huyện.

2. Tổ chức đối thoại định kỳ giữa lãnh đạo huyện với người dân về thủ tục đất đai.

3. Khen thưởng kịp thời tập thể, cá nhân có sáng kiến rút ngắn quy trình nội bộ.
"""


def test_the_bank_grows_when_a_document_is_added(
    documents: list[Document], passages: list[Passage], bank: list[QuizQuestion]
) -> None:
    doc = parse_markdown(NEW_DOC, "vi-du.md")
    grown = build_bank([*documents, doc], [*passages, *chunk_document(doc)])
    new = [q for q in grown if q.source.document_id == doc.id]
    assert len(grown) > len(_generated(bank))
    styles = {q.style for q in new}
    assert {"list_item", "list_order", "count"} <= styles, styles
    count = next(q for q in new if q.style == "count")
    assert count.answer == "4"
