"""Settings from the environment, and ``run_bot`` refusing to start with one line."""

from __future__ import annotations

import pytest

from bot.runner import run_bot
from bot.settings import BotSettings


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("TELEGRAM_BOT_TOKEN", "CCHC_WEBHOOK_URL", "CCHC_ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CCHC_HOME", str(tmp_path))  # no .env
    return monkeypatch


def test_run_bot_without_token_suggests_chat(clean_env, capsys) -> None:
    assert run_bot() != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "TELEGRAM_BOT_TOKEN" in err and "cchc chat" in err and "chưa đặt" in err


def test_run_bot_names_a_malformed_setting(clean_env, capsys) -> None:
    clean_env.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    clean_env.setenv("CCHC_ADMIN_IDS", "quản trị")
    assert run_bot() != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "CCHC_ADMIN_IDS" in err and "không hợp lệ" in err


def test_run_bot_names_a_malformed_port(clean_env, capsys) -> None:
    clean_env.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    clean_env.setenv("CCHC_WEBHOOK_PORT", "tám")
    assert run_bot() != 0
    err = capsys.readouterr().err.strip()
    assert "CCHC_WEBHOOK_PORT" in err and "số nguyên" in err and "123:abc" not in err


def test_settings_read_ids_and_telegram_names(clean_env) -> None:
    clean_env.setenv("TELEGRAM_BOT_TOKEN", "123:abc_DEF-1")
    clean_env.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/")
    clean_env.setenv("CCHC_ADMIN_IDS", "1, 2;3")
    clean_env.setenv("CCHC_ALLOWED_CHATS", "-1001")
    clean_env.setenv("CCHC_ALLOWED_USERS", "")
    clean_env.setenv("CCHC_WEBHOOK_URL", "https://bot.example.gov.vn/tg")
    s = BotSettings()
    assert s.token == "123:abc_DEF-1"
    assert s.telegram_api_base_url == "http://127.0.0.1:8081"
    assert s.admin_ids == {1, 2, 3} and s.allowed_chats == {-1001} and not s.allowed_users
    assert s.webhook_url == "https://bot.example.gov.vn/tg"
    assert "abc_DEF" not in repr(s)
