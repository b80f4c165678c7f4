"""Rendering answers as Telegram HTML and splitting long messages."""

from __future__ import annotations

import re

from bot.render import esc, render_answer, render_documents, render_passages, split_html, to_plain
from bot.testing.fake_api import html_error
from bot.testing.harness import parse_html
from retrieval.answer.compose import notes_for
from retrieval.domain.models import (
    Answer,
    AnswerGroup,
    AnswerList,
    Bullet,
    Citation,
    DocumentMeta,
    Hit,
    ListItem,
    Note,
    Passage,
    QuestionProblem,
    Snippet,
)


def _doc(**kw) -> DocumentMeta:
    values = dict(
        id="nq-76",
        title="Nghị quyết 76/NQ-CP về Chương trình tổng thể <CCHC> & cải cách",
        kind="nghị quyết",
        number="76/NQ-CP",
        issued="2021-07-15",
        source="https://example.gov.vn/vb?id=1&x=2",
        summary="Tóm tắt.",
    )
    values.update(kw)
    return DocumentMeta(**values)


def _citation(
    n: int, kind: str = "giai_phap", text: str = "Đẩy mạnh <số hóa> & cải cách.", **doc
) -> Citation:
    passage = Passage(id=n, doc_id="nq-76", ordinal=n, section="Mục III > 2", kind=kind, text=text)
    hit = Hit(passage=passage, document=_doc(**doc), score=1.0)
    return Citation(number=n, hit=hit, excerpt=[text])


def _answer(question: str, cites: list[Citation], lead: bool = False) -> Answer:
    """Each citation's excerpt as a bullet under its kind, groups in the order met."""
    groups: dict[str, AnswerGroup] = {}
    first = None
    for c in cites:
        bullet = Bullet(citation=c.number, snippet=Snippet(text=c.excerpt[0]))
        if lead and first is None:
            first = bullet
            continue
        kind = c.hit.passage.kind
        groups.setdefault(kind, AnswerGroup(kind=kind, bullets=[])).bullets.append(bullet)
    return Answer(
        question=question,
        abstained=False,
        lead=first,
        groups=list(groups.values()),
        citations=cites,
    )


def _visible(text: str) -> str:
    return re.sub(r"\s+", " ", parse_html(text)[0]).strip()


def test_answer_html_groups_by_kind_and_escapes_everything() -> None:
    answer = _answer(
        "Giải pháp <b>số hóa</b> & cải cách?", [_citation(1), _citation(2, kind="muc_tieu")]
    )
    out = render_answer(answer)
    assert html_error(out) is None
    text, links = parse_html(out)
    assert text.index("\nGiải pháp\n") < text.index("\nMục tiêu\n")  # in the order met
    assert "Giải pháp <b>số hóa</b> & cải cách?" in text
    assert "Đẩy mạnh <số hóa> & cải cách. [1]" in text
    assert "[1] Nghị quyết 76/NQ-CP về Chương trình tổng thể <CCHC> & cải cách" in text
    assert "số 76/NQ-CP" in text and "ngày 15/07/2021" in text and "mục: Mục III > 2" in text
    # The second citation of the same document does not repeat its title, number or link.
    assert "[2] cùng văn bản trên — mục: Mục III > 2" in text
    assert links == ["https://example.gov.vn/vb?id=1&x=2"]


def test_warning_for_documents_not_in_force_sits_beside_the_words() -> None:
    c = _citation(1, status="hết hiệu lực", replaced_by="Nghị quyết 99/NQ-CP")
    c.notes = notes_for(c.hit)
    out = render_answer(_answer("q", [c]))
    text, _ = parse_html(out)
    bullet = text.index("Đẩy mạnh <số hóa> & cải cách. [1]")
    warning = text.index("⚠️ Văn bản hết hiệu lực, thay thế bởi Nghị quyết 99/NQ-CP.")
    assert bullet < warning < text.index("Nguồn trích dẫn")
    assert text[bullet:warning].count("\n") == 1  # on the line right below the bullet
    full = render_passages([(1, c.hit.passage, c.hit.document)])
    assert "⚠️" in full and html_error(full) is None
    docs = render_documents([c.hit.document], detailed=True)
    assert "⚠️ hết hiệu lực" in docs and html_error(docs) is None


def test_unsafe_source_is_not_linked() -> None:
    c = _citation(1, source='javascript:alert("x")')
    out = render_answer(_answer("q", [c]))
    assert "<a " not in out


