"""The rules of a class quiz, without Telegram: ranking, timing, the period of a long
question, the source line, choosing by level, and a trainer's question file."""

from __future__ import annotations

import itertools

import pytest

from bot.quiz.questions import poll_question, source_label
from bot.quiz.report import leaderboard, rank
from bot.quiz.timing import backlog_elapsed, live_elapsed, poll_period
from bot.settings import BotSettings
from bot.storage.quiz_state import QuizAnswer, QuizPoll, QuizRun
from bot.testing.harness import parse_html
from retrieval.domain.models import DocumentMeta
from retrieval.domain.quiz import QuizQuestion, QuizSource, QuizTopic
from retrieval.domain.text import utf16_len
from retrieval.quiz.topics import filter_topic
from retrieval.quiz.trainer_set import read_question_set

PERIOD = 20.0


def _poll(idx: int, closed: bool = True, sent_at: float = 1000.0) -> QuizPoll:
    return QuizPoll(
        poll_id=f"p{idx}", run_id=1, idx=idx, question_id=f"q{idx}", chat_id=-1, message_id=idx,
        sent_at=sent_at, closes_at=sent_at + PERIOD, closed=closed,
    )  # fmt: skip


def _answer(user: int, idx: int, correct: bool, elapsed: float) -> QuizAnswer:
    return QuizAnswer(
        poll_id=f"p{idx}", run_id=1, idx=idx, user_id=user, name=f"Học viên {user}",
        option=0 if correct else 1, correct=correct, elapsed=elapsed, answered_at=0.0,
    )  # fmt: skip


def _question(i: int, text: str = "Câu hỏi thử?", kind: str = "giai_phap", **kw) -> QuizQuestion:
    values = dict(
        id=f"t-{i}", question=text, options=["Đúng là thế", "Không phải"], correct=0,
        explanation="«Đúng là thế»", origin="curated", style="curated",
        topic=QuizTopic(document_id="nq-76-2021-chuong-trinh-tong-the", kind=kind),
        difficulty="hiểu",
        source=QuizSource(
            document_id="nq-76-2021-chuong-trinh-tong-the", section="IV. GIẢI PHÁP",
            passage="Đúng là thế.", quote="Đúng là thế",
        ),
    )  # fmt: skip
    values.update(kw)
    return QuizQuestion(**values)


# -- ranking ---------------------------------------------------------------------------------
def test_every_five_of_five_ranks_above_every_four_of_five() -> None:
    """Many learners, every way of getting 4/5 fast and 5/5 slowly: the 5/5 are all above."""
    polls = [_poll(i) for i in range(5)]
    answers: list[QuizAnswer] = []
    perfect = [1, 2, 3]
    for user in perfect:  # all right, at the last second
        answers += [_answer(user, i, True, PERIOD - 0.1 * user) for i in range(5)]
    four = list(range(10, 20))
    for user, missed in zip(four, itertools.cycle(range(5)), strict=False):
        for i in range(5):
            if i == missed and user % 2:
                continue  # left unanswered
            answers.append(_answer(user, i, i != missed, 0.3))  # at once
    table = rank(answers, polls)
    assert [s.user_id for s in table][: len(perfect)] == sorted(
        perfect, key=lambda u: -u
    )  # the faster of the 5/5 first
    assert all(s.correct == 4 for s in table[len(perfect) :]) and len(table) == 13
    # between equal counts, less total time ranks higher; an unanswered question counts
    # its whole period
    fours = table[len(perfect) :]
    assert [s.seconds for s in fours] == sorted(s.seconds for s in fours)
    skipped = next(s for s in fours if s.answered == 4)
    assert skipped.seconds == pytest.approx(4 * 0.3 + PERIOD)


def test_no_medal_without_a_right_answer_and_the_time_is_labelled() -> None:
    polls = [_poll(0)]
    table = rank([_answer(1, 0, True, 3.0), _answer(2, 0, False, 1.0)], polls)
    run = QuizRun(
        id=1, kind="group", chat_id=-1, owner_id=9, topic=None, open_period=20,
        questions=[_question(0)], current=1, state="finished", created_at=0.0,
    )  # fmt: skip
    text, _ = parse_html(leaderboard(run, table, 1, "finished"))
    lines = [line for line in text.splitlines() if "Học viên" in line]
    assert len(lines) == 2
    assert lines[0].startswith("🥇") and "tổng thời gian 3,0 giây" in lines[0]
    assert lines[1].startswith("2.") and "🥈" not in lines[1] and "🥉" not in text


