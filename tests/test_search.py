"""Hybrid search and abstention on the real index of knowledge/."""

from __future__ import annotations

import threading
import time
import unicodedata
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.domain.messages import question_problem
from retrieval.domain.models import SearchFilters
from retrieval.embedding.encoder import Encoder
from retrieval.search.lexical import fts_query
from retrieval.search.searcher import ReadWriteLock, near_duplicate
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService
from retrieval.service.evaluation import evaluate, load_questions
from tests.conftest import copy_of_index

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval" / "questions.jsonl"
LESSON_1 = "cải cách hành chính tiếp tục phải đặt dưới sự lãnh đạo trực tiếp"


def top_texts(assistant: AnsweringService, question: str, k: int = 5) -> list[str]:
    """The texts of the passages search ranks first (the answer may quote fewer)."""
    answer = assistant.ask(question, k=k)
    assert not answer.abstained, answer
    return [h.passage.text.lower() for h in assistant.searcher.search(question, k=k).hits]


def found(assistant: AnsweringService, question: str, span: str, k: int = 5) -> bool:
    return any(span in t for t in top_texts(assistant, question, k))


@pytest.mark.parametrize(
    "question",
    [
        '"',
        "AND OR NOT",
        "NEAR(cải cách",
        "cải cách*",
        "-hành chính",
        'a" OR "b',
        "col:value",
        "^đầu",
        "( ) { } [ ]",
        "'; DROP TABLE passages; --",
    ],
)
def test_fts_syntax_in_questions_is_plain_text(assistant: AnsweringService, question: str) -> None:
    text = f"Bài học kinh nghiệm thứ nhất trong cải cách hành chính {question}"
    assert assistant.check(text) is None
    result = assistant.searcher.search(text)
    assert any(LESSON_1 in h.passage.text.lower() for h in result.hits)


def test_fts_query_quotes_every_term() -> None:
    q = fts_query('cải cách" AND NEAR(x) -y*')
    for part in q.split(" OR "):
        col, term = part.split(":", 1)
        assert col in {"lex", "folded"} and term.startswith('"') and term.endswith('"')


def test_question_without_diacritics(assistant: AnsweringService) -> None:
    assert found(assistant, "bai hoc kinh nghiem thu nhat trong cai cach hanh chinh", LESSON_1)


def test_question_with_missing_tone_marks(assistant: AnsweringService) -> None:
    # Phone typing: some syllables accented, some not.
    assert found(assistant, "Bài hoc kinh nghiem thứ nhất trong cai cách hành chinh", LESSON_1)


def test_nfd_input_is_the_same_question(assistant: AnsweringService) -> None:
    q = "Giải pháp tăng cường kỷ luật, kỷ cương hành chính là gì?"
    nfd = unicodedata.normalize("NFD", q)
    assert nfd != q
    a, b = assistant.ask(q), assistant.ask(nfd)
    assert [h.passage.id for h in a.hits] == [h.passage.id for h in b.hits]


def test_abbreviations_find_the_long_form(assistant: AnsweringService) -> None:
    assert found(assistant, "Kiểm soát TTHC là gì?", "kiểm soát thủ tục hành chính là việc")


