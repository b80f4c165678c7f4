"""A trainer's own questions, from a CSV or YAML file: read, checked row by row, and made into
quiz questions for a session.

CSV: a header row, then a question per row. Columns (names without accents or case also
work): ``câu hỏi``; the options ``A``, ``B``, ``C``… (or ``phương án A``…, up to 10); ``đáp án``
(a letter, a number from 1, or the option's words); optional ``giải thích``, ``nguồn``,
``mức độ`` (nhớ, hiểu, vận dụng). The sheet ``cchc quiz --review`` writes is read as such.

YAML: a list of questions, each with ``câu hỏi`` (or ``question``), ``phương án`` (or
``options``: a list), ``đáp án`` (as above; or ``correct``: the option's index from 0) and the
optional keys above.

Every problem is a code with the line it is on and its facts (``SetProblem``); the faces word
them. A file with a problem gives no questions: a trainer fixes it and sends it again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import PurePath
from typing import Any

import yaml
from pydantic import BaseModel

from retrieval.domain.naming import shorten
from retrieval.domain.quiz import (
    DIFFICULTIES,
    MAX_EXPLANATION,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    Difficulty,
    QuizQuestion,
    QuizSource,
    QuizTopic,
)
from retrieval.domain.text import fold, nfc, utf16_len

LETTERS = "ABCDEFGHIJ"
#: Most questions a set may hold.
MAX_SET = 200
#: A set's questions are on this pseudo-document, under its name.
SET_PREFIX = "bo-"
FORMATS = (".csv", ".yaml", ".yml")


class SetProblem(BaseModel):
    """What is wrong with a question file: ``code``, the ``line`` (1-based; None for the
    whole file) and the facts the message needs."""

    code: str
    line: int | None = None
    details: dict[str, Any] = {}


class QuestionSet(BaseModel):
    """A file's questions (none when it has problems) and its name (from the file name)."""

    name: str
    questions: list[QuizQuestion] = []
    problems: list[SetProblem] = []


class _Row(BaseModel):
    line: int
    question: str = ""
    options: list[str] = []
    key: str = ""
    index: int | None = None  # YAML's ``correct``: the key's index from 0
    explanation: str = ""
    source: str = ""
    level: str = ""


def set_name(filename: str) -> str:
    """ "Lớp A – tuần 1.csv" → "lop-a-tuan-1": what a trainer types after /quiz."""
    stem = fold(PurePath(filename).stem).lower()
    return "-".join(re.findall(r"[a-z0-9]+", stem))[:40] or "bo-cau-hoi"


def _column(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(name).lower()))


#: Column names (accents and case folded) → field.
_FIELDS = {
    "cau hoi": "question",
    "question": "question",
    "dap an": "key",
    "dap an dung": "key",
    "answer": "key",
    "correct": "key",
    "giai thich": "explanation",
    "explanation": "explanation",
    "nguon": "source",
    "van ban": "source",
    "trich dan chung minh": "quote",
    "source": "source",
    "muc do": "level",
    "level": "level",
    "difficulty": "level",
}


def _option_letter(column: str) -> str | None:
    """ "a", "phuong an b", "option c" → "A", "B", "C"."""
    match = re.fullmatch(r"(?:phuong an |lua chon |option )?([a-j])", column)
    return match.group(1).upper() if match else None


def _csv_rows(text: str) -> tuple[list[_Row], list[SetProblem]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        return [], [SetProblem(code="empty_file")]
    columns = [_column(c) for c in header]
    fields = {i: _FIELDS[c] for i, c in enumerate(columns) if c in _FIELDS}
    options = {i: _option_letter(c) for i, c in enumerate(columns) if _option_letter(c)}
    missing = [
        SetProblem(code=code, line=1)
        for code, ok in (
            ("no_question_column", "question" in fields.values()),
            ("no_option_columns", bool(options)),
            ("no_key_column", "key" in fields.values()),
        )
        if not ok
    ]
    if missing:
        return [], missing
    rows: list[_Row] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        values: dict[str, Any] = {"line": line}
        quote = ""
        for i, cell in enumerate(cells):
            cell = nfc(cell).strip()
            if i in fields and fields[i] == "quote":
                quote = cell
            elif i in fields and cell:
                values[fields[i]] = cell
        ordered = sorted(options.items(), key=lambda item: LETTERS.index(item[1]))
        values["options"] = [nfc(cells[i]).strip() for i, _ in ordered if i < len(cells)]
        while values["options"] and not values["options"][-1]:
            values["options"].pop()  # blank trailing options: a question with fewer
        if quote and not values.get("source"):
            values["source"] = quote
        rows.append(_Row(**values))
    return rows, []


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of each mapping, to report problems where they are."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    data = loader.construct_mapping(node, deep=True)
    data["__line__"] = node.start_mark.line + 1
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
#: YAML keys (folded) → field; the options are a list.
_YAML_FIELDS = {**_FIELDS, "phuong an": "options", "options": "options", "cac phuong an": "options"}


def _yaml_rows(text: str) -> tuple[list[_Row], list[SetProblem]]:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader that adds lines)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        cause = str(getattr(exc, "problem", None) or exc).strip()
        return [], [SetProblem(code="bad_yaml", line=line, details={"cause": cause})]
    if data is None:
        return [], [SetProblem(code="empty_file")]
    if not isinstance(data, list):
        return [], [SetProblem(code="not_a_list", line=1)]
    rows: list[_Row] = []
    problems: list[SetProblem] = []
    for item in data:
        if not isinstance(item, dict):
            problems.append(SetProblem(code="not_a_mapping"))
            continue
        values: dict[str, Any] = {"line": item.pop("__line__", None)}
        for key, value in item.items():
            field = _YAML_FIELDS.get(_column(str(key)))
            if field == "options" and isinstance(value, list):
                values["options"] = [nfc(str(v)).strip() for v in value]
            elif field == "key" and _column(str(key)) == "correct" and isinstance(value, int):
                values["index"] = value
            elif field and field != "options" and value is not None:
                values[field if field != "quote" else "source"] = nfc(str(value)).strip()
        rows.append(_Row(**values))
    return rows, problems


