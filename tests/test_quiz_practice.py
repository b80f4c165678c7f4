"""Practice in the terminal with scripted input, and the ``cchc quiz`` subcommand."""

from __future__ import annotations

import argparse
import json
import random

import pytest

from retrieval.cli.practice import run_practice
from retrieval.cli.quiz import register
from retrieval.config import Settings
from retrieval.domain.quiz import QuizQuestion, QuizSource, QuizTopic
from retrieval.quiz.topics import filter_topic


def _q(i: int, kind: str = "giai_phap") -> QuizQuestion:
    return QuizQuestion(
        id=f"t-{i}",
        question=f"Câu hỏi thử số {i}?",
        options=[f"Đáp án {i}", f"Sai {i}a", f"Sai {i}b"],
        correct=0,
        explanation=f"«Đáp án {i}» — văn bản thử",
        origin="generated",
        style="list_item",
        topic=QuizTopic(document_id="van-ban-thu", kind=kind),
        difficulty="dễ",
        source=QuizSource(
            document_id="van-ban-thu", section="I. Thử", passage=f"Đáp án {i}.", quote=f"Đáp án {i}"
        ),
    )


class Script:
    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)


def _run(bank, answers, n=3, topic=None):
    out: list[str] = []
    script = Script(answers)
    pool = filter_topic(bank, topic)
    chosen = random.Random(7).sample(pool, min(n, len(pool)))
    result = run_practice(chosen, topic, script, out.append)
    return result, "\n".join(out), script


def test_score_explanations_and_missed_questions() -> None:
    bank = [_q(1), _q(2), _q(3)]
    # Each question's correct option is 1; answer right, wrong, then skip.
    result, text, _ = _run(bank, ["1", "2", ""])
    assert (result.asked, result.correct) == (3, 1)
    assert len(result.missed) == 2
    assert "  1. Đáp án" in text and "  3. Sai" in text
    assert "✅ Đúng!" in text and "❌ Chưa đúng. Đáp án đúng: 1." in text and "⏭ Bỏ qua." in text
    assert text.count("💡 «Đáp án") == 3 and "Nguồn: van-ban-thu — I. Thử" in text
    assert "Kết quả: 1/3 câu đúng." in text
    tail = text.split("Các câu cần ôn lại:")[1]
    assert all(q.question in tail for q in result.missed)


def test_bad_input_asks_again_and_q_stops() -> None:
    result, text, script = _run([_q(1), _q(2)], ["x", "9", "1", "q"], n=2)
    assert text.count("Hãy gõ một số từ 1 đến 3.") == 2
    assert (result.asked, result.correct, result.stopped) == (1, 1, True)
    assert "Kết quả: 1/1 câu đúng." in text


def test_end_of_input_stops_cleanly() -> None:
    result, text, _ = _run([_q(1), _q(2)], [], n=2)
    assert result.stopped and result.asked == 0 and "Kết quả: 0/0" in text


def test_topic_filter_and_empty_topic() -> None:
    bank = [_q(1, "giai_phap"), _q(2, "quan_diem"), _q(3, "quan_diem")]
    result, text, _ = _run(bank, ["1", "1", "1"], topic="quan điểm")
    assert result.asked == 2 and all(q.topic.kind == "quan_diem" for q in [bank[1], bank[2]])
    assert "Câu hỏi thử số 1?" not in text
    result, text, _ = _run(bank, [], topic="không có chủ đề này")
    assert result.asked == 0 and "Không có câu hỏi nào cho chủ đề" in text


def _cli(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args, settings)


def test_cli_dump_json(built_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["quiz", "--dump-json"], built_index) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 60
    first = json.loads(lines[0])
    assert {"id", "question", "options", "correct", "explanation", "origin", "source"} <= set(first)


def test_cli_practice(
    built_index: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["1", "2"])
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(answers))
    assert _cli(["quiz", "-n", "2", "--topic", "giai_phap"], built_index) == 0
    out = capsys.readouterr().out
    assert "Câu 1/2" in out and "Câu 2/2" in out and "Kết quả:" in out


def test_cli_rejects_a_non_positive_count(
    built_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(["quiz", "-n", "0"], built_index) == 2
    assert "-n" in capsys.readouterr().err
