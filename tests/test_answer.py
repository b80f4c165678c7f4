"""The answer an official reads: a direct answer first, whole lists, warnings beside the words
they qualify, refusals that follow the evidence, and the same answer on both faces."""

from __future__ import annotations

import pytest

from retrieval.cli.evaluate import renderers
from retrieval.cli.render import citation_line, render_text
from retrieval.domain import messages, naming
from retrieval.domain.models import Answer
from retrieval.service.answering import AnsweringService
from retrieval.service.evaluation import EvalQuestion, evaluate, normalise

RENDERERS = renderers()


def shown(answer: Answer) -> dict[str, str]:
    """What each face prints, normalised as the evaluation reads it."""
    return {name: normalise(render(answer)) for name, render in RENDERERS.items()}


def line_after(text: str, marker: str) -> str:
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if marker in line)
    return lines[index + 1]


# -- the direct answer ----------------------------------------------------------------------
def test_direct_answer_leads_with_the_figure_in_bold(assistant: AnsweringService) -> None:
    answer = assistant.ask("Cán bộ không được để người dân đi lại bổ sung hồ sơ quá mấy lần?")
    assert not answer.abstained and answer.lead is not None
    lead = answer.lead.snippet
    assert [lead.text[a:b] for a, b in lead.bold] == ["quá hai lần"]
    cited = answer.citation(answer.lead.citation)
    assert cited is not None and "Điều 44.5.NĐ.20." in cited.hit.passage.section
    assert lead.text.rstrip("…") in cited.hit.passage.text  # verbatim, never paraphrased
    text = render_text(answer)
    assert text.startswith(lead.text)  # first on the screen
    telegram = RENDERERS["telegram"](answer).strip()
    assert telegram.startswith("📌 4. Hướng dẫn tổ chức")


def test_a_list_item_is_quoted_under_the_words_that_open_its_list(
    assistant: AnsweringService,
) -> None:
    answer = assistant.ask(
        "Cán bộ một cửa có được nhận quà của người dân khi giải quyết hồ sơ không?"
    )
    assert answer.lead is not None
    lead = answer.lead.snippet.text
    assert lead.startswith("1. Nghiêm cấm cán bộ, công chức")
    assert "… d) Nhận tiền hoặc quà biếu dưới bất cứ hình thức nào" in lead


# -- whole lists ----------------------------------------------------------------------------
LISTS = [
    pytest.param(
        "Các quan điểm của Nghị quyết 76/NQ-CP về cải cách hành chính",
        ["1. Quán triệt chủ trương", "2. Cải cách hành chính phải xuất phát", "3. Các nội dung",
         "4. Cải cách hành chính phải gắn với", "5. Cải cách hành chính phải kế thừa"],
        id="5 quan điểm",
    ),
    pytest.param(
        "Những giải pháp thực hiện Chương trình tổng thể cải cách hành chính 2021-2030",
        ["1. Tăng cường công tác chỉ đạo", "2. Đẩy mạnh công tác thông tin", "3. Bố trí đủ",
         "4. Tăng cường kỷ luật", "5. Đổi mới phương pháp", "6. Đẩy mạnh ứng dụng"],
        id="6 giải pháp",
    ),
    pytest.param(
        "Chương trình tổng thể 2021-2030 tập trung vào mấy nội dung?",
        ["1. Cải cách thể chế", "2. Cải cách thủ tục hành chính", "3. Cải cách tổ chức bộ máy",
         "4. Cải cách chế độ công vụ", "5. Cải cách tài chính công", "6. Xây dựng, phát triển"],
        id="6 nội dung",
    ),
    pytest.param(
        "Cho em xin 7 bài học kinh nghiệm cải cách hành chính giai đoạn 2011 - 2020",
        ["Thứ nhất,", "Thứ hai,", "Thứ ba,", "Thứ tư,", "Thứ năm,", "Thứ sáu,", "Thứ bảy,"],
        id="7 bài học",
    ),
    pytest.param(
        "Điều 17 Nghị định 63 quy định những hình thức công khai thủ tục hành chính nào?",
        ["a) Công khai trên Cơ sở dữ liệu quốc gia", "b) Công khai tại trụ sở",
         "c) Đăng tải trên Cổng thông tin điện tử"],
        id="Điều 17",
    ),
    pytest.param(
        "Nguyên tắc kiểm soát thủ tục hành chính gồm những gì?",
        ["1. Kiểm soát thủ tục hành chính phải bảo đảm", "2. Kịp thời phát hiện",
         "3. Kiểm soát thủ tục hành chính được thực hiện ngay"],
        id="nguyên tắc KSTTHC",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "starts"), LISTS)
def test_lists_are_whole_in_order_and_each_item_cited(
    assistant: AnsweringService, question: str, starts: list[str]
) -> None:
    answer = assistant.ask(question)
    assert answer.listing is not None, render_text(answer)
    items = answer.listing.items
    assert len(items) == len(starts)
    numbers = {c.number for c in answer.citations}
    for n, (item, start) in enumerate(zip(items, starts, strict=True), 1):
        text = naming.item_prefix(item.label, n, item.snippet.text) + item.snippet.text
        assert text.startswith(start), (text, start)
        assert item.citation in numbers
        cited = answer.citation(item.citation)
        assert item.snippet.text.rstrip("…")[:50] in "\n".join(
            h.passage.text for h in (cited.hit, *cited.more)
        )
    for name, text in shown(answer).items():
        positions = [text.find(normalise(i.snippet.text.rstrip("…"))[:60]) for i in items]
        assert -1 not in positions and positions == sorted(positions), name


