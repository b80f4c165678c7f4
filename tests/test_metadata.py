"""Metadata detection from the header of Vietnamese official documents."""

from __future__ import annotations

import datetime as dt

import pytest

from retrieval.knowledge.header import (
    build_meta,
    detect,
    issuer_name,
    kind_from_number,
    make_id,
    parse_date,
    slugify,
)

# The header of Nghị quyết 76/NQ-CP as text comes out of a PDF drawn column by column.
NQ76_COLUMNS = """CHÍNH PHỦ
-------
Số: 76/NQ-CP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Hà Nội, ngày 15 tháng 7 năm 2021

NGHỊ QUYẾT
BAN HÀNH CHƯƠNG TRÌNH TỔNG THỂ CẢI CÁCH HÀNH CHÍNH NHÀ NƯỚC
GIAI ĐOẠN 2021 - 2030
_________
CHÍNH PHỦ

Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;
Căn cứ Nghị quyết số 50/NQ-CP ngày 20 tháng 5 năm 2021 của Chính phủ;
QUYẾT NGHỊ:
Điều 1. Ban hành kèm theo Nghị quyết này Chương trình tổng thể cải cách hành chính nhà nước.
"""

# The same header with its two columns interleaved line by line, as a Word table or a
# layout-preserving PDF extraction gives it.
NQ76_INTERLEAVED = """CHÍNH PHỦ         CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
-------      Độc lập - Tự do - Hạnh phúc
              ---------------
Số: 76/NQ-CP       Hà Nội, ngày 15 tháng 7 năm 2021
NGHỊ QUYẾT
Ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030
CHÍNH PHỦ
Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;
"""

KE_HOACH = """ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH BẮC KẠN | Độc lập - Tự do - Hạnh phúc
Số: 125/KH-UBND | Bắc Kạn, ngày 05 tháng 3 năm 2024
KẾ HOẠCH
Cải cách hành chính năm 2024 của tỉnh Bắc Kạn
Thực hiện Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ, Ủy ban nhân dân tỉnh ban hành
"""

CONG_VAN = """BỘ NỘI VỤ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
\tĐộc lập - Tự do - Hạnh phúc
Số: 4130/BNV-CCHC\tHà Nội, ngày 10 tháng 8 năm 2023
V/v hướng dẫn xác định Chỉ số
cải cách hành chính năm 2023
Kính gửi: Các bộ, cơ quan ngang bộ, Ủy ban nhân dân các tỉnh
"""


def test_nq76_header_read_column_by_column() -> None:
    d = detect(NQ76_COLUMNS)
    assert d.issuer == "Chính phủ"
    assert d.number == "76/NQ-CP"
    assert d.issued == dt.date(2021, 7, 15)
    assert d.place == "Hà Nội"
    assert d.kind == "nghị quyết"
    assert d.excerpt == (
        "Ban hành chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030"
    )
    # The body starts at "Căn cứ": header, rule and the "CHÍNH PHỦ" authority line are gone.
    body = NQ76_COLUMNS.splitlines()[d.header_lines :]
    assert next(line for line in body if line).startswith("Căn cứ Luật Tổ chức")


def test_nq76_header_with_interleaved_columns() -> None:
    d = detect(NQ76_INTERLEAVED)
    assert (d.issuer, d.number, d.issued, d.kind) == (
        "Chính phủ",
        "76/NQ-CP",
        dt.date(2021, 7, 15),
        "nghị quyết",
    )
    assert d.excerpt == (
        "Ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030"
    )
    assert NQ76_INTERLEAVED.splitlines()[d.header_lines].startswith("Căn cứ")

    meta = build_meta(d, stem="upload-123", body="Căn cứ …")
    assert meta["id"] == "nq-76-2021"
    assert meta["title"] == (
        "Nghị quyết 76/NQ-CP ban hành Chương trình tổng thể cải cách hành chính nhà nước "
        "giai đoạn 2021 - 2030"
    )
    assert meta["summary"] == (
        "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể "
        "cải cách hành chính nhà nước giai đoạn 2021 - 2030."
    )
    assert meta["issuer"] == "Chính phủ"