# -- timing ----------------------------------------------------------------------------------
def test_an_answer_is_timed_from_its_poll() -> None:
    poll = _poll(0, closed=False)
    assert live_elapsed(poll, poll.sent_at + 4.2) == pytest.approx(4.2)
    assert live_elapsed(poll, poll.sent_at + 99) == PERIOD  # arrived late: the whole period
    # given while the bot was down: from the last heartbeat, never past the poll's end
    assert backlog_elapsed(poll, poll.sent_at + 3.5) == pytest.approx(3.5)
    assert backlog_elapsed(poll, poll.sent_at + 60) == PERIOD
    assert backlog_elapsed(poll, None) == 0.0


def test_a_long_question_gets_time_to_be_read() -> None:
    settings = BotSettings(_env_file=None, quiz_min_period=5, quiz_read_chars_per_second=20)
    long = _question(1, "Một câu hỏi tình huống dài " * 9 + "?")
    assert len(long.question) > 240
    assert poll_period(long, 10, settings) >= 5 + len(long.question) // 20
    assert poll_period(_question(2), 10, settings) == 10  # a short one keeps its 10 s
    assert poll_period(long, 600, settings) == 600
    off = BotSettings(_env_file=None, quiz_read_chars_per_second=0)
    assert poll_period(long, 10, off) == 10


# -- what a learner reads ---------------------------------------------------------------------
def _sourced(q: QuizQuestion, **source) -> QuizQuestion:
    return q.model_copy(update={"source": q.source.model_copy(update=source)})


def test_the_source_line_says_the_title_once() -> None:
    report = DocumentMeta(
        id="backan", title="Kết quả 5 năm thực hiện Nghị quyết 07", kind="tin bài",
        status="còn hiệu lực", summary="Báo cáo",
    )  # fmt: skip
    resolution = DocumentMeta(
        id="nq76", title="Chương trình tổng thể", kind="nghị quyết", number="76/NQ-CP",
        status="còn hiệu lực", summary="Nghị quyết",
    )  # fmt: skip
    docs = {"backan": report, "nq76": resolution}
    same = _sourced(_question(1), document_id="backan", section=report.title)
    assert source_label(docs, same) == report.title
    nested = _sourced(same, section=f"{report.title} › Kinh nghiệm")
    assert source_label(docs, nested) == f"{report.title} — Kinh nghiệm"
    other = _sourced(same, document_id="nq76", section="IV. GIẢI PHÁP")
    assert source_label(docs, other) == "Nghị quyết 76/NQ-CP — IV. GIẢI PHÁP"
    legal = _sourced(same, citation="Điều 18 Nghị định 63/2010/NĐ-CP")
    assert source_label(docs, legal) == "Điều 18 Nghị định 63/2010/NĐ-CP"


def test_a_topic_may_name_a_level() -> None:
    bank = [
        _question(1, difficulty="nhớ"),
        _question(2, difficulty="vận dụng"),
        _question(3, difficulty="vận dụng", kind="bai_hoc"),
        _question(4, difficulty="hiểu", style="scenario"),
    ]
    assert [q.id for q in filter_topic(bank, "vận dụng")] == ["t-2", "t-3"]
    assert [q.id for q in filter_topic(bank, "van dung")] == ["t-2", "t-3"]
    assert [q.id for q in filter_topic(bank, "giải pháp vận dụng")] == ["t-2"]
    assert [q.id for q in filter_topic(bank, "tình huống")] == ["t-4"]
    assert [q.id for q in filter_topic(bank, "nq-76 nhớ")] == ["t-1"]
    assert filter_topic(bank, "bài học nhớ") == []


# -- a trainer's file ------------------------------------------------------------------------
GOOD_CSV = (
    "Câu hỏi,A,B,C,D,Đáp án,Giải thích,Nguồn,Mức độ\n"
    "Ai công bố thủ tục hành chính của tỉnh?,Chủ tịch UBND tỉnh,Giám đốc Sở Tư pháp,"
    "Chủ tịch UBND xã,,A,Chủ tịch UBND tỉnh công bố.,Điều 13 Nghị định 63/2010/NĐ-CP,nhớ\n"
    "Hồ sơ bị trả lại mấy lần là quá?,Một lần,Hai lần,Quá hai lần,Ba lần,C,,,vận dụng\n"
)