def test_problem_answer_is_plain_escaped_text() -> None:
    problem = QuestionProblem(code="too_long", length=1234, limit=1000)
    out = render_answer(Answer(question="", abstained=True, reason="invalid", problem=problem))
    assert out == "Câu hỏi quá dài (1.234 ký tự). Vui lòng hỏi ngắn gọn, dưới 1.000 ký tự."


def test_short_text_is_one_part() -> None:
    assert split_html("<b>xin chào</b>") == ["<b>xin chào</b>"]
    assert split_html("   ") == []


def test_split_prefers_paragraph_boundaries() -> None:
    paragraphs = [f"<b>Đoạn {i}</b>\n" + esc("nội dung & chi tiết " * 40) for i in range(12)]
    text = "\n\n".join(paragraphs)
    parts = split_html(text, 2000)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 2000
        assert html_error(part) is None
        assert part.startswith("<b>Đoạn")  # every part starts at a paragraph
    assert _visible("\n\n".join(parts)) == _visible(text)


def test_split_inside_a_long_tag_closes_and_reopens_it() -> None:
    body = esc("Cải cách hành chính <là> nhiệm vụ & trọng tâm. " * 300)
    text = f"[1] <b>Nghị quyết</b>\n<blockquote>{body}</blockquote>\n<i>hết</i>"
    parts = split_html(text, 4096)
    assert len(parts) >= 3
    for part in parts:
        assert len(part) <= 4096
        assert html_error(part) is None, part[:80]
    assert parts[1].startswith("<blockquote>") and parts[0].endswith("</blockquote>")
    assert _visible(" ".join(parts)) == _visible(text)


def test_split_never_cuts_an_entity_or_a_tag() -> None:
    text = "&amp;" * 3000 + '<a href="https://example.gov.vn/' + "x" * 50 + '">nguồn</a>'
    parts = split_html(text, 1000)
    for part in parts:
        assert len(part) <= 1000
        assert html_error(part) is None
    assert to_plain("".join(parts)) == to_plain(text)


def test_long_answer_splits_into_valid_messages() -> None:
    cites = [_citation(n, text="Đổi mới <quản lý> & phục vụ người dân. " * 25) for n in range(1, 9)]
    answer = _answer("Giải pháp?", cites)
    out = render_answer(answer)
    assert len(out) > 4096
    parts = split_html(out)
    assert len(parts) >= 2
    assert all(len(p) <= 4096 and html_error(p) is None for p in parts)
    assert "Nguồn trích dẫn" in parts[-1]


def test_lead_list_and_changed_provision_note_render_in_order() -> None:
    head = _citation(1, kind="quan_diem", text="I. QUAN ĐIỂM")
    items = [_citation(n, kind="quan_diem", text=f"{n - 1}. Quan điểm số {n - 1}.") for n in (2, 3)]
    later = _citation(4, kind="quy_dinh", text="Văn phòng Chính phủ có trách nhiệm: …")
    items[0].notes = [
        Note(
            code="changed",
            was="Bộ Tư pháp",
            now="Văn phòng Chính phủ",
            quote="Văn phòng Chính phủ có trách nhiệm: … kiểm tra, tổng hợp, báo cáo",
            citation=4,
        )
    ]
    answer = Answer(
        question="Các quan điểm?",
        abstained=False,
        lead=Bullet(citation=1, snippet=Snippet(text="Thời hạn không quá 2 lần.", bold=[(9, 24)])),
        listing=AnswerList(
            items=[
                ListItem(label="1", snippet=Snippet(text="1. Quan điểm số 1."), citation=2),
                ListItem(label="2", snippet=Snippet(text="Quan điểm số 2."), citation=3),
            ]
        ),
        citations=[head, *items, later],
    )
    out = render_answer(answer)
    assert html_error(out) is None
    assert "📌 Thời hạn <b>không quá 2 lần</b>. [1]" in out
    text, _ = parse_html(out)
    lead, first, second = (
        text.index("📌"),
        text.index("1. Quan điểm số 1. [2]"),
        text.index("2. Quan điểm số 2. [3]"),  # a label the text lacks is written in front
    )
    note = text.index("⚠️ Điều này còn ghi Bộ Tư pháp; theo quy định ban hành sau, việc này nay")
    assert lead < first < note < second < text.index("Nguồn trích dẫn")  # under item [2]
    assert "«Văn phòng Chính phủ có trách nhiệm: … kiểm tra, tổng hợp, báo cáo» [4]" in text