def test_provincial_plan_with_issuer_on_two_lines() -> None:
    d = detect(KE_HOACH)
    assert d.issuer == "Ủy ban nhân dân tỉnh Bắc Kạn"
    assert (d.number, d.issued, d.kind) == ("125/KH-UBND", dt.date(2024, 3, 5), "kế hoạch")
    assert d.excerpt == "Cải cách hành chính năm 2024 của tỉnh Bắc Kạn"
    assert KE_HOACH.splitlines()[d.header_lines].startswith("Thực hiện")
    meta = build_meta(d, stem="kh", body="")
    assert meta["id"] == "kh-125-2024"
    assert meta["summary"].startswith(
        "Kế hoạch số 125/KH-UBND ngày 5/3/2024 của Ủy ban nhân dân tỉnh Bắc Kạn về cải cách"
    )


def test_official_letter_takes_its_excerpt_from_vv() -> None:
    d = detect(CONG_VAN)
    assert (d.issuer, d.number, d.kind) == ("Bộ Nội vụ", "4130/BNV-CCHC", "công văn")
    assert d.issued == dt.date(2023, 8, 10)
    assert d.excerpt == "hướng dẫn xác định Chỉ số cải cách hành chính năm 2023"
    assert CONG_VAN.splitlines()[d.header_lines].startswith("Kính gửi")
    assert build_meta(d, stem="x", body="")["id"] == "cv-4130-2023"


def test_overrides_win_and_the_id_follows_them() -> None:
    d = detect(NQ76_COLUMNS)
    meta = build_meta(
        d,
        stem="x",
        body="",
        given={"number": "77/NQ-CP", "issued": "16/7/2021", "title": "Tên khác", "kind": "NQ"},
    )
    assert meta["number"] == "77/NQ-CP"
    assert meta["issued"] == dt.date(2021, 7, 16)
    assert meta["title"] == "Tên khác"
    assert meta["kind"] == "nghị quyết"
    assert meta["id"] == "nq-77-2021"
    assert meta["issuer"] == "Chính phủ"  # not overridden: still detected


def test_unreadable_issued_override_is_kept_for_validation_to_refuse() -> None:
    meta = build_meta(detect(NQ76_COLUMNS), stem="x", body="", given={"issued": "hôm qua"})
    assert meta["issued"] == "hôm qua"


def test_without_a_header_the_file_name_and_first_sentence_are_used() -> None:
    body = "Sáng 9/3, Thủ tướng chủ trì phiên họp của Ban Chỉ đạo. Nội dung khác tiếp theo."
    d = detect(body)
    assert d.header_lines == 0 and d.kind is None and d.number is None
    meta = build_meta(d, stem="Phiên họp BCĐ 2022", body=body, hints={"kind": "tin bài"})
    assert meta["id"] == "phien-hop-bcd-2022"
    assert meta["title"] == "Phiên họp BCĐ 2022"
    assert meta["kind"] == "tin bài"
    assert meta["summary"] == "Sáng 9/3, Thủ tướng chủ trì phiên họp của Ban Chỉ đạo."