def _key_index(row: _Row) -> int | None:
    """The key's index in ``row.options``: a letter, a number from 1, or the option's words."""
    if row.index is not None:
        return row.index if 0 <= row.index < len(row.options) else None
    key = row.key.strip().rstrip(".)").strip()
    if len(key) == 1 and key.upper() in LETTERS:
        i = LETTERS.index(key.upper())
        return i if i < len(row.options) else None
    if key.isdigit():
        i = int(key) - 1
        return i if 0 <= i < len(row.options) else None
    folded = [" ".join(fold(o).split()) for o in row.options]
    wanted = " ".join(fold(key).split())
    return folded.index(wanted) if wanted in folded else None


def _row_problems(row: _Row) -> list[SetProblem]:
    out: list[SetProblem] = []

    def add(code: str, **details: Any) -> None:
        out.append(SetProblem(code=code, line=row.line, details=details))

    if not row.question:
        add("no_question")
    elif utf16_len(row.question) > MAX_QUESTION:
        add("question_too_long", length=utf16_len(row.question), limit=MAX_QUESTION)
    filled = [o for o in row.options if o]
    if len(filled) < MIN_OPTIONS:
        add("too_few_options", count=len(filled))
    elif len(row.options) > MAX_OPTIONS:
        add("too_many_options", count=len(row.options))
    for i, option in enumerate(row.options):
        if not option:
            add("blank_option", option=LETTERS[i])
        elif utf16_len(option) > MAX_OPTION:
            length = utf16_len(option)
            add("option_too_long", option=LETTERS[i], length=length, limit=MAX_OPTION)
    if len({" ".join(fold(o).split()) for o in filled}) < len(filled):
        add("duplicate_options")
    if not row.key and row.index is None:
        add("no_key")
    elif len(filled) >= MIN_OPTIONS and _key_index(row) is None:
        letters = ", ".join(LETTERS[: len(row.options)])
        add("bad_key", key=row.key if row.index is None else row.index, letters=letters)
    if utf16_len(row.explanation) > MAX_EXPLANATION:
        length = utf16_len(row.explanation)
        add("explanation_too_long", length=length, limit=MAX_EXPLANATION)
    if row.level and fold(row.level).lower() not in {fold(d) for d in DIFFICULTIES}:
        add("bad_level", level=row.level)
    return out


def _fit(text: str, limit: int) -> str:
    """``text`` shortened until Telegram counts at most ``limit`` (an emoji counts 2)."""
    out, room = shorten(text, limit), limit
    while utf16_len(out) > limit:
        room -= utf16_len(out) - limit
        out = shorten(text, room)
    return out


def _question(row: _Row, name: str) -> QuizQuestion:
    correct = _key_index(row)
    assert correct is not None
    level: Difficulty = next(
        (d for d in DIFFICULTIES if fold(d) == fold(row.level).lower()), "hiểu"
    )
    answer = row.options[correct]
    digest = hashlib.sha1(f"{name}\x1f{row.question}\x1f{answer}".encode()).hexdigest()[:10]
    document = f"{SET_PREFIX}{name}"
    proof = row.explanation or row.source or answer
    return QuizQuestion(
        id=f"t-{digest}",
        question=row.question,
        options=row.options,
        correct=correct,
        explanation=row.explanation
        or _fit(f"«{answer}»" + (f" — {row.source}" if row.source else ""), MAX_EXPLANATION),
        origin="curated",
        style="curated",
        topic=QuizTopic(document_id=document, kind="khac"),
        difficulty=level,
        source=QuizSource(
            document_id=document, section=row.source, passage=proof, quote=proof[:200]
        ),
    )


def read_question_set(filename: str, data: bytes) -> QuestionSet:
    """The questions of a trainer's file, or what is wrong with it, line by line."""
    name = set_name(filename)
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        return QuestionSet(name=name, problems=[SetProblem(code="unknown_format")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return QuestionSet(name=name, problems=[SetProblem(code="not_utf8")])
    rows, problems = _csv_rows(text) if suffix == ".csv" else _yaml_rows(text)
    if not rows and not problems:
        problems = [SetProblem(code="empty_file")]
    if len(rows) > MAX_SET:
        problems.append(
            SetProblem(code="too_many_questions", details={"count": len(rows), "limit": MAX_SET})
        )
    for row in rows:
        problems += _row_problems(row)
    if problems:
        return QuestionSet(name=name, problems=problems)
    return QuestionSet(name=name, questions=[_question(row, name) for row in rows])
