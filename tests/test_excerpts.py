"""The words an answer quotes: sentence and clause boundaries, lists, cuts, and matching the
question's words with their accents. No model needed: these are the rules themselves."""

from __future__ import annotations

import pytest

from retrieval.answer.excerpts import around, list_openers, matched_spans, trim
from retrieval.domain.text import is_stopword, split_clauses, split_sentences, tone_key
from retrieval.domain.vocabulary import Vocabulary
from retrieval.knowledge.structure import inline_items, passage_units, sentence_windows
from retrieval.search.evidence import coverage
from retrieval.search.query import analyse

SIX = (
    "Cải cách hành chính nhà nước giai đoạn 2021 - 2030 tập trung vào 6 nội dung, đó là: "
    "Cải cách thể chế; cải cách thủ tục hành chính; cải cách tổ chức bộ máy hành chính nhà "
    "nước; cải cách chế độ công vụ; cải cách tài chính công và Xây dựng, phát triển Chính phủ "
    "điện tử, Chính phủ số."
)


def idf(_: str) -> float:
    return 3.0


def query(text: str):
    return analyse(text, Vocabulary(), {})


# -- sentences and clauses ------------------------------------------------------------------
def test_an_enumeration_with_accented_lowercase_after_semicolons_is_one_sentence() -> None:
    assert split_sentences(SIX) == [SIX]
    opening, spans = inline_items(SIX)
    items = [SIX[a:b] for a, b in spans]
    assert SIX[:opening].endswith("đó là: ")
    assert items == [
        "Cải cách thể chế",
        "cải cách thủ tục hành chính",
        "cải cách tổ chức bộ máy hành chính nhà nước",
        "cải cách chế độ công vụ",
        "cải cách tài chính công",
        "Xây dựng, phát triển Chính phủ điện tử, Chính phủ số",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ông Nguyễn Văn A. phát biểu.", 1),  # an initial is not the end of a sentence
        ("TP. Hồ Chí Minh dẫn đầu. Hà Nội đứng thứ hai.", 2),
        ("Đạt 95,5%. Ủy ban nhân dân tỉnh đánh giá cao.", 2),
        ("Chỉ số tăng 3.5 điểm so với năm trước.", 1),
        ("Thủ tướng nhấn mạnh.Đổi mới là yêu cầu bắt buộc.", 2),  # a missing space
    ],
)
def test_sentence_boundaries(text: str, expected: int) -> None:
    assert len(split_sentences(text)) == expected


def test_clauses_never_split_a_number() -> None:
    text = "Tỷ lệ đạt 95,5 phần trăm, tăng 2,3 điểm, vượt kế hoạch."
    cuts = [text[a:b] for a, b in split_clauses(text)]
    assert any("95,5 phần trăm" in c for c in cuts) and any("2,3 điểm" in c for c in cuts)


def test_units_know_items_and_the_sentence_that_opens_them() -> None:
    text = (
        "Điều 44.5.NĐ.6. Các hành vi bị nghiêm cấm\n"
        "1. Nghiêm cấm cán bộ, công chức thực hiện các hành vi sau đây:\n"
        "a) Tiết lộ thông tin về hồ sơ.\n"
        "b) Nhận tiền hoặc quà biếu dưới bất cứ hình thức nào.\n"
        "2. Nghiêm cấm đối tượng thực hiện thủ tục hành chính thực hiện các hành vi sau đây:\n"
        "a) Lừa dối cơ quan có thẩm quyền."
    )
    units = passage_units(text)
    assert [u.role for u in units][0] == "heading"
    openers = list_openers(units)
    items = {u.text(text)[:2]: openers.get(u.start) for u in units if u.item}
    assert items["a)"] is not None and items["a)"].text(text).startswith("2. Nghiêm cấm đối tượng")
    assert openers[units[3].start].text(text).startswith("1. Nghiêm cấm cán bộ")
    assert items["1."] is None and items["2."] is None  # a clause is not under the clause before


def test_a_long_sentence_is_also_read_in_windows_of_clauses() -> None:
    sentence = ", ".join(
        f"mệnh đề thứ {i} của một câu rất dài về cải cách hành chính" for i in range(12)
    )
    windows = sentence_windows(sentence + ".")
    assert windows[0] == (0, len(sentence) + 1)
    assert len(windows) > 2 and all(b - a <= 260 for a, b in windows[1:])


# -- cuts -----------------------------------------------------------------------------------
def test_a_cut_falls_between_clauses_and_keeps_the_matching_words() -> None:
    long = (
        "Cải cách hành chính phải gắn với nâng cao nhận thức, đổi mới tư duy và hành động sáng "
        "tạo, đổi mới lề lối làm việc, phương thức quản trị hiện đại, trên cơ sở đẩy mạnh ứng "
        "dụng công nghệ số, tạo nền tảng xây dựng Chính phủ số, nền kinh tế số, xã hội số, "
        "kiên trì thực hiện nhưng không nóng vội, chủ động, sáng tạo và linh hoạt trong tổ chức "
        "thực hiện các nhiệm vụ cải cách hành chính của các bộ, ngành, địa phương."
    )
    text, start = trim(long, query("Thực hiện cải cách không nóng vội"), budget=160)
    assert "không nóng vội" in text and len(text) <= 170
    body = text.strip("…")
    assert body in long and long[start:].startswith(body)  # whole words, whole clauses
    assert text.startswith("…")  # cut before, kept to the end of the sentence
    cut = around(long, "xã hội số", 120)
    assert "xã hội số" in cut and cut.strip("…") in long


# -- words and accents ----------------------------------------------------------------------
def test_tones_are_compared_whatever_their_placement() -> None:
    assert tone_key("hoà") == tone_key("hòa") and tone_key("thuỷ") == tone_key("thủy")
    assert tone_key("quà") != tone_key("qua")


def test_function_words_are_told_apart_from_content_words_by_their_accents() -> None:
    assert is_stopword("của") and is_stopword("cua") and not is_stopword("cửa")
    assert is_stopword("là") and not is_stopword("lá")


def test_a_word_typed_with_accents_matches_only_that_word() -> None:
    q = query("Cán bộ có được nhận quà không?")
    assert coverage(q, idf, "Nghiêm cấm nhận tiền hoặc quà biếu.") > coverage(
        q, idf, "Thông qua quy trình tiếp nhận."
    )
    plain = query("can bo co duoc nhan qua khong")  # typed without accents: any accents match
    assert coverage(plain, idf, "nhận tiền hoặc quà biếu") == coverage(
        plain, idf, "tiếp nhận qua bưu điện"
    )
    text = "Nhận quà qua bưu điện"
    assert [text[a:b] for a, b in matched_spans(text, q)] == ["Nhận", "quà"]


def test_abbreviations_count_as_their_long_form() -> None:
    vocabulary = Vocabulary(abbreviations={"TTHC": "thủ tục hành chính"})
    q = analyse("Kiểm soát TTHC là gì?", vocabulary, {})
    assert "tthc" not in q.words and q.defines == "kiem soat thu tuc hanh chinh"
    assert coverage(q, idf, "Kiểm soát thủ tục hành chính là việc xem xét") == 1.0
    assert coverage(q, idf, "Kiểm soát TTHC là việc xem xét") == 1.0
