"""Scenario templates: filled from their article, and refused when the article cannot back them
(gone, repealed, out of date, or its decisive words changed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.curated import load_curated
from retrieval.quiz.scenarios import Scenario, ScenarioError, fill, load_scenarios

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"

BASE = {
    "id": "thu",
    "article": "44.5.NĐ.20",
    "quote": "không để tổ chức, cá nhân phải đi lại bổ sung hồ sơ quá hai lần cho một vụ việc",
    "proof": ["quá hai lần cho một vụ việc"],
    "situation": "Hồ sơ của anh A bị trả về lần thứ ba dù anh làm đúng hướng dẫn.",
    "ask": "Theo {citation}, nhận định nào đúng?",
    "options": [
        "Công chức để anh A bổ sung hồ sơ quá hai lần",
        "Công chức làm đúng, trả bao nhiêu lần cũng được",
        "Anh A phải chịu vì đã không hỏi kỹ",
    ],
    "correct": 0,
}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    docs = load_knowledge_dir(KNOWLEDGE)
    cur = load_curated(KNOWLEDGE / "quiz")
    return Corpus(docs, [p for d in docs for p in chunk_document(d)], cur.sources, cur.rules)


def test_a_template_is_filled_from_its_article(corpus: Corpus) -> None:
    q = fill(Scenario(**BASE), corpus)
    assert q.style == "scenario" and q.origin == "curated" and q.difficulty == "vận dụng"
    assert q.question.endswith("Theo Điều 20 Nghị định 63/2010/NĐ-CP, nhận định nào đúng?")
    assert q.source.citation == "Điều 20 Nghị định 63/2010/NĐ-CP"
    assert q.explanation.endswith("— Điều 20 Nghị định 63/2010/NĐ-CP")
    assert "quá hai lần" in q.explanation
    assert q.answer == BASE["options"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"article": "44.5.NĐ.99"}, "không có điều"),
        ({"quote": "bổ sung hồ sơ không quá ba lần cho một vụ việc"}, "trích dẫn không có"),
        ({"proof": ["chỉ một lần"]}, "không còn trong"),
        (
            {
                "article": "44.5.NĐ.29",
                "quote": "phải chú trọng tới đối tượng chịu sự tác động của thủ tục hành chính",
            },
            "không còn là luật hiện hành",
        ),
        (
            {"article": "44.5.NĐ.35", "quote": "định kỳ 6 tháng báo cáo Bộ Tư pháp"},
            "Bộ Tư pháp",
        ),
        ({"situation": "Tình huống rất dài. " * 20}, "dài"),
        (
            {"options": ["Đáp án rất dài vượt xa mọi phương án còn lại trong câu", "Sai", "Không"]},
            "dài gấp",
        ),
    ],
)
def test_a_template_the_article_cannot_back_is_refused(corpus: Corpus, change, message) -> None:
    with pytest.raises(ScenarioError, match=message):
        fill(Scenario(**{**BASE, **change}), corpus)


def test_a_template_must_cite_its_article() -> None:
    with pytest.raises(ValueError, match="citation"):
        Scenario(**{**BASE, "ask": "Nhận định nào đúng?"})


def test_the_shipped_templates(corpus: Corpus) -> None:
    scenarios = load_scenarios(KNOWLEDGE / "quiz")
    assert len(scenarios) >= 20
    filled = [fill(s, corpus) for s in scenarios]
    articles = {q.source.citation for q in filled}
    assert len(articles) >= 12  # spread over many articles, not one
    examples = {
        "giay-to-ngoai-quy-dinh",
        "bo-sung-ho-so-lan-ba",
        "phong-bi-ngoai-le-phi",
        "mau-to-khai-tai-ve",
        "han-cong-bo-thu-tuc-cua-bo",
    }
    assert examples <= {s.id for s in scenarios}
