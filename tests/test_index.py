"""Index versions, the manifest and the model check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.domain.errors import IndexMismatchError, IndexMissingError
from retrieval.domain.messages import describe
from retrieval.embedding.encoder import Encoder
from retrieval.index.store import Store
from retrieval.index.versions import MANIFEST, IndexVersion, current_version_dir, read_manifest
from retrieval.service.answering import AnsweringService
from tests.conftest import make_settings


def test_manifest_records_the_build(built_index: Settings) -> None:
    folder = current_version_dir(built_index.index_root)
    m = read_manifest(folder)
    assert m.model_name == "multilingual-e5-small (onnx-int8)" and m.dimension == 384
    assert m.document_count == 6 and m.passage_count > 100
    assert len(m.corpus_hash) >= 16 and m.built_at is not None
    version = IndexVersion(folder)
    assert version.faiss.ntotal == m.passage_count
    # FAISS ids are passage ids.
    ids, vectors = Store(folder / "store.sqlite", readonly=True).vectors()
    assert len(ids) == m.passage_count
    assert version.dense_search(vectors[0], 1)[0][0] == int(ids[0])
    version.close()


def test_manifest_model_mismatch_is_a_clear_error(
    built_index: Settings, encoder: Encoder, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path / "data")
    src = current_version_dir(built_index.index_root)
    settings.index_root.mkdir(parents=True)
    shutil.copytree(src, settings.index_root / src.name)
    (settings.index_root / "CURRENT").write_text(src.name)
    manifest = json.loads((src / MANIFEST).read_text())
    manifest["model_name"] = "some-other/model"
    (settings.index_root / src.name / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError) as err:
        AnsweringService(settings, encoder=encoder)
    assert err.value.details["built_with"] == "some-other/model"
    message = describe(err.value)
    assert "some-other/model" in message and "multilingual-e5-small" in message
    assert "cchc reindex" in message


def test_missing_index_says_how_to_build(encoder: Encoder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "empty")
    with pytest.raises(IndexMissingError) as err:
        AnsweringService(settings, encoder=encoder)
    assert "cchc reindex" in describe(err.value)


def test_other_model_by_configuration(tmp_path: Path) -> None:
    """CCHC_EMBEDDING_MODEL accepts any sentence-transformers folder by path."""
    settings = make_settings(tmp_path / "d")
    other = make_settings(
        tmp_path / "d2", embedding_model=str(settings.default_model_dir.resolve())
    )
    encoder = Encoder(other)
    assert encoder.name == f"{settings.default_model_dir.resolve()} (onnx-int8)"
    assert encoder.encode_query("cải cách hành chính").shape == (384,)


def test_a_serving_store_keeps_the_sentences_it_read(
    built_index: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A published version's sentences are read from SQLite once and come back the same; the
    oldest are let go past ``SENTENCE_CACHE``; a writable store keeps nothing."""
    import retrieval.index.store as store_module

    folder = current_version_dir(built_index.index_root)
    serving = Store(folder / "store.sqlite", readonly=True)
    ids = [int(i) for i in serving.vectors()[0][:8]]
    first = serving.sentences_of(ids[:6])
    assert first and set(first) <= set(ids[:6])
    reads: list[list[int]] = []
    read = serving._read_sentences
    monkeypatch.setattr(serving, "_read_sentences", lambda ids: reads.append(ids) or read(ids))
    again = serving.sentences_of(ids[:6])
    assert not reads and again.keys() == first.keys()  # nothing read again
    for pid, sentences in first.items():
        assert [(a, b) for a, b, _ in again[pid]] == [(a, b) for a, b, _ in sentences]
        assert all((x == y).all() for (*_, x), (*_, y) in zip(again[pid], sentences, strict=True))
    monkeypatch.setattr(store_module, "SENTENCE_CACHE", 3)
    serving.sentences_of(ids[6:7])  # over the limit: the oldest go
    assert list(serving._sentences) == [ids[4], ids[5], ids[6]]
    assert serving.sentences_of(ids[:1]).keys() == first.keys() & {ids[0]}
    assert reads == [ids[6:7], ids[:1]]
    shutil.copy(folder / "store.sqlite", tmp_path / "store.sqlite")
    writable = Store(tmp_path / "store.sqlite")
    assert writable.sentences_of(ids[:6]).keys() == first.keys() and writable._sentences is None
