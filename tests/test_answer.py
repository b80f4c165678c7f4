"""The cited answer: excerpts, grouping by kind, citation text and warnings."""

from __future__ import annotations

from retrieval.cli.render import citation_line, render_text
from retrieval.domain.naming import validity_note
from retrieval.service.answering import AnsweringService


def test_repealed_article_citation_text(assistant: AnsweringService) -> None:
    answer = assistant.ask("Cách thức rà soát, đánh giá thủ tục hành chính", k=5)
    cites = [c for c in answer.citations if "Điều 44.5.NĐ.29." in c.hit.passage.section]
    assert cites, [c.hit.passage.section for c in answer.citations]
    c = cites[0]
    label = citation_line(c)
    assert "Điều 44.5.NĐ.29. Cách thức rà soát, đánh giá" in label
    assert "trích Điều 29 Nghị định số 63/2010/NĐ-CP" in label
    assert "https://phapdien.moj.gov.vn" in label
    warning = validity_note(c.hit.passage, c.hit.document)
    assert warning and "đã bị bãi bỏ" in warning and "48/2013/NĐ-CP" in warning
    text = render_text(answer)
    assert f"[{c.number}] {label}" in text
    assert "⚠️ Điều khoản này đã bị bãi bỏ" in text


def test_answer_is_grouped_under_vietnamese_kind_headings(assistant: AnsweringService) -> None:
    answer = assistant.ask("Các giải pháp thực hiện Chương trình tổng thể cải cách hành chính")
    kinds = [kind for kind, _ in answer.grouped()]
    assert kinds[0] == "giai_phap"
    text = render_text(answer)
    assert text.startswith("Giải pháp:")
    assert "Nguồn trích dẫn:" in text
    assert "số 76/NQ-CP" in text and "ngày 15/07/2021" in text


def test_lessons_answer_names_document_and_quotes_the_lesson(assistant: AnsweringService) -> None:
    answer = assistant.ask("Bài học kinh nghiệm thứ nhất trong cải cách hành chính 2011-2020?")
    first = [c for c in answer.citations if c.hit.passage.text.startswith("Thứ nhất")]
    assert first and first[0].hit.passage.kind == "bai_hoc"
    assert any("lãnh đạo trực tiếp" in s for s in first[0].excerpt)
    assert "Bài học kinh nghiệm:" in render_text(answer)


def test_excerpts_are_short_and_from_the_passage(assistant: AnsweringService) -> None:
    answer = assistant.ask("Trách nhiệm của người đứng đầu trong cải cách hành chính")
    assert answer.citations
    for c in answer.citations:
        assert 1 <= len(c.excerpt) <= 2
        for sentence in c.excerpt:
            assert len(sentence) <= 420
            assert sentence.rstrip("…")[:60] in c.hit.passage.text


def test_document_no_longer_in_force_is_warned() -> None:
    from retrieval.domain.models import DocumentMeta, Passage

    doc = DocumentMeta(
        id="qd-cu",
        title="Quyết định cũ",
        kind="quyết định",
        status="bị thay thế",
        replaced_by="Quyết định 995/QĐ-BCĐ",
        summary="Một quyết định đã bị thay thế.",
    )
    passage = Passage(doc_id="qd-cu", ordinal=0, section="Điều 1", kind="quy_dinh", text="x")
    warning = validity_note(passage, doc)
    assert warning and "bị thay thế" in warning and "995/QĐ-BCĐ" in warning


def test_abstention_cites_nothing_and_suggests_how_to_ask(assistant: AnsweringService) -> None:
    answer = assistant.ask("Giá vàng hôm nay bao nhiêu?")
    text = render_text(answer)
    assert answer.abstained and not answer.citations
    assert "chưa có nội dung" in text and "Gợi ý" in text and "[1]" not in text