def test_one_item_asked_by_its_place_is_answered_alone(assistant: AnsweringService) -> None:
    answer = assistant.ask("Bài học kinh nghiệm thứ ba là gì?")
    assert answer.listing is None and answer.lead is not None
    assert answer.lead.snippet.text.startswith("Thứ ba, tăng cường hơn nữa vai trò")


# -- warnings beside the words --------------------------------------------------------------
def test_repealed_article_is_warned_on_the_line_below_its_words(
    assistant: AnsweringService,
) -> None:
    answer = assistant.ask("Cách thức rà soát, đánh giá thủ tục hành chính")
    cites = [c for c in answer.citations if "Điều 44.5.NĐ.29." in c.hit.passage.section]
    assert cites, [c.hit.passage.section for c in answer.citations]
    c = cites[0]
    assert [n.code for n in c.notes][:1] == ["repealed"]
    label = citation_line(c)
    assert "trích Điều 29 Nghị định số 63/2010/NĐ-CP" in label
    text = render_text(answer)
    assert f"[{c.number}] {label}" in text
    warning = line_after(text, f"[{c.number}]")
    assert warning.strip().startswith("⚠️ Điều khoản này đã bị bãi bỏ") and "48/2013" in warning
    telegram = RENDERERS["telegram"](answer)
    assert line_after(telegram, f"[{c.number}]").strip().startswith("⚠️ Điều khoản này đã bị")


def test_a_provision_changed_later_is_quoted_beside_the_current_one(
    assistant: AnsweringService,
) -> None:
    answer = assistant.ask(
        "Các bộ định kỳ 6 tháng báo cáo tình hình kiểm soát thủ tục hành chính cho cơ quan nào?"
    )
    earlier = next(c for c in answer.citations if "Điều 44.5.NĐ.35." in c.hit.passage.section)
    note = next(n for n in earlier.notes if n.code == "changed")
    assert (note.was, note.now) == ("Bộ Tư pháp", "Văn phòng Chính phủ")
    later = answer.citation(note.citation)
    assert later is not None and "Điều 44.5.NĐ.40." in later.hit.passage.section
    assert "kiểm tra, tổng hợp, báo cáo" in note.quote
    assert note.quote.split("…")[-1].strip().rstrip(".") in later.hit.passage.text
    for name, text in shown(answer).items():
        said = normalise(messages.note_text(note))
        assert said in text and normalise(note.quote)[:40] in text, name


# -- refusals that follow the evidence ------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "what"),
    [
        ("Mục tiêu mức độ hài lòng của người dân với dịch vụ công đến năm 2025 là bao nhiêu "
         "phần trăm?", "figure"),
        ("Nghị định 61/2018/NĐ-CP về cơ chế một cửa quy định thời gian trả kết quả thế nào?",
         "document"),
    ],
)  # fmt: skip
def test_near_domain_question_is_told_the_fact_is_missing(
    assistant: AnsweringService, question: str, what: str
) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and answer.reason == "missing_fact"
    assert answer.citations == [] and len(answer.related) <= 2
    assert what in {m.what for m in answer.missing}
    text = render_text(answer)
    assert "không nêu" in text or "chưa có văn bản Nghị định 61/2018/NĐ-CP" in text
    assert messages.RELATED in text and "[1]" not in text


def test_paraphrase_with_few_shared_words_is_answered(assistant: AnsweringService) -> None:
    answer = assistant.ask(
        "Thủ tướng yêu cầu phân công nhiệm vụ theo nguyên tắc nào để tránh chồng chéo?"
    )
    assert not answer.abstained
    assert any("một việc chỉ giao một cơ quan" in t for t in shown(answer).values())


def test_abstention_cites_nothing_and_suggests_how_to_ask(assistant: AnsweringService) -> None:
    answer = assistant.ask("Giá vàng hôm nay bao nhiêu?")
    text = render_text(answer)
    assert answer.abstained and not answer.citations
    assert "chưa có nội dung" in text and "Gợi ý" in text and "[1]" not in text


# -- English --------------------------------------------------------------------------------
def test_english_question_is_answered_from_vietnamese_with_a_note(
    assistant: AnsweringService,
) -> None:
    answer = assistant.ask("What are the lessons learned from administrative reform 2011-2020?")
    assert not answer.abstained and answer.english
    text = render_text(answer)
    assert text.startswith(messages.ENGLISH_NOTE)
    assert "Thứ nhất, cải cách hành chính tiếp tục phải đặt dưới sự lãnh đạo" in text


# -- the evaluation reads what users read ---------------------------------------------------
def test_visible_span_check_reads_both_faces(assistant: AnsweringService) -> None:
    span = "không để tổ chức, cá nhân phải đi lại bổ sung hồ sơ quá hai lần"
    seen = EvalQuestion(
        id="t1", question="Cán bộ không được để người dân đi lại bổ sung hồ sơ quá mấy lần?",
        expect=[span],
    )  # fmt: skip
    report = evaluate(assistant, [seen], renderers=RENDERERS)
    assert report.rows[0].visible == {"terminal": True, "telegram": True}
    # The same passage ranks first, but a face that does not print its words is a miss.
    cut = {name: lambda a, r=render: r(a)[:80] for name, render in RENDERERS.items()}
    report = evaluate(assistant, [seen], renderers=cut)
    assert report.rows[0].rank == 1 and report.rows[0].visible == {
        "terminal": False,
        "telegram": False,
    }
    assert report.visible == {"terminal": 0.0, "telegram": 0.0}