def test_hints_fill_only_what_the_header_does_not_say() -> None:
    meta = build_meta(
        detect("Đoạn văn đầu tiên của bài viết, đủ dài để làm tóm tắt."),
        stem="x",
        body="Đoạn văn đầu tiên của bài viết, đủ dài để làm tóm tắt.",
        hints={"title": "Tiêu đề trang", "issued": "2022-03-09T08:00:00+07:00", "source": "u"},
    )
    assert (meta["title"], meta["issued"], meta["source"]) == (
        "Tiêu đề trang",
        dt.date(2022, 3, 9),
        "u",
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["BỘ THÔNG TIN VÀ TRUYỀN THÔNG"], "Bộ Thông tin và Truyền thông"),
        (["BỘ KẾ HOẠCH", "VÀ ĐẦU TƯ"], "Bộ Kế hoạch và Đầu tư"),
        (["THỦ TƯỚNG CHÍNH PHỦ"], "Thủ tướng Chính phủ"),
        (["VĂN PHÒNG CHÍNH PHỦ"], "Văn phòng Chính phủ"),
        (["SỞ NỘI VỤ TỈNH BẮC KẠN"], "Sở Nội vụ tỉnh Bắc Kạn"),
        (["BỘ LAO ĐỘNG - THƯƠNG BINH", "VÀ XÃ HỘI"], "Bộ Lao động - Thương binh và Xã hội"),
        (["UBND TỈNH BẮC KẠN", "SỞ NỘI VỤ"], "Sở Nội vụ (Ủy ban nhân dân tỉnh Bắc Kạn)"),
        (["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH"], "Ủy ban nhân dân thành phố Hồ Chí Minh"),
        (["ĐẢNG BỘ TỈNH BẮC KẠN", "TỈNH ỦY"], "Tỉnh ủy (Đảng bộ tỉnh Bắc Kạn)"),
        (
            ["BAN CHỈ ĐẠO CẢI CÁCH HÀNH CHÍNH CỦA CHÍNH PHỦ"],
            "Ban Chỉ đạo cải cách hành chính của Chính phủ",
        ),
    ],
)
def test_issuer_names_in_normal_case(lines: list[str], expected: str) -> None:
    assert issuer_name(lines) == expected


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("76/NQ-CP", "nghị quyết"),
        ("1291/QĐ-TTg", "quyết định"),
        ("06/2023/TT-BNV", "thông tư"),
        ("07-NQ/TU", "nghị quyết"),
        ("29/2013/QH13", "luật"),
        ("4130/BNV-CCHC", None),
    ],
)
def test_kind_from_the_code_in_the_number(number: str, kind: str | None) -> None:
    assert kind_from_number(number) == kind


def test_ids_are_stable_slugs() -> None:
    assert make_id("thông tư", "06/2023/TT-BNV", None, "x") == "tt-06-2023"
    assert make_id("khác", "12/TB-VPCP", dt.date(2023, 1, 5), "x") == "tb-12-2023"
    assert make_id(None, None, None, "Báo cáo Sở Nội vụ (bản cuối)") == "bao-cao-so-noi-vu-ban-cuoi"
    assert slugify("Đề án 06 — Đắk Lắk") == "de-an-06-dak-lak"
    assert slugify("???") == "van-ban"


def test_parse_date_forms() -> None:
    assert parse_date("2021-07-15") == dt.date(2021, 7, 15)
    assert parse_date("15/7/2021") == dt.date(2021, 7, 15)
    assert parse_date("Hà Nội, ngày 15 tháng 7 năm 2021") == dt.date(2021, 7, 15)
    assert parse_date("ngày 31 tháng 2 năm 2021") is None


def test_a_law_is_named_by_its_excerpt() -> None:
    header = (
        "QUỐC HỘI\n--------\nLuật số: 80/2015/QH13\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nLUẬT\nBAN HÀNH VĂN BẢN QUY PHẠM PHÁP LUẬT\n"
        "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;"
    )
    meta = build_meta(detect(header), stem="x", body="")
    assert meta["id"] == "luat-80-2015"
    assert meta["title"] == "Luật Ban hành văn bản quy phạm pháp luật số 80/2015/QH13"
    assert meta["issuer"] == "Quốc hội"


def test_first_heading_of_the_body_is_kept(tmp_path) -> None:
    """A caps heading right after the trích yếu ("I. MỤC TIÊU") is body, not the authority."""
    from retrieval.knowledge.loaders import load_file

    path = tmp_path / "kh.txt"
    path.write_text(
        "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nSố: 12/KH-UBND\nHòa Bình, ngày 5 tháng 1 năm 2026\n"
        "KẾ HOẠCH\nCải cách hành chính năm 2026\nI. MỤC TIÊU\n"
        "1. Tối thiểu 87% hồ sơ được tiếp nhận trực tuyến.\nII. GIẢI PHÁP\n1. Lập tổ công tác.\n",
        encoding="utf-8",
    )
    doc = load_file(path)
    assert doc.body.startswith("I. MỤC TIÊU\n1. Tối thiểu 87%")
    assert doc.number == "12/KH-UBND"
