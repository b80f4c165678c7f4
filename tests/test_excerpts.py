"""The words an answer quotes: sentence and clause boundaries, lists, cuts, and matching the
question's words with their accents. No model needed: these are the rules themselves."""

from __future__ import annotations

import unicodedata

import pytest

from retrieval.answer.excerpts import around, figures, list_openers, matched_spans, trim
from retrieval.domain.text import is_stopword, split_clauses, split_sentences, tone_key
from retrieval.domain.vocabulary import Vocabulary
from retrieval.knowledge.structure import inline_items, passage_units, sentence_windows
from retrieval.search.evidence import Span, coverage, word_in
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


def test_a_text_in_parts_is_read_as_the_parts_joined() -> None:
    """A heading and the sentence under it, given apart, are covered as when joined: word
    pairs run across the parts ("chỉ số" ends one, "cải cách" starts the next)."""
    vocabulary = Vocabulary(abbreviations={"CCHC": "cải cách hành chính"})
    q = analyse("Chỉ số CCHC của tỉnh năm 2016 xếp thứ mấy?", vocabulary, {})
    parts = ("II. KẾT QUẢ › Chỉ số", "CCHC của tỉnh năm 2016 xếp thứ 45/63.", "Nguồn: Bộ Nội vụ")
    assert coverage(q, idf, parts) == coverage(q, idf, "\n".join(parts)) > 0.5
    assert coverage(q, idf, parts) > coverage(q, idf, parts[1])
    for word in ("chỉ", "tỉnh", "vu"):
        assert word_in(word, parts) == word_in(word, "\n".join(parts))
    # A sentence given by where it is in its passage reads as its text: sliced from the
    # passage's syllables, or cut again when the passage has an abbreviation or is not NFC.
    for sentence in ("Chỉ số cải cách hành chính năm 2016 xếp thứ 45/63.", parts[1]):
        for before in ("Kết quả:", unicodedata.normalize("NFD", "Kết quả:")):
            passage = f"{before} {sentence} Năm 2017 tăng."
            where = Span(passage, len(before) + 1, len(before) + 1 + len(sentence))
            assert str(where) == sentence
            assert coverage(q, idf, (parts[0], where)) == coverage(q, idf, (parts[0], sentence))


# -- what the question asks for -------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "kind", "number", "year"),
    [
        ("NQ 76 đề ra mấy giải pháp", "nghi quyet", "76", ""),
        ("NĐ 63/2010 quy định gì về công khai?", "nghi dinh", "63", "2010"),
        ("nd 63 nam 2010 quy dinh gi", "nghi dinh", "63", "2010"),
    ],
)
def test_documents_named_the_short_way(question: str, kind: str, number: str, year: str) -> None:
    [doc] = query(question).documents
    assert (doc.kind, doc.number, doc.year) == (kind, number, year)


def test_a_machine_is_not_a_question_of_how_many() -> None:
    """Typed with tones, "bộ máy" is not "mấy"; typed without, it may be."""
    assert "number" not in query("Mục tiêu cải cách tổ chức bộ máy đến 2030").wants
    assert "number" in query("Bộ máy hành chính có mấy cấp?").wants
    assert "number" in query("bo may co may cap").wants


def test_counts_and_periods_are_read_from_the_question() -> None:
    q = query("nghi quyet 76 co bao nhieu quan diem chi dao")
    assert q.counts_list and q.asks_list
    assert not query("Bài học thứ ba là gì?").counts_list
    assert query("hạn chế giai đoạn 2011 - 2020").periods == [("2011", "2020")]


def test_dates_and_parts_are_not_figures() -> None:
    q = query("Quyết định công bố phải ban hành trước bao nhiêu ngày?")
    text = (
        "ngày 22 tháng 4 năm 2021, một bộ phận công chức … giai đoạn 2021-2025 tỉnh … trước 20 ngày"
    )
    assert [text[a:b] for a, b in figures(text, q)] == ["trước 20 ngày"]
