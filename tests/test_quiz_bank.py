"""The question bank over the real knowledge base, with the real embedding model: proof, wrong
options, form, one question per source statement, legal citations, limits, dump-json."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

from bot.quiz.questions import poll_question
from retrieval.domain.models import Document, Passage
from retrieval.domain.quiz import QuizQuestion
from retrieval.domain.text import utf16_len
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir, parse_markdown
from retrieval.quiz.bank import BankReport, build_bank, build_report, dump_json_lines
from retrieval.quiz.curated import load_curated
from retrieval.quiz.similarity import KEYPHRASE_OVERLAP, RESTATEMENT_COSINE, Similarity

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
CITATION = re.compile(r"Điều \d+\w? (?:Nghị định|Thông tư|Quyết định) \d+/\d{4}/[\w-]+")


# --- an independent normaliser, so the tests do not trust the code under test -------------


def _n(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("…", " ")
    text = re.sub(r"[^\w]+", " ", text).replace("_", " ")
    text = re.sub(r"\b0+(\d)", r"\1", text)
    return f" {' '.join(text.split())} "


def _in(needle: str, haystack: str) -> bool:
    return _n(needle).strip() != "" and _n(needle) in _n(haystack)


def _numbers(text: str) -> set[int]:
    return {int(x) for x in re.findall(r"(?<![\w/])0*(\d+)(?![\w/])", text)}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return load_knowledge_dir(KNOWLEDGE)


@pytest.fixture(scope="module")
def passages(documents: list[Document]) -> list[Passage]:
    return [p for d in documents for p in chunk_document(d)]


@pytest.fixture(scope="module")
def report(
    documents: list[Document], passages: list[Passage], similarity: Similarity
) -> BankReport:
    return build_report(
        documents, passages, load_curated(KNOWLEDGE / "quiz"), similarity=similarity
    )


@pytest.fixture(scope="module")
def bank(report: BankReport) -> list[QuizQuestion]:
    """Every test below loops over these: it is never empty."""
    assert len(report.questions) >= 80
    return report.questions


# --- size and balance ---------------------------------------------------------------------------


def test_at_least_eighty_questions_of_every_kind_and_level(report: BankReport) -> None:
    bank = report.questions
    assert len(bank) >= 80
    styles = Counter(q.style for q in bank)
    assert styles["scenario"] >= 20
    for kind in ("not_in_list", "true_false", "cause_effect"):
        assert styles[kind] >= 2, kind
    levels = Counter(q.difficulty for q in bank)
    assert set(levels) == {"nhớ", "hiểu", "vận dụng"}
    assert min(levels.values()) >= len(bank) // 5, levels  # no level below a fifth
    docs = Counter(q.source.document_id for q in bank)
    assert len(docs) == 6 and min(docs.values()) >= 4, docs
    assert max(docs.values()) <= len(bank) * 0.55, docs


def test_no_retired_trivia(bank: list[QuizQuestion]) -> None:
    retired = {"list_order", "origin", "date", "section", "document", "rank"}
    assert not [q.id for q in bank if q.style in retired]
    assert not [
        q.id for q in bank if "thứ ba là gì" in q.question or "nằm trong phần" in q.question
    ]


# --- one question per source statement ---------------------------------------------------------


def _units(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^(?:\d{1,2}\.|[a-zđ]\)|-)\s+", "", line.strip())
        for part in re.split(r"(?<=[.!?])\s+|;\s+|:\s+", line):
            if len(_n(part).split()) >= 2:
                out.append(_n(part))
    return out


def _touched(quote: str, passages: list[Passage], doc_id: str) -> set[tuple[str, str]]:
    q = _n(quote)
    words = q.split()
    runs = {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}
    for p in passages:
        if p.doc_id != doc_id or q not in _n(p.text):
            continue
        units = _units(p.text)
        inside = {u for u in units if u in q}
        holder = next((u for u in units if q in u), None)
        found = inside | ({holder} if holder else set())
        if not found:
            found = {u for u in units if any(f" {r} " in u for r in runs)}
        return {(doc_id, u) for u in found}
    return set()


def test_no_two_questions_rest_on_the_same_statement(
    bank: list[QuizQuestion], passages: list[Passage]
) -> None:
    rests: dict[str, set[tuple[str, str]]] = {}
    for q in bank:
        doc = q.source.document_id
        rests[q.id] = set()
        for quote in [q.source.quote, *q.source.also]:
            found = _touched(quote, passages, doc)
            assert found, (q.id, quote)
            rests[q.id] |= found
    for a, b in combinations(bank, 2):
        shared = rests[a.id] & rests[b.id]
        assert not shared, (a.id, b.id, sorted(shared)[0][1])


# --- form -----------------------------------------------------------------------------------------


def test_no_key_stands_out_by_form(bank: list[QuizQuestion]) -> None:
    for q in bank:
        cut = [o.endswith(("…", "...")) for o in q.options]
        assert all(cut) or not any(cut), (q.id, q.options)
        others = [len(o) for o in q.distractors]
        if min(len(o) for o in q.options) < 60 and len(q.answer) > 25:
            assert len(q.answer) <= 1.5 * max(others), (q.id, q.answer)


def test_keys_are_spread_over_positions(bank: list[QuizQuestion]) -> None:
    four = [q for q in bank if len(q.options) == 4]
    positions = Counter(q.correct for q in four)
    assert len(positions) == 4 and max(positions.values()) <= len(four) * 0.4, positions


def test_telegram_limits(bank: list[QuizQuestion]) -> None:
    """Telegram counts UTF-16 code units; the number put in front of a poll fits too."""
    for q in bank:
        assert utf16_len(poll_question(q, 9, 10)) <= 300, q.id
        assert 2 <= len(q.options) <= 10, q.id
        assert all(0 < utf16_len(o) <= 100 for o in q.options), q.id
        assert utf16_len(q.explanation) <= 200, q.id
        assert 0 <= q.correct < len(q.options), q.id


# --- proof and wrong options -------------------------------------------------------------------


def test_every_source_passage_is_in_the_knowledge_base(
    bank: list[QuizQuestion], passages: list[Passage]
) -> None:
    known = {(p.doc_id, p.section, p.text): p for p in passages}
    for q in bank:
        p = known.get((q.source.document_id, q.source.section, q.source.passage))
        assert p is not None, q.id
        assert p.status != "bị bãi bỏ", q.id
        assert _in(q.source.quote, q.source.passage), q.id
        assert q.topic.document_id == q.source.document_id


def test_generated_answers_are_proved(bank: list[QuizQuestion]) -> None:
    for q in bank:
        if q.origin != "generated":
            continue
        src = q.source
        if q.style == "count":
            assert int(q.answer) in _numbers(src.quote), q.id
        elif q.style in ("list_item", "cause_effect"):
            assert q.answer in src.items, q.id
        elif q.style == "not_in_list":
            assert q.answer not in src.items and set(q.distractors) <= set(src.items), q.id
        elif q.style == "definition":
            assert _in(q.answer, src.quote), q.id


def test_curated_keys_words_are_in_their_passage(bank: list[QuizQuestion]) -> None:
    for q in bank:
        if q.origin != "curated" or q.style in ("scenario", "true_false"):
            continue
        words = set(_n(q.answer).split())
        have = set(_n(q.source.passage).split())
        assert len(words & have) / len(words) >= 0.75, (q.id, q.answer)


def test_no_wrong_option_is_what_the_proof_says(bank: list[QuizQuestion]) -> None:
    for q in bank:
        if q.style in ("not_in_list", "true_false"):
            continue
        for d in q.distractors:
            if q.style == "count":
                assert int(d) not in _numbers(q.source.quote), (q.id, d)
            else:
                assert not _in(d, q.source.quote), (q.id, d)


def test_every_wrong_statement_is_farther_than_the_threshold_from_every_correct_item(
    bank: list[QuizQuestion], similarity: Similarity
) -> None:
    """The calibrated check, recomputed here over the bank's own vectors (an int8 model's
    vectors move by a few thousandths with the batch they are computed in, so a fresh batch
    would judge other numbers than the bank did): every option a list question offers as
    wrong (its distractors; the key of a «which is NOT»; a false statement) neither holds nor
    is held by a correct item of the list, and is farther than the cosine threshold from each
    of them, short statements too."""
    listed = [q for q in bank if q.source.items]
    assert len(listed) >= 5
    pairs = [(q.id, w, item) for q in listed for w in q.wrong_statements for item in q.source.items]
    similarity.prepare(t for _, w, item in pairs for t in (w, item))
    for qid, wrong, item in pairs:
        assert _n(wrong) not in _n(item) and _n(item) not in _n(wrong), (qid, wrong, item)
        cosine = similarity.cosine(wrong, item)
        assert cosine is not None and cosine < RESTATEMENT_COSINE, (qid, wrong, item, cosine)
    assert len(pairs) >= 40
    assert 0.85 < RESTATEMENT_COSINE < 0.97 and KEYPHRASE_OVERLAP == 0.5


def test_explanations_show_the_words_that_prove_the_key(bank: list[QuizQuestion]) -> None:
    """An explanation cut to Telegram's 200 characters still shows the proof: at least 80 %
    of the key's words that its quote holds (never «…năng lực lãnh đạo…» for a key
    «người đứng đầu»)."""
    checked = 0
    for q in bank:
        if q.style in ("true_false", "not_in_list"):
            continue  # the key is a verdict, or is not in the quote at all
        shared = set(_n(q.answer).split()) & set(_n(q.source.quote).split())
        if len(shared) < 2:
            continue
        shown = shared & set(_n(q.explanation).split())
        assert len(shown) >= 0.8 * len(shared), (q.id, sorted(shared - shown), q.explanation)
        checked += 1
    assert checked >= 60


def test_no_question_gives_away_the_answer_of_a_count_question(
    bank: list[QuizQuestion],
) -> None:
    """«… đâu là một trong 6 nội dung» beside «… tập trung vào bao nhiêu nội dung?»."""
    counts = [q for q in bank if q.style == "count"]
    assert counts
    for count in counts:
        noun = re.search(rf"\b{count.answer}\s+(\w+(?:\s\w+)?)", count.source.quote)
        assert noun, count.id
        said = re.compile(rf"\b{count.answer}\s+{noun.group(1)}")
        for q in bank:
            if q.id != count.id:
                assert not said.search(q.question + " " + " ".join(q.options)), (q.id, count.id)


# --- legal questions ----------------------------------------------------------------------


def test_legal_questions_name_the_act_and_the_article(bank: list[QuizQuestion]) -> None:
    legal = [q for q in bank if q.source.document_id == "phap-dien-44-5"]
    assert len(legal) >= 25
    for q in legal:
        text = q.question + " ".join(q.options) + q.explanation
        assert "44.5" not in text and "Pháp điển" not in text, q.id
        assert CITATION.search(q.question), q.id
        assert q.source.citation and CITATION.fullmatch(q.source.citation), q.id
        for bad in ("thời hạn này", "Nghị định này", "quy định tại khoản", "Điều này"):
            assert bad not in q.question, (q.id, bad)


def test_no_provision_changed_since_is_asked_as_current_law(bank: list[QuizQuestion]) -> None:
    for q in bank:
        if q.source.document_id != "phap-dien-44-5":
            continue
        line = next(ln for ln in q.source.passage.split("\n") if _in(q.source.quote, ln))
        assert "Bộ Tư pháp" not in line, q.id  # Nghị định 92/2017/NĐ-CP gave it to VPCP
        assert "cấp huyện" not in line and "quận, huyện" not in line, q.id
    # the question on who reports now cites the 2017 decree
    who = next(q for q in bank if q.id == "s-bao-cao-kiem-soat-gui-ai")
    assert who.answer == "Văn phòng Chính phủ"
    assert "Nghị định 92/2017/NĐ-CP" in who.question


def test_at_least_twenty_scenarios_each_citing_its_article(bank: list[QuizQuestion]) -> None:
    scenarios = [q for q in bank if q.style == "scenario"]
    assert len(scenarios) >= 20
    for q in scenarios:
        assert q.source.citation and q.source.citation in q.question, q.id
        assert q.source.citation in q.explanation, q.id
        # the citation is the article the proof is from
        article = re.match(r"Điều (\d+\w?)", q.source.citation).group(1)
        assert f"(Điều {article} Nghị định số" in q.source.passage or (
            "(tiếp theo)" in q.source.passage.split("\n")[0]
        ), q.id


def test_time_bound_facts_carry_their_status(bank: list[QuizQuestion]) -> None:
    notes = {
        "backan-nq07-2016-2020": "Thái Nguyên",
        "btttt-tong-ket-cchc-2011-2020": "Bộ KH&CN",
        "bcd-cchc-phien-hop-2022": "Ban Chỉ đạo hợp nhất",
    }
    for q in bank:
        note = notes.get(q.source.document_id)
        if note:
            assert note in q.explanation, q.id
    ranking = next(q for q in bank if q.id == "c-backan-hang-thap-nhat")
    assert "63 tỉnh, thành phố" in ranking.explanation


# --- text ---------------------------------------------------------------------------------------


def test_user_facing_text_is_vietnamese_with_diacritics(bank: list[QuizQuestion]) -> None:
    from retrieval.domain.text import has_diacritics

    for q in bank:
        assert has_diacritics(q.question) and has_diacritics(q.explanation), q.id
        assert unicodedata.is_normalized("NFC", q.question + "".join(q.options)), q.id
        assert q.question.rstrip().endswith(("?", ".", "»")), q.id


def test_a_cut_section_name_ends_on_a_whole_phrase(bank: list[QuizQuestion]) -> None:
    """ "Nghị quyết 76/NQ-CP, III. Nội dung, mục tiêu, nhiệm vụ cụ thể…", never "… của…"."""
    cut = [q.explanation.rsplit(" — ", 1)[-1] for q in bank]
    cut = [where for where in cut if "…" in where.split(". Lưu ý")[0]]
    assert cut  # the long heading of Nghị quyết 76/NQ-CP is cut in some explanations
    for where in cut:
        assert not re.search(r"\b(?:của|và|về|các|cho|với|trong|theo|để)…", where), where


def test_the_count_question_of_the_issue(bank: list[QuizQuestion]) -> None:
    count = next(q for q in bank if "bao nhiêu nội dung" in q.question)
    assert count.answer == "6" and count.question.startswith("Theo Nghị quyết 76/NQ-CP")


def test_dump_json_lines(bank: list[QuizQuestion]) -> None:
    lines = list(dump_json_lines(bank))
    assert len(lines) == len(bank)
    for line in lines:
        obj = json.loads(line)
        assert {
            "id",
            "question",
            "options",
            "correct",
            "explanation",
            "origin",
            "source",
            "style",
            "difficulty",
        } <= set(obj)
        assert isinstance(obj["correct"], int) and 0 <= obj["correct"] < len(obj["options"])
        assert obj["origin"] in ("curated", "generated")
        assert obj["difficulty"] in ("nhớ", "hiểu", "vận dụng")
        assert {"document_id", "section", "passage"} <= set(obj["source"])
    assert sum(json.loads(x)["style"] == "scenario" for x in lines) >= 20


# --- the bank follows the knowledge base ---------------------------------------------------------


def test_a_repealed_passage_yields_no_question(
    documents: list[Document], passages: list[Passage], similarity: Similarity
) -> None:
    repealed = [
        p.model_copy(update={"status": "bị bãi bỏ"}) if p.doc_id.startswith("nq-76") else p
        for p in passages
    ]
    curated = load_curated(KNOWLEDGE / "quiz")
    curated.questions = [e for e in curated if not e.item.source.document_id.startswith("nq-76")]
    bank = build_bank(documents, repealed, curated, similarity=similarity)
    assert bank and not [q for q in bank if q.source.document_id.startswith("nq-76")]


NEW_DOC = """---
id: vi-du-ke-hoach-2025
title: Kế hoạch cải cách hành chính năm 2025 của Ủy ban nhân dân huyện Ví Dụ
kind: kế hoạch
issuer: Ủy ban nhân dân huyện Ví Dụ
issued: 2025-01-10
summary: Kế hoạch ví dụ dùng trong kiểm thử ngân hàng câu hỏi.
---

