"""Data paths do not depend on the current directory: relative paths and ``.env`` are taken
from the home folder (``CCHC_HOME``, else the checkout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import BotSettings
from retrieval.config import Settings, project_home

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"


def _clean(monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith(("CCHC_", "TELEGRAM_")):
            monkeypatch.delenv(name)


def test_the_checkout_is_home_by_default(monkeypatch, tmp_path) -> None:
    _clean(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert project_home() == ROOT
    s = Settings(_env_file=None)
    assert s.data_dir == ROOT / "data" and s.knowledge_dir == ROOT / "knowledge"


def test_relative_paths_and_env_file_come_from_cchc_home(monkeypatch, tmp_path) -> None:
    _clean(monkeypatch)
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / ".env").write_text("CCHC_TOP_K=7\nCCHC_KNOWLEDGE_DIR=van-ban\n", encoding="utf-8")
    (elsewhere / ".env").write_text("CCHC_TOP_K=3\n", encoding="utf-8")  # ignored
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("CCHC_HOME", str(home))
    monkeypatch.setenv("CCHC_BOT_DB", "logs/bot.sqlite")
    s = BotSettings()
    assert s.top_k == 7
    assert s.data_dir == home / "data"
    assert s.knowledge_dir == home / "van-ban"
    assert s.bot_db_path == home / "logs" / "bot.sqlite"
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "abs"))
    assert Settings().data_dir == tmp_path / "abs"  # absolute paths are kept


def test_cchc_run_from_another_folder_uses_the_home_data(built_index, tmp_path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / ".env").write_text(
        f"CCHC_DATA_DIR={built_index.data_dir}\nCCHC_KNOWLEDGE_DIR={built_index.knowledge_dir}\n",
        encoding="utf-8",
    )
    (elsewhere / ".env").write_text("CCHC_DATA_DIR=/nonexistent\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "TELEGRAM_"))}
    env.update(CCHC_HOME=str(home), PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-m", "retrieval.cli.main", "ask", "--json", QUESTION],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert not answer["abstained"] and answer["passages"]
