"""Trainers' own question sets (CSV or YAML files sent to the bot), by owner and name.

A set is kept as the questions read from the file (JSON), under the name made from the file's
name; sending a file of the same name again replaces the set.
"""

from __future__ import annotations

import json
import time

from pydantic import BaseModel

from bot.storage.sqlite import Database
from retrieval.domain.quiz import QuizQuestion

SCHEMA = """
CREATE TABLE IF NOT EXISTS quiz_sets (
    owner_id INTEGER, name TEXT, questions TEXT, created_at FLOAT,
    PRIMARY KEY (owner_id, name)
);
"""


class QuizSet(BaseModel):
    owner_id: int
    name: str
    questions: list[QuizQuestion]
    created_at: float


def _from_row(row: dict) -> QuizSet:
    questions = [QuizQuestion.model_validate(q) for q in json.loads(row["questions"])]
    return QuizSet(**{**row, "questions": questions})


class QuizSets:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.create_schema(SCHEMA)

    def put(self, owner_id: int, name: str, questions: list[QuizQuestion]) -> QuizSet:
        """Keep (or replace) ``owner_id``'s set ``name``."""
        row = {
            "owner_id": owner_id,
            "name": name,
            "questions": json.dumps(
                [q.model_dump(mode="json") for q in questions], ensure_ascii=False
            ),
            "created_at": time.time(),
        }
        with self.db.transaction() as t:
            t["quiz_sets"].insert(row, replace=True)
        return _from_row(row)

    def get(self, owner_id: int, name: str) -> QuizSet | None:
        rows = self.db.query(
            "SELECT * FROM quiz_sets WHERE owner_id = ? AND name = ?", [owner_id, name]
        )
        return _from_row(rows[0]) if rows else None

    def names(self, owner_id: int) -> dict[str, int]:
        """The owner's sets, newest first, with how many questions each has."""
        rows = self.db.query(
            "SELECT name, questions FROM quiz_sets WHERE owner_id = ? ORDER BY created_at DESC",
            [owner_id],
        )
        return {r["name"]: len(json.loads(r["questions"])) for r in rows}
