"""Shared fixtures: the real rebuilt model, a real SQLite store and a real FAISS index.

The index of ``knowledge/`` is built once per session into a temporary data dir. The model
folder is linked from the project's ``data/models`` (built by ``make test``'s set-up), so that
tests never download anything.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.atomic import private_dir
from retrieval.config import Settings
from retrieval.embedding.encoder import Encoder
from retrieval.embedding.model_build import build_default_model
from retrieval.index.builder import build_index
from retrieval.index.versions import CURRENT, current_version_dir, read_manifest
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.similarity import CACHE_FILE as QUIZ_VECTORS
from retrieval.quiz.similarity import Similarity
from retrieval.service.answering import AnsweringService
from retrieval.service.quiz import similarity_for

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nothing listens on (for a fake server, a webhook, /healthz)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cchc_run(
    settings: Settings, home: Path, api_url: str, token: str, **env: str
) -> subprocess.Popen:
    """``cchc -v run`` as a user starts it (the installed command, else the module), on the
    test index, with ``home`` as CCHC_HOME and current directory (no .env), its bot log in
    ``home``, the Bot API at ``api_url``, and ``env`` added (CCHC_HEALTH_PORT="8080"…)."""
    cchc = ROOT / ".venv" / "bin" / "cchc"
    command = [str(cchc)] if cchc.exists() else [sys.executable, "-m", "retrieval.cli.main"]
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "TELEGRAM_"))}
    full.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=api_url,
        CCHC_DATA_DIR=str(settings.data_dir),
        CCHC_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        CCHC_BOT_DB=str(home / "bot.sqlite"),
        CCHC_HOME=str(home),
        PYTHONPATH=str(ROOT),
        **env,
    )
    return subprocess.Popen(
        [*command, "-v", "run"],
        cwd=home,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings for a test data dir that shares the project's built models."""
    data_dir.mkdir(parents=True, exist_ok=True)
    models = data_dir / "models"
    if not models.exists():
        shared = ROOT / "data" / "models"
        build_default_model(shared / "multilingual-e5-small")
        models.symlink_to(shared, target_is_directory=True)
    overrides.setdefault("knowledge_dir", ROOT / "knowledge")
    return Settings(data_dir=data_dir, _env_file=None, **overrides)


def copy_of_index(built: Settings, data_dir: Path) -> Settings:
    """A data dir of its own, serving a copy of ``built``'s live index version."""
    settings = make_settings(data_dir)
    live = current_version_dir(built.index_root)
    private_dir(settings.index_root)  # as the assistant makes it
    shutil.copytree(live, settings.index_root / live.name)
    (settings.index_root / CURRENT).write_text(live.name)
    return settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def encoder(settings: Settings) -> Encoder:
    """The default encoder: ONNX Runtime int8."""
    return Encoder(settings)


@pytest.fixture(scope="session")
def similarity(settings: Settings, encoder: Encoder) -> Similarity:
    """The quiz's restatement check over the real model, shared by every bank built in the
    session (each statement is embedded once)."""
    seed_quiz_vectors(settings)
    return similarity_for(settings, encoder)


@pytest.fixture(scope="session")
def torch_encoder(settings: Settings) -> Encoder:
    """The same model on torch fp32, the reference of the parity tests."""
    return Encoder(settings.model_copy(update={"embedding_backend": "torch"}))


def seed_from_project_index(settings: Settings) -> None:
    """Copy the project's live index version (built by ``make test``'s set-up) into the test
    data dir, so that the build below reuses its vectors instead of embedding for a minute."""
    live = current_version_dir(ROOT / "data" / "index")
    if live is None or read_manifest(live).model_name != settings.index_model_name():
        return
    settings.index_root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(live, settings.index_root / live.name)
    (settings.index_root / CURRENT).write_text(live.name, encoding="utf-8")


def seed_quiz_vectors(settings: Settings) -> None:
    """Copy the vectors the quiz bank's checks need, cached by ``make test``'s set-up (a bank
    is otherwise 45 s of embedding the first time)."""
    cached = ROOT / "data" / QUIZ_VECTORS
    if cached.exists() and not (settings.data_dir / QUIZ_VECTORS).exists():
        shutil.copy2(cached, settings.data_dir / QUIZ_VECTORS)


@pytest.fixture(scope="session")
def built_index(settings: Settings, encoder: Encoder) -> Settings:
    """Settings whose data dir holds a complete index of ``knowledge/``, really built here:
    chunked, stored in SQLite and FAISS, published (unchanged vectors are reused)."""
    seed_from_project_index(settings)
    seed_quiz_vectors(settings)
    build_index(settings, encoder, load_knowledge_dir(settings.knowledge_dir))
    return settings


@pytest.fixture(scope="session")
def assistant(built_index: Settings, encoder: Encoder) -> AnsweringService:
    return AnsweringService(built_index, encoder=encoder)
