"""The knowledge base: six clean documents with validated front matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.domain.errors import DocumentError
from retrieval.knowledge.documents import load_knowledge_dir, parse_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCS = {d.id: d for d in load_knowledge_dir(ROOT / "knowledge")}

FURNITURE = [
    "Tìm kiếm",
    "Tập tin đính kèm",
    "False 12981",
    "Danh sách điều khoản",
    "Bình luận",
    "Gửi bình luận",
    ".doc\n",
]


def test_all_six_sources_are_documents() -> None:
    assert set(DOCS) == {
        "bai-hoc-cchc-2011-2020",
        "bcd-cchc-phien-hop-2022",
        "nq-76-2021-chuong-trinh-tong-the",
        "backan-nq07-2016-2020",
        "btttt-tong-ket-cchc-2011-2020",
        "phap-dien-44-5",
    }
    for doc in DOCS.values():
        assert doc.title and doc.summary and doc.kind and doc.status
        assert "\n" not in doc.summary


def test_resolution_76_metadata() -> None:
    doc = DOCS["nq-76-2021-chuong-trinh-tong-the"]
    assert doc.number == "76/NQ-CP"
    assert doc.issued is not None and doc.issued.isoformat() == "2021-07-15"
    assert doc.kind == "nghị quyết"


@pytest.mark.parametrize("doc_id", sorted(DOCS))
def test_page_furniture_is_gone(doc_id: str) -> None:
    body = DOCS[doc_id].body + "\n"
    for junk in FURNITURE:
        assert junk not in body, f"{doc_id}: {junk!r}"


def test_phap_dien_keeps_legal_labels_and_drops_its_table_of_contents() -> None:
    body = DOCS["phap-dien-44-5"].body
    assert "Điều 44.5.NĐ.29. Cách thức rà soát, đánh giá" in body
    assert "bị bãi bỏ bởi Điều 1 Nghị định số 48/2013/NĐ-CP" in body
    # Each article heading appears once: the trailing table of contents would repeat it.
    lines = body.splitlines()
    heads = [x for x in lines if x.startswith("Điều 44.5.NĐ.29. Cách thức rà soát")]
    assert len(heads) == 1
    assert any(
        line.startswith("Chương VI") for line in lines
    )  # split from the line it was glued to


def test_lead_paragraph_duplicated_in_source_appears_once() -> None:
    body = DOCS["btttt-tong-ket-cchc-2011-2020"].body
    lead = body.split("\n")[0]
    assert len(lead) > 80 and body.count(lead) == 1


def test_bad_front_matter_names_the_file() -> None:
    with pytest.raises(DocumentError, match="thu.md"):
        parse_markdown("---\nid: x\ntitle: T\n---\nBody", "thu.md")
    with pytest.raises(DocumentError, match="thu.md"):
        parse_markdown("no front matter", "thu.md")