@pytest.mark.parametrize(
    "question",
    [
        "Giá vàng SJC hôm nay bao nhiêu?",
        "Đội tuyển bóng đá Việt Nam đá trận tiếp theo khi nào?",
        "Cách nấu canh chua cá lóc",
        "What is the best programming language for machine learning?",
    ],
)
def test_off_topic_questions_abstain_and_cite_nothing(
    assistant: AnsweringService, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and answer.citations == []
    assert answer.problem is None and answer.reason == "weak_evidence"


@pytest.mark.parametrize("question", ["", "   \n\t ", "😀😀😀", "?!…"])
def test_empty_or_wordless_questions_get_a_vietnamese_message(
    assistant: AnsweringService, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and answer.citations == []
    assert answer.problem is not None and answer.problem.code in {"empty", "no_words"}
    assert "trống" in question_problem(answer.problem) or "chữ" in question_problem(answer.problem)


def test_ten_thousand_character_question(assistant: AnsweringService) -> None:
    answer = assistant.ask("cải cách hành chính " * 500)
    assert answer.abstained and answer.citations == []
    assert answer.problem is not None and answer.problem.code == "too_long"
    assert "quá dài" in question_problem(answer.problem)


def test_emoji_around_a_real_question(assistant: AnsweringService) -> None:
    assert found(assistant, "🙏 Nghị quyết 76/NQ-CP ban hành ngày nào? 🤔", "15/7/2021")


def test_filters_by_kind_document_and_year(assistant: AnsweringService) -> None:
    answer = assistant.ask("cải cách hành chính", filters=SearchFilters(kinds={"giai_phap"}), k=5)
    assert answer.hits and {h.passage.kind for h in answer.hits} == {"giai_phap"}
    answer = assistant.ask(
        "thủ tục hành chính", filters=SearchFilters(doc_ids={"phap-dien-44-5"}), k=3
    )
    assert {h.document.id for h in answer.hits} == {"phap-dien-44-5"}
    answer = assistant.ask("cải cách hành chính", filters=SearchFilters(years={2022}), k=3)
    assert answer.hits and {h.document.issued.year for h in answer.hits} == {2022}


def test_no_near_duplicates_in_results(assistant: AnsweringService) -> None:
    hits = assistant.searcher.search("Kinh nghiệm cải cách hành chính của người đứng đầu", k=8).hits
    assert len(hits) >= 5
    for i, a in enumerate(hits):
        for b in hits[i + 1 :]:
            assert not near_duplicate(a.passage.text, b.passage.text)


def test_near_duplicate_detection() -> None:
    a = "Cải cách hành chính phải đặt dưới sự lãnh đạo của Đảng và sự điều hành của Chính phủ."
    assert near_duplicate(a, a + " Thêm một câu.")
    assert not near_duplicate(a, "Kiểm soát thủ tục hành chính là việc xem xét, đánh giá.")


def test_kind_named_in_the_question_comes_first(assistant: AnsweringService) -> None:
    result = assistant.searcher.search(
        "Các quan điểm của Nghị quyết 76/NQ-CP về cải cách hành chính?"
    )
    assert result.hits[0].passage.kind == "quan_diem"


@pytest.mark.skipif(not SHARED_EVAL.exists(), reason="shared eval file not beside the project")
def test_shared_evaluation_meets_the_bar(assistant: AnsweringService) -> None:
    report = evaluate(assistant, load_questions(SHARED_EVAL))
    assert report.recall_at_5 >= 0.95 and report.mrr >= 0.85
    assert report.false_abstentions == 0 and report.abstention_accuracy == 1.0


def test_own_questions_and_off_topic_set(assistant: AnsweringService) -> None:
    on = evaluate(assistant, load_questions(ROOT / "tests/data/ontopic.jsonl"))
    off = evaluate(assistant, load_questions(ROOT / "tests/data/offtopic.jsonl"))
    assert on.recall_at_5 >= 0.9 and on.false_abstentions == 0
    assert off.abstention_accuracy == 1.0


def test_two_stage_lexical_search_at_scale(
    built_index: Settings, encoder: Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With FTS5 (``CCHC_LEXICAL_ENGINE=fts5``), above LARGE_CORPUS passages candidates first
    come from the rarest term's passages; the full OR query runs only when those are too
    few."""
    import retrieval.search.lexical as search_module
    from retrieval.search.lexical import fts_terms

    fts5 = copy_of_index(built_index, tmp_path / "data").model_copy(
        update={"lexical_engine": "fts5"}
    )
    assert AdminService(fts5, encoder=encoder).rebuild().published  # the FTS5 rows
    searcher = AnsweringService(fts5, encoder=encoder).searcher
    assert searcher.lexical.engine == "fts5"
    question = "Trách nhiệm kiểm soát thủ tục hành chính của Văn phòng Chính phủ"
    monkeypatch.setattr(search_module, "LARGE_CORPUS", 10)
    column, rarest = searcher.lexical.selective_terms(fts_terms(question))[0]
    having_rarest = {
        pid for pid, _ in searcher.version.store.lexical_search(f'{column}:"{rarest}"', 1000)
    }
    assert having_rarest
    # Enough passages have the rarest term: only those are candidates.
    narrow = searcher.lexical.search(question, len(having_rarest))
    assert {pid for pid, _ in narrow} == having_rarest
    # Too few: the full OR query runs.
    wide = searcher.lexical.search(question, len(having_rarest) + 5)
    assert len(wide) == len(having_rarest) + 5


def test_swap_lock_lets_a_reload_wait_for_questions() -> None:
    gate = ReadWriteLock()
    order: list[str] = []
    reading = threading.Event()

    def reader() -> None:
        with gate.reading():
            reading.set()
            time.sleep(0.2)
            order.append("question")

    def writer() -> None:
        reading.wait()
        with gate.writing():
            order.append("reload")

    threads = [threading.Thread(target=reader), threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert order == ["question", "reload"]


def test_common_terms_only_add_to_passages_with_a_rarer_one(
    assistant: AnsweringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At scale, tantivy scores a passage that has one of the question's rarer terms exactly
    as the plain OR query does, and leaves out passages with only common terms."""
    import retrieval.search.lexical as search_module
    from retrieval.search.lexical import fts_terms

    lexical = assistant.searcher.lexical
    assert lexical.tantivy is not None
    monkeypatch.setattr(search_module, "LARGE_CORPUS", 10)
    monkeypatch.setattr(search_module, "COMMON_SHARE", 0.05)
    question = "Trách nhiệm của Văn phòng Chính phủ trong kiểm soát thủ tục hành chính"
    terms = lexical.selective_terms(fts_terms(question))
    rare, common = lexical.split_common(terms)
    assert rare and common  # "thủ tục", "hành chính" are common in the knowledge base
    split = dict(lexical.search(question, 200))
    plain = dict(lexical.tantivy.search(terms, 1000))
    assert split and set(split) < set(plain)
    for pid, score in split.items():
        assert score == pytest.approx(plain[pid], rel=1e-5)
    # What the split query leaves out has none of the rarer terms.
    only_common = set(plain) - set(split)
    assert only_common
    assert not only_common & {pid for pid, _ in lexical.tantivy.search(rare, 1000)}


def test_a_document_number_is_one_term_and_its_parts_still_find_it(
    assistant: AnsweringService,
) -> None:
    """tantivy looks a document number up as one term (a flat query that block-max WAND
    can skip through); the number asked in part ("63/2010", "Nghị định 63") or a range typed
    with spaces ("2011 - 2020") finds the same passages."""
    from retrieval.index.tantivy_index import indexed_text

    assert indexed_text("nđ 63/2010/nđ-cp").split() == (
        "nđ 63/2010/nđ-cp 63 2010 nđ cp 63/2010 63/2010/nđ".split()
    )
    tantivy = assistant.searcher.lexical.tantivy
    assert tantivy is not None
    whole = {pid for pid, _ in tantivy.search([("lex", "63/2010/nđ-cp")], 1000)}
    assert whole and len(tantivy._term_queries("lex", "63/2010/nđ-cp")) == 1
    assert tantivy.doc_freq("lex", "63/2010/nđ-cp") == len(whole)
    for part in ("63/2010", "63"):
        assert whole <= {pid for pid, _ in tantivy.search([("lex", part)], 1000)}
    # "giai đoạn 2011-2020" finds the title that writes "2011 - 2020" (its pair 2011_2020)
    spaced = {pid for pid, _ in tantivy.search([("lex", "2011_2020")], 1000)}
    dashed = {pid for pid, _ in tantivy.search([("lex", "2011-2020")], 1000)}
    assert spaced and spaced <= dashed
    assert tantivy.doc_freq("lex", "2011-2020") > tantivy.doc_freq("lex", "2011_2020")
