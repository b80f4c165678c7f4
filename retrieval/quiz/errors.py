"""The one error of curated quiz files, and reading them: messages name the file and entry."""

from __future__ import annotations

from pathlib import Path

import yaml

from retrieval.text import nfc


class CuratedError(ValueError):
    """A curated question, list, template or decision that cannot be used."""


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
