"""Codified law as the quiz reads it: act and article of each Pháp điển article, what changed it,
and which clauses cannot be asked as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.curated import load_curated
from retrieval.quiz.legal import Legal, article_code, name_this_act, unanswerable

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def legal() -> Legal:
    docs = load_knowledge_dir(KNOWLEDGE)
    passages = [p for d in docs for p in chunk_document(d)]
    return Legal(passages, load_curated(KNOWLEDGE / "quiz").rules)


def test_article_codes_and_citations(legal: Legal) -> None:
    assert article_code("Chương III › Điều 44.5.NĐ.20. Trách nhiệm của cán bộ") == "44.5.NĐ.20"
    assert article_code("Điều 44.5.TT.7.13. Xử lý phản ánh") == "44.5.TT.7.13"
    assert legal.by_code["44.5.NĐ.20"].citation == "Điều 20 Nghị định 63/2010/NĐ-CP"
    assert legal.by_code["44.5.NĐ.35a"].citation == "Điều 35a Nghị định 63/2010/NĐ-CP"
    assert legal.by_code["44.5.NĐ.40"].citation == "Điều 7 Nghị định 92/2017/NĐ-CP"
    assert legal.by_code["44.5.TT.1.3"].citation == "Điều 3 Thông tư 167/2012/TT-BTC"


def test_amendments_and_repeals_are_read(legal: Legal) -> None:
    assert legal.by_code["44.5.NĐ.5"].amended_by == [
        "Nghị định 48/2013/NĐ-CP",
        "Nghị định 150/2016/NĐ-CP",
        "Nghị định 92/2017/NĐ-CP",
    ]
    assert legal.by_code["44.5.NĐ.20"].amended_by == []
    assert legal.by_code["44.5.NĐ.29"].repealed
    assert legal.current(legal.by_code["44.5.NĐ.29"], "bất kỳ") == "điều đã bị bãi bỏ"


def test_roles_moved_by_a_later_decree_are_out_of_date(legal: Legal) -> None:
    art = legal.by_code["44.5.NĐ.35"]
    line = next(ln for ln in art.text.split("\n") if "định kỳ 6 tháng" in ln)
    why = legal.current(art, line)
    assert why and "Bộ Tư pháp" in why and "92/2017" in why
    art20 = legal.by_code["44.5.NĐ.20"]
    assert legal.current(art20, "Tiếp nhận và giải quyết hồ sơ của cá nhân, tổ chức") is None


def test_clauses_that_point_elsewhere() -> None:
    assert unanswerable("thời hạn này là 20 ngày")
    assert unanswerable("các cơ quan quy định tại khoản 1 Điều 13 của Nghị định này")
    assert unanswerable("theo quy định tại Điều 15")
    assert not unanswerable("Cấp giấy biên nhận hồ sơ, tài liệu theo quy định.")


def test_this_act_is_named(legal: Legal) -> None:
    art = legal.by_code["44.5.NĐ.1"]
    assert name_this_act("Nghị định này quy định về kiểm soát", art) == (
        "Nghị định 63/2010/NĐ-CP quy định về kiểm soát"
    )