def test_a_good_csv_becomes_questions() -> None:
    found = read_question_set("Lớp A – tuần 1.csv", GOOD_CSV.encode("utf-8-sig"))
    assert found.problems == [] and found.name == "lop-a-tuan-1"
    first, second = found.questions
    assert first.options == ["Chủ tịch UBND tỉnh", "Giám đốc Sở Tư pháp", "Chủ tịch UBND xã"]
    assert first.answer == "Chủ tịch UBND tỉnh" and first.difficulty == "nhớ"
    assert first.explanation == "Chủ tịch UBND tỉnh công bố."
    assert first.source.section == "Điều 13 Nghị định 63/2010/NĐ-CP"
    assert second.answer == "Quá hai lần" and second.difficulty == "vận dụng"
    assert 0 < len(second.explanation) <= 200


def test_problems_are_given_by_line() -> None:
    bad = GOOD_CSV + (
        "Câu không có đáp án?,X,Y,,,,,,\n"
        ",Một,Hai,,,A,,,\n"
        "Đáp án ngoài phương án?,Một,Hai,Ba,,E,,,\n"
        "Mức độ lạ?,Một,Hai,,,A,,,rất khó\n"
    )
    found = read_question_set("lop.csv", bad.encode())
    assert found.questions == []
    by_line = {(p.line, p.code) for p in found.problems}
    assert by_line == {(4, "no_key"), (5, "no_question"), (6, "bad_key"), (7, "bad_level")}
    assert read_question_set("x.csv", b"a,b\n1,2\n").problems[0].code == ("no_question_column")
    assert read_question_set("x.txt", b"").problems[0].code == "unknown_format"
    assert read_question_set("x.csv", "Câu hỏi".encode("utf-16")).problems[0].code == "not_utf8"


def test_lengths_are_counted_as_telegram_counts_them() -> None:
    """Telegram counts UTF-16 code units: an emoji outside the BMP counts 2. A question of 295
    characters with 5 such emoji is 300 characters long but 305 units, too long for a poll."""
    emoji = "\U0001f3db"  # 🏛
    assert utf16_len(emoji) == 2 and utf16_len("Thủ tục hành chính") == 18
    long_question = "Câu hỏi " + "x" * 282 + emoji * 5 + "?"
    assert len(long_question) == 296 and utf16_len(long_question) == 301
    fits = "Câu hỏi " + "x" * 281 + emoji * 5 + "?"
    long_option = "Phương án " + emoji * 46  # 56 characters, 102 units
    csv_text = (
        "câu hỏi,A,B,đáp án\n"
        f"{long_question},Một,Hai,A\n"
        f"Câu ngắn?,{long_option},Hai,B\n"
        f"{fits},Một,Hai,A\n"
    )
    found = read_question_set("lop.csv", csv_text.encode())
    problems = {(p.line, p.code): p.details for p in found.problems}
    assert set(problems) == {(2, "question_too_long"), (3, "option_too_long")}
    assert problems[(2, "question_too_long")]["length"] == 301
    assert problems[(3, "option_too_long")]["length"] == 102
    # the same file without the two bad rows: the question at the limit goes through, and its
    # poll (with its number in front, if that fits) stays within 300 units
    ok = read_question_set("lop.csv", ("câu hỏi,A,B,đáp án\n" + f"{fits},Một,Hai,A\n").encode())
    (q,) = ok.questions
    assert utf16_len(q.question) == 300 and utf16_len(q.explanation) <= 200
    assert utf16_len(poll_question(q, 0, 10)) <= 300
    with pytest.raises(ValueError):
        QuizQuestion.model_validate(q.model_dump() | {"question": long_question})


def test_a_yaml_file_is_read_with_its_lines() -> None:
    text = (
        "- câu hỏi: Ai chịu trách nhiệm về giấy tờ trong hồ sơ?\n"
        "  phương án: [Người nộp hồ sơ, Cán bộ tiếp nhận]\n"
        "  đáp án: Người nộp hồ sơ\n"
        "- question: Một phương án thôi?\n"
        "  options: [Một]\n"
        "  correct: 0\n"
    )
    found = read_question_set("bo.yaml", text.encode())
    assert [(p.line, p.code) for p in found.problems] == [(4, "too_few_options")]
    fixed = read_question_set("bo.yml", text.replace("[Một]", "[Một, Hai]").encode())
    assert [q.answer for q in fixed.questions] == ["Người nộp hồ sơ", "Một"]
    broken = read_question_set("bo.yaml", b"- [a\n")
    assert broken.problems[0].code == "bad_yaml" and broken.problems[0].line == 2
