"""The bot's settings: the core's settings plus Telegram, webhook, access and throttle."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from retrieval.config import Settings, resolve_path

IdSet = Annotated[frozenset[int], NoDecode]


def _ids(value: Any) -> Any:
    """``"1, 2 3"`` or ``"1;2"`` → ``{1, 2, 3}``; empty means nobody listed."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s,;]+", value.strip()) if p]
        try:
            return frozenset(int(p) for p in parts)
        except ValueError:
            raise ValueError("phải là các số id, cách nhau bằng dấu phẩy") from None
    if isinstance(value, int):
        return frozenset({value})
    return value


class BotSettings(Settings):
    """Everything ``cchc run`` needs. Built once at start-up and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="CCHC_",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_by_name=True,
        validate_by_alias=True,
    )

    telegram_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "CCHC_TELEGRAM_BOT_TOKEN")
    )
    telegram_api_base_url: str = Field(
        "https://api.telegram.org",
        validation_alias=AliasChoices("TELEGRAM_API_BASE_URL", "CCHC_TELEGRAM_API_BASE_URL"),
        description="Gốc của Bot API: bot gọi {gốc}/bot{token}/METHOD",
    )
    webhook_url: str | None = Field(None, description="URL công khai của webhook (bật webhook)")
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = Field(
        None, description="Secret token Telegram gửi kèm mỗi yêu cầu webhook"
    )
    admin_ids: IdSet = frozenset()
    allowed_users: IdSet = frozenset()
    allowed_chats: IdSet = frozenset()
    throttle_per_minute: int = Field(10, ge=0, description="Số câu hỏi tối đa mỗi người mỗi phút")
    page_size: int = Field(5, ge=1, le=10, description="Số đoạn trích dẫn mỗi trang")
    max_pages: int = Field(3, ge=1, le=4)
    workers: int = Field(4, ge=1, le=64, description="Số luồng chạy truy xuất")
    typing_delay: float = Field(
        0.3, ge=0.0, le=10.0, description="Giây chờ trước khi hiện “đang nhập…”"
    )
    bot_db: Path | None = Field(None, description="Tệp SQLite nhật ký của bot")
    quiz_min_period: int = Field(
        5, ge=1, le=600, description="Thời gian tối thiểu (giây) cho mỗi câu đố trong nhóm"
    )
    quiz_max_questions: int = Field(30, ge=1, le=100, description="Số câu tối đa mỗi lượt đố")
    quiz_resume_window: float = Field(
        300.0,
        ge=0,
        description="Sau khởi động lại, phiên đố nhóm gián đoạn lâu hơn số giây này thì được "
        "kết thúc (kèm kết quả đến lúc đó) thay vì chạy tiếp",
    )
    quiz_grace: float = Field(
        1.0, ge=0, le=30, description="Số giây chờ thêm câu trả lời đến trễ trước khi đóng câu"
    )
    quiz_read_chars_per_second: float = Field(
        20.0,
        ge=0,
        le=1000,
        description="Tốc độ đọc (ký tự/giây) dùng để kéo dài thời gian của câu đố dài trong nhóm "
        "(0: không kéo dài)",
    )
    quiz_set_max_kb: int = Field(
        512, ge=1, le=20480, description="Cỡ tối đa (KB) của tệp câu hỏi người hướng dẫn gửi"
    )
    upload_max_mb: int = Field(
        20, ge=1, le=20, description="Cỡ tối đa (MB) của tệp quản trị viên gửi để thêm văn bản"
    )
    send_timeout: float = Field(
        20.0,
        ge=1.0,
        le=300.0,
        description="Số giây chờ Telegram trả lời mỗi lệnh gửi; quá hạn thì không gửi lại "
        "(tin có thể đã đến người dùng)",
    )
    send_retry_seconds: float = Field(
        60.0,
        ge=0.0,
        le=3600.0,
        description="Tổng số giây thử gửi lại một tin khi Telegram báo lỗi tạm thời (429, 5xx, "
        "mất kết nối); quá thời gian đó, câu hỏi được xử lý lại sau",
    )
    redeliver_seconds: float = Field(
        30.0,
        ge=0.5,
        le=3600.0,
        description="Sau bao nhiêu giây thì xử lý lại một câu hỏi chưa gửi được câu trả lời",
    )
    health_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Cổng của /healthz và /metrics trên 127.0.0.1 (0: tắt)",
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="Nhật ký dạng dòng chữ (text) hoặc mỗi dòng một đối tượng JSON (json)"
    )

    @model_validator(mode="after")
    def _absolute_bot_db(self) -> BotSettings:
        self.bot_db = resolve_path(self.bot_db)
        return self

    @field_validator("admin_ids", "allowed_users", "allowed_chats", mode="before")
    @classmethod
    def _id_list(cls, v: Any) -> Any:
        return _ids(v)

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("telegram_api_base_url", "webhook_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip()
        if not re.match(r"^https?://[^\s/]+", v):
            raise ValueError("phải là một URL http(s)://…")
        return v.rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v.get_secret_value()):
            raise ValueError("chỉ gồm A-Z, a-z, 0-9, _ và -, tối đa 256 ký tự")
        return v

    @field_validator("telegram_bot_token")
    @classmethod
    def _token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None or not v.get_secret_value().strip():
            return None
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", v.get_secret_value().strip()):
            raise ValueError("không đúng dạng <số>:<chuỗi> do @BotFather cấp")
        return SecretStr(v.get_secret_value().strip())

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def bot_db_path(self) -> Path:
        return self.bot_db or self.data_dir / "bot.sqlite"

    @property
    def quarantine_dir(self) -> Path:
        """Where files sent to the bot wait until their ingestion succeeds or is cancelled."""
        return self.data_dir / "quarantine"

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * 1024 * 1024