Ngày 10/01/2025, Ủy ban nhân dân huyện ban hành Kế hoạch số 12/KH-UBND về cải cách hành chính.

I. MỤC TIÊU

Nâng cao chỉ số hài lòng của người dân đối với sự phục vụ của cơ quan hành chính huyện.

II. NHIỆM VỤ

Kế hoạch tập trung vào 4 nhiệm vụ, đó là: số hóa hồ sơ; rút ngắn thời gian giải quyết; \
tập huấn công chức; kiểm tra công vụ.

III. GIẢI PHÁP

1. Ứng dụng nền tảng số dùng chung cho tiếp nhận hồ sơ tại Bộ phận Một cửa huyện.

2. Tổ chức đối thoại định kỳ giữa lãnh đạo huyện với người dân về thủ tục đất đai.

3. Khen thưởng kịp thời tập thể, cá nhân có sáng kiến rút ngắn quy trình nội bộ.

4. Công khai kết quả giải quyết hồ sơ hằng tháng trên trang thông tin của huyện.
"""


def test_the_bank_grows_when_a_document_is_added(
    documents: list[Document],
    passages: list[Passage],
    bank: list[QuizQuestion],
    similarity: Similarity,
) -> None:
    doc = parse_markdown(NEW_DOC, "vi-du.md")
    grown = build_report(
        [*documents, doc],
        [*passages, *chunk_document(doc)],
        load_curated(KNOWLEDGE / "quiz"),
        similarity=similarity,
    ).questions
    new = [q for q in grown if q.source.document_id == doc.id]
    assert len(grown) > len(bank)
    count = next(q for q in new if q.style == "count")
    assert count.answer == "4"
    assert {q.style for q in new} & {"list_item", "not_in_list"}, [q.question for q in new]
    assert not [q for q in new if "ngày nào" in q.question]  # dates of acts are not asked
