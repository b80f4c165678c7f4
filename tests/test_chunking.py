"""Structure-aware chunking on the real knowledge documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.domain.text import clean
from retrieval.knowledge.chunking import CONTINUED, MAX_CHARS, SEP, chunk_document
from retrieval.knowledge.documents import load_knowledge_dir, parse_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCS = {d.id: d for d in load_knowledge_dir(ROOT / "knowledge")}
PASSAGES = {doc_id: chunk_document(doc) for doc_id, doc in DOCS.items()}
ORDINALS = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy"]


def test_the_seven_lessons_are_seven_bai_hoc_passages() -> None:
    lessons = [p for p in PASSAGES["bai-hoc-cchc-2011-2020"] if p.text.startswith("Thứ ")]
    assert [p.text.split(",")[0] for p in lessons] == [f"Thứ {o}" for o in ORDINALS]
    assert {p.kind for p in lessons} == {"bai_hoc"}


def test_date_line_is_not_an_ordinal() -> None:
    """'Thứ hai, 22/03/2021 10:39' is a weekday in a date line, not the second lesson."""
    texts = [p.text for p in PASSAGES["bai-hoc-cchc-2011-2020"]]
    assert not any(t.startswith("Thứ hai, 22/03/2021") for t in texts)


def test_resolution_76_sections_have_their_kinds() -> None:
    by_heading: dict[str, set[str]] = {}
    for p in PASSAGES["nq-76-2021-chuong-trinh-tong-the"]:
        by_heading.setdefault(p.section.split(SEP)[0], set()).add(p.kind)
    assert by_heading["I. QUAN ĐIỂM"] == {"quan_diem"}
    assert by_heading["II. MỤC TIÊU CHUNG"] == {"muc_tieu"}
    assert by_heading["IV. GIẢI PHÁP THỰC HIỆN"] == {"giai_phap"}
    items = [p for p in PASSAGES["nq-76-2021-chuong-trinh-tong-the"] if p.kind == "quan_diem"]
    assert [p.text[:2] for p in items] == ["1.", "2.", "3.", "4.", "5."]


def test_provincial_report_paragraph_kinds() -> None:
    kinds = [p.kind for p in PASSAGES["backan-nq07-2016-2020"]]
    for kind in ("ket_qua", "han_che", "nguyen_nhan", "bai_hoc"):
        assert kind in kinds
    assert kinds.index("han_che") < kinds.index("nguyen_nhan") < kinds.index("bai_hoc")


def test_repealed_article_carries_its_status() -> None:
    nd29 = [p for p in PASSAGES["phap-dien-44-5"] if "Điều 44.5.NĐ.29." in p.section]
    assert nd29 and {p.status for p in nd29} == {"bị bãi bỏ"}
    assert "48/2013/NĐ-CP" in (nd29[0].status_note or "")
    assert nd29[0].text.startswith("Điều 44.5.NĐ.29. Cách thức rà soát, đánh giá")


def test_amended_articles_are_marked_and_others_in_force() -> None:
    statuses = [p.status for p in PASSAGES["phap-dien-44-5"]]
    assert "được sửa đổi" in statuses and "còn hiệu lực" in statuses
    assert {p.kind for p in PASSAGES["phap-dien-44-5"]} == {"quy_dinh"}


def test_articles_sit_under_their_chapter() -> None:
    sections = [p.section for p in PASSAGES["phap-dien-44-5"]]
    assert any(s.startswith("Chương VI") and "Điều 44.5." in s for s in sections)


@pytest.mark.parametrize("doc_id", sorted(DOCS))
def test_passages_are_short_and_end_at_a_boundary(doc_id: str) -> None:
    body_lines = {line.strip() for line in clean(DOCS[doc_id].body).split("\n")}
    for p in PASSAGES[doc_id]:
        assert 0 < len(p.text) <= MAX_CHARS
        last = p.text.split("\n")[-1]
        # Either a whole line of the document (legal lines may lack a full stop) or a sentence.
        assert last in body_lines or last.rstrip().endswith((".", ";", ":", "!", "?", "…", "”"))


def test_long_article_is_split_at_clauses_with_its_heading_carried() -> None:
    continued = [p for p in PASSAGES["phap-dien-44-5"] if CONTINUED in p.text.split("\n")[0]]
    assert continued
    at_clause = 0
    for p in continued:
        head, first = p.text.split("\n")[:2]
        assert head.startswith("Điều 44.5.")
        at_clause += bool(re.match(r"^(\d{1,2}\.|[a-zđ]\))\s", first))
    # Clauses longer than a passage are split again at sentences; the rest start at a clause.
    assert at_clause >= 0.8 * len(continued)


def test_cross_reference_notes_are_not_indexed() -> None:
    assert not any("có nội dung liên quan đến" in p.text[:60] for p in PASSAGES["phap-dien-44-5"])


def test_passage_ids_and_hashes_are_stable() -> None:
    again = chunk_document(DOCS["phap-dien-44-5"])
    assert [p.content_hash for p in again] == [p.content_hash for p in PASSAGES["phap-dien-44-5"]]
    assert len({p.content_hash for p in again}) == len(again)


def test_kinds_from_headings_in_a_new_document() -> None:
    doc = parse_markdown(
        "---\nid: thu\ntitle: Báo cáo thử\nkind: báo cáo\nsummary: Báo cáo thử nghiệm.\n---\n"
        "I. KẾT QUẢ ĐẠT ĐƯỢC\n\nĐã hoàn thành 100% kế hoạch.\n\n"
        "II. HẠN CHẾ, TỒN TẠI\n\nMột số thủ tục còn rườm rà.\n\n"
        "III. NHIỆM VỤ, GIẢI PHÁP\n\n1. Đẩy mạnh chuyển đổi số.\n\n2. Tăng cường kiểm tra.\n",
        "thu.md",
    )
    kinds = {p.section.split(SEP)[0]: p.kind for p in chunk_document(doc)}
    assert kinds["I. KẾT QUẢ ĐẠT ĐƯỢC"] == "ket_qua"
    assert kinds["II. HẠN CHẾ, TỒN TẠI"] == "han_che"
    assert kinds["III. NHIỆM VỤ, GIẢI PHÁP"] in {"giai_phap", "nhiem_vu"}


def test_one_line_articles_of_a_decision_are_kept() -> None:
    doc = parse_markdown(
        "---\nid: qd\ntitle: Quyết định thử\nkind: quyết định\nsummary: Thử.\n---\n"
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp nhận hồ sơ trực tuyến.\n"
        "Điều 2. Quyết định có hiệu lực kể từ ngày ký.\n",
        "qd.md",
    )
    texts = [p.text for p in chunk_document(doc)]
    assert any("Điều 2. Quyết định có hiệu lực" in t for t in texts)
    assert any("Điều 1. Ban hành" in t for t in texts)
