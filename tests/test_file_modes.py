"""Files and folders the assistant creates under the data dir are the service user's alone:
0600 and 0700 under the usual umask 022 (issue 15: ``bot.sqlite``, with question texts and
user ids, was 0644, and ``quarantine/`` 0755)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.testing.harness import running_bot
from retrieval.config import Settings
from retrieval.embedding.encoder import Encoder
from retrieval.index.versions import current_version_dir
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService
from tests.conftest import copy_of_index
from tests.test_reindex import new_doc

ADMIN = 42
UPLOAD = b"""---
title: Ke hoach thu nghiem quyen rieng tu
kind: k\xe1\xba\xbf ho\xe1\xba\xa1ch
summary: Thu nghiem.
---

1. Noi dung thu nghiem ve ho so truc tuyen.
"""


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.asyncio(loop_scope="session")
async def test_everything_created_under_the_data_dir_is_private(
    built_index: Settings, encoder: Encoder, tmp_path: Path, umask_022: None
) -> None:
    data = copy_of_index(built_index, tmp_path / "data")
    seed = current_version_dir(data.index_root)  # copied in, not created by the assistant
    admin = AdminService(data, encoder=encoder)
    admin.add([new_doc()])
    admin.remove("bai-hoc-cchc-2011-2020")
    assistant = AnsweringService(data, encoder=encoder)
    async with running_bot(
        data, assistant, data.data_dir / "bot.sqlite", admin_ids=str(ADMIN)
    ) as bot:
        bot.fake.send_document("thu-nghiem.md", UPLOAD, user_id=ADMIN)
        await bot.fake.wait_for("editMessageText", where=lambda c: c.params.get("reply_markup"))
        await bot.settled()

        modes = {}
        for path in data.data_dir.rglob("*"):
            rel = path.relative_to(data.data_dir)
            if rel.parts[0] == "models" or seed.name in rel.parts:
                continue
            modes[rel.as_posix()] = stat.S_IMODE(path.lstat().st_mode), path.is_dir()

    names = {Path(p).name for p in modes}
    expected = {
        "bot.sqlite", "bot.sqlite-wal", "quarantine", "thu-nghiem.md", "documents",
        "removed.txt", "kh-hoa-binh-xanh-2026.md", "vector_cache.sqlite", "reindex_runs.sqlite",
        "index", ".reindex.lock", "CURRENT", "store.sqlite", "dense.faiss", "manifest.json",
    }  # fmt: skip
    assert expected <= names, expected - names
    wrong = {
        p: oct(mode) for p, (mode, is_dir) in modes.items() if mode != (0o700 if is_dir else 0o600)
    }
    assert wrong == {}
