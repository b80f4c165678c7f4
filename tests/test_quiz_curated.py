"""Curated questions: YAML validated at load, errors that name the file and the item."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.domain import messages
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.bank import build_report
from retrieval.quiz.curated import CuratedError, load_curated

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"

GOOD = """
- id: tot
  question: Ai đã ký ban hành Nghị quyết số 76/NQ-CP?
  options: [Phó Thủ tướng Trương Hòa Bình, Thủ tướng Phạm Minh Chính]
  correct: 0
  explanation: "«Phó Thủ tướng Chính phủ Trương Hòa Bình đã ký ban hành»"
  source:
    document_id: nq-76-2021-chuong-trinh-tong-the
    quote: Phó Thủ tướng Chính phủ Trương Hòa Bình đã ký ban hành
"""


@pytest.fixture(scope="module")
def corpus_parts():
    docs = load_knowledge_dir(KNOWLEDGE)
    return docs, [p for d in docs for p in chunk_document(d)]


def _write(tmp_path: Path, text: str, name: str = "bo-cau-hoi.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _build(tmp_path: Path, corpus_parts) -> None:
    docs, passages = corpus_parts
    build_report(docs, passages, load_curated(tmp_path))


def test_the_shipped_files_load(corpus_parts) -> None:
    curated = load_curated(KNOWLEDGE / "quiz")
    assert len(curated) >= 30 and len(curated.scenarios) >= 20 and len(curated.lists) >= 10
    assert curated.sources and curated.rules.outdated
    docs, passages = corpus_parts
    report = build_report(docs, passages, curated)
    assert report.counts()["curated"] == len(curated) + len(curated.scenarios)
    assert not [r for r in report.rejected if r.origin == "curated"]


def test_legacy_difficulty_is_read(tmp_path: Path, corpus_parts) -> None:
    _write(tmp_path, GOOD.replace("  correct: 0\n", "  correct: 0\n  difficulty: khó\n"))
    docs, passages = corpus_parts
    q = next(q for q in build_report(docs, passages, load_curated(tmp_path)).questions)
    assert q.difficulty == "vận dụng"


def test_two_questions_on_one_statement_are_refused(tmp_path: Path, corpus_parts) -> None:
    twin = GOOD.replace("id: tot", "id: tot-2").replace(
        "question: Ai đã ký", "question: Người nào đã ký"
    )
    _write(tmp_path, GOOD + twin)
    with pytest.raises(CuratedError, match="cùng câu nguồn"):
        _build(tmp_path, corpus_parts)


def test_a_key_that_stands_out_by_length_is_refused(tmp_path: Path, corpus_parts) -> None:
    long_key = GOOD.replace(
        "options: [Phó Thủ tướng Trương Hòa Bình, Thủ tướng Phạm Minh Chính]",
        "options: [Phó Thủ tướng Chính phủ Trương Hòa Bình đã ký ban hành, Bộ trưởng]",
    )
    _write(tmp_path, long_key)
    with pytest.raises(CuratedError, match="dài gấp"):
        _build(tmp_path, corpus_parts)


def test_curated_options_are_shuffled_the_same_way_every_time() -> None:
    """A key written first in YAML is not first in every poll; T/F keep Đúng, Sai."""
    from retrieval.quiz.assemble import shuffled

    keys = {shuffled(["a", "b", "c", "d"], 0, f"cau-{i}")[1] for i in range(12)}
    assert len(keys) >= 3
    assert shuffled(["a", "b", "c", "d"], 0, "cau-1") == shuffled(["a", "b", "c", "d"], 0, "cau-1")
    options, key = shuffled(["a", "b", "c", "d"], 2, "cau-5")
    assert options[key] == "c"
    assert shuffled(["Đúng", "Sai"], 1, "x") == (["Đúng", "Sai"], 1)


def test_a_good_item_loads(tmp_path: Path, corpus_parts) -> None:
    _write(tmp_path, GOOD)
    docs, passages = corpus_parts
    report = build_report(docs, passages, load_curated(tmp_path))
    q = next(q for q in report.questions if q.id == "c-tot")
    assert q.origin == "curated" and q.source.document_id == "nq-76-2021-chuong-trinh-tong-the"
    assert "Trương Hòa Bình" in q.source.passage


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("correct: 0", "correct: 5"), "correct"),
        (("  correct: 0\n", ""), "correct"),
        (("Thủ tướng Phạm Minh Chính]", "Thủ tướng Phạm Minh Chính" + " dài" * 40 + "]"), "100"),
        (("options: [Phó", "options: [Thủ tướng Phạm Minh Chính, Phó"), "trùng"),
        (("  correct: 0\n", "  correct: 0\n  difficulty: rất khó\n"), "difficulty"),
        (("question:", "cau_hoi:"), "cau_hoi"),
    ],
)
def test_invalid_items_name_file_and_item(tmp_path: Path, change, expected: str) -> None:
    path = _write(tmp_path, GOOD + GOOD.replace("id: tot", "id: tot-2").replace(*change))
    with pytest.raises(CuratedError) as err:
        load_curated(tmp_path)
    message = str(err.value)
    assert str(path) in message and "câu 2" in message and "tot-2" in message
    assert expected in message


def test_a_quote_not_in_the_document_is_refused(tmp_path: Path, corpus_parts) -> None:
    path = _write(tmp_path, GOOD.replace("đã ký ban hành\n", "đã ký ban hành Luật Đất đai\n"))
    with pytest.raises(CuratedError) as err:
        _build(tmp_path, corpus_parts)
    assert str(path) in str(err.value) and "tot" in str(err.value)
    assert "trích dẫn" in str(err.value)


def test_a_repealed_article_cannot_prove_an_answer(tmp_path: Path, corpus_parts) -> None:
    quote = "phải chú trọng tới đối tượng chịu sự tác động của thủ tục hành chính"
    holders = [p for p in corpus_parts[1] if quote in p.text]
    assert holders and all(p.status == "bị bãi bỏ" for p in holders)  # Điều 44.5.NĐ.29
    item = GOOD.replace("nq-76-2021-chuong-trinh-tong-the", "phap-dien-44-5").replace(
        "quote: Phó Thủ tướng Chính phủ Trương Hòa Bình đã ký ban hành", f"quote: {quote}"
    )
    path = _write(tmp_path, item)
    with pytest.raises(CuratedError) as err:
        _build(tmp_path, corpus_parts)
    assert str(path) in str(err.value) and "tot" in str(err.value) and "bãi bỏ" in str(err.value)


def test_a_wrong_option_in_the_quote_is_refused(tmp_path: Path, corpus_parts) -> None:
    item = GOOD.replace(
        "options: [Phó Thủ tướng Trương Hòa Bình, Thủ tướng Phạm Minh Chính]",
        "options: [Phó Thủ tướng Trương Hòa Bình, Trương Hòa Bình]",
    )
    _write(tmp_path, item)
    with pytest.raises(CuratedError) as err:
        _build(tmp_path, corpus_parts)
    said = messages.describe(err.value)  # as a face says it: reason codes spelled out
    assert "tot" in said and "phương án nhiễu có trong trích dẫn" in said, said


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(CuratedError) as err:
        load_curated(tmp_path)
    assert "a.yaml" in str(err.value) and "b.yaml" in str(err.value) and "trùng" in str(err.value)


def test_a_file_that_is_not_a_list(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: mot-cau\n")
    with pytest.raises(CuratedError, match="danh sách") as err:
        load_curated(tmp_path)
    assert str(path) in str(err.value)


def test_broken_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, "- id: [\n")
    with pytest.raises(CuratedError) as err:
        load_curated(tmp_path)
    assert str(path) in str(err.value)
