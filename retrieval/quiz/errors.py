"""The one error of curated quiz files, and reading them: messages name the file and entry."""

from __future__ import annotations

from pathlib import Path

import yaml

from retrieval.domain.errors import CuratedQuizError
from retrieval.domain.text import nfc


class CuratedError(CuratedQuizError):
    """A curated question, list, template or decision that cannot be used; ``problem`` (also
    the error's text) names the file and the entry."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem=problem)
        self.problem = problem

    def __str__(self) -> str:
        return self.problem


def read_yaml(path: Path, error: type[CuratedError] = CuratedError, kind: type = object) -> object:
    """A curated YAML file's data (NFC), which must be a ``kind`` (list, dict)."""
    try:
        data = yaml.safe_load(nfc(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise error(f"{path}: YAML không đọc được ({exc})") from exc
    if kind is not object and not isinstance(data, kind):
        what = "một danh sách" if kind is list else "một bảng khóa: giá trị"
        raise error(f"{path}: tệp phải là {what}")
    return data
