"""The review workflow: the sheet a trainer marks, the decisions merged into review.yaml, and
the generators honouring them when the bank is built again."""

from __future__ import annotations

import argparse
import csv
import io
import shutil
from pathlib import Path

import pytest

from retrieval.cli.errors import UsageError
from retrieval.cli.quiz import register
from retrieval.cli.quiz_review import read_sheet, write_sheet
from retrieval.config import Settings
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.bank import build_report
from retrieval.quiz.curated import load_curated
from retrieval.quiz.review import Denial, Review, apply_marks, dump_review, load_review
from retrieval.quiz.similarity import Similarity

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="module")
def parts():
    docs = load_knowledge_dir(KNOWLEDGE)
    return docs, [p for d in docs for p in chunk_document(d)]


def _build(parts, similarity: Similarity, review: Review):
    curated = load_curated(KNOWLEDGE / "quiz")
    curated.review = review
    return build_report(*parts, curated, similarity=similarity)


def test_the_shipped_review_file_loads_and_every_allowed_question_is_in_the_bank(
    parts, similarity: Similarity
) -> None:
    review = load_review(KNOWLEDGE / "quiz")
    report = _build(parts, similarity, review)
    ids = {q.id for q in report.questions}
    assert review.allow and set(review.allow) <= ids
    generated = {q.id for q in report.questions if q.origin == "generated"}
    assert generated <= set(review.allow)  # every generated question was read and kept


def test_a_denied_question_is_not_made_again(parts, similarity: Similarity) -> None:
    first = _build(parts, similarity, Review())
    target = next(q for q in first.questions if q.style == "not_in_list")
    denied = Review(deny=[Denial(id=target.id, reason="đáp án quá dễ đoán")])
    again = _build(parts, similarity, denied)
    assert target.id not in {q.id for q in again.questions}
    assert again.refused >= 1
    # the same list may still be asked, with another key
    same = [q for q in again.questions if q.question == target.question]
    assert all(q.answer != target.answer for q in same)


def test_a_denied_statement_is_never_asked(parts, similarity: Similarity) -> None:
    first = _build(parts, similarity, Review())
    target = next(q for q in first.questions if q.style == "definition")
    denied = Review(
        deny=[Denial(document_id="phap-dien-44-5", quote=target.source.quote, reason="thừa")]
    )
    again = _build(parts, similarity, denied)
    assert not [q for q in again.questions if q.source.quote == target.source.quote]


def test_an_allowed_question_is_chosen_first(parts, similarity: Similarity) -> None:
    """A question a reviewer kept is made again, even where the generator would by itself
    choose another key for the same stem."""
    first = _build(parts, similarity, Review())
    generated = [q for q in first.questions if q.origin == "generated" and q.source.items]
    alternatives = []  # (the generator's own choice, the one it makes when that is denied)
    for own in generated:
        denied = _build(parts, similarity, Review(deny=[Denial(id=own.id, reason="thử")]))
        alternatives += [
            (own, q)
            for q in denied.questions
            if q.style == own.style
            and q.source.items == own.source.items
            and q.id not in {g.id for g in generated}
        ]
        if alternatives:
            break
    assert alternatives
    own, other = alternatives[0]
    assert other.answer != own.answer or other.question != own.question
    again = _build(parts, similarity, Review(allow=[other.id]))
    made = {q.id for q in again.questions}
    assert other.id in made and own.id not in made


def test_sheet_round_trip(parts, similarity: Similarity) -> None:
    report = _build(parts, similarity, Review())
    bank = report.questions
    text = write_sheet(bank, Review(), "csv")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == len(bank)
    assert {"câu hỏi", "A", "B", "đáp án", "trích dẫn chứng minh", "keep"} <= set(rows[0])
    first = next(r for r in rows if r["id"].startswith("g-"))
    assert first["keep"] == ""  # generated, not read yet
    assert all(r["keep"] == "có" for r in rows if r["id"].startswith(("c-", "s-")))
    gen = [r["id"] for r in rows if r["id"].startswith("g-")]
    first["keep"], first["ghi chú"] = "không", "phương án nhiễu yếu"
    second = next(r for r in rows if r["id"] == gen[1])
    second["keep"] = "có"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    review, kept, dropped = apply_marks(Review(), read_sheet(out.getvalue()))
    assert (kept, dropped) == (1, 1)
    assert review.allow == [gen[1]]
    assert review.deny[0].id == gen[0] and review.deny[0].reason == "phương án nhiễu yếu"
    assert load_review_text(dump_review(review)) == review
    markdown = write_sheet(bank[:3], Review(), "md")
    assert markdown.count("keep:") == 3 and "✔" in markdown


def load_review_text(text: str) -> Review:
    import yaml

    return Review.model_validate(yaml.safe_load(text))


def test_a_sheet_with_a_bad_mark_is_refused() -> None:
    with pytest.raises(UsageError, match="dòng 3 .*có lẽ"):
        read_sheet("id,keep\ng-list-item-1,có\ng-list-item-2,có lẽ\n")
    with pytest.raises(UsageError):
        read_sheet("id,câu hỏi\nx,y\n")
    marks = read_sheet("id,keep,ghi chú\ng-a,không,\ng-b,có,\nc-x,không,\n")
    review, kept, dropped = apply_marks(Review(), marks)
    assert (kept, dropped) == (1, 1) and review.deny[0].reason == "người duyệt không giữ"
    assert review.allow == ["g-b"]  # a curated question is edited in its own file


def _cli(argv: list[str], knowledge: Path, data: Path) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args, Settings(_env_file=None, knowledge_dir=knowledge, data_dir=data))


def test_cli_review_stats_and_apply(
    tmp_path: Path, built_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the served index (as ``cchc quiz`` reads it) with a copy of ``knowledge/``."""
    settings = built_index
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    sheet = tmp_path / "phieu.csv"
    assert _cli(["quiz", "--review", "--out", str(sheet)], knowledge, settings.data_dir) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8").lstrip("\ufeff"))))
    target = next(r for r in rows if r["id"].startswith("g-"))
    for r in rows:
        r["keep"] = "không" if r is target else r["keep"]
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert _cli(["quiz", "--apply-review", str(sheet)], knowledge, settings.data_dir) == 0
    review = load_review(knowledge / "quiz")
    assert target["id"] in {d.id for d in review.deny}
    capsys.readouterr()
    assert _cli(["quiz", "--dump-json"], knowledge, settings.data_dir) == 0
    assert target["id"] not in capsys.readouterr().out
    assert _cli(["quiz", "--stats"], knowledge, settings.data_dir) == 0
    stats = capsys.readouterr().out
    assert "Kiểu:" in stats and "scenario" in stats and "Mức độ:" in stats
    assert "người duyệt" in stats
    assert _cli(["quiz", "--review", "--format", "md"], knowledge, settings.data_dir) == 0
    assert "keep:" in capsys.readouterr().out
