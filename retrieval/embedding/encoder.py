"""Encoding text with the embedding model: the rebuilt e5 through ONNX Runtime int8 by default
(``retrieval.embedding.onnx``), or any sentence-transformers model on torch."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from pathlib import Path
from threading import Lock

import numpy as np

from retrieval.config import DEFAULT_MODEL, Settings
from retrieval.domain.errors import ModelUnavailableError
from retrieval.domain.text import clean
from retrieval.domain.vocabulary import Vocabulary, load_vocabulary
from retrieval.embedding.batching import QueryBatcher
from retrieval.embedding.onnx import OnnxModel

log = logging.getLogger(__name__)


def _sentence_transformer(target: str):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # no load reports or progress bars in the chat
    hf_logging.disable_progress_bar()
    return SentenceTransformer(target, device="cpu")


class Encoder:
    """Turns questions and passages into L2-normalised vectors."""

    def __init__(
        self, settings: Settings, cache_size: int = 1024, vocabulary: Vocabulary | None = None
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.name = settings.index_model_name()
        self.vocabulary = vocabulary or load_vocabulary(settings.vocabulary_path)
        target = settings.model_path_or_name()
        if self.name == DEFAULT_MODEL and not Path(target, "modules.json").exists():
            raise ModelUnavailableError("model_missing", path=target)
        self.backend = settings.embedding_backend
        try:
            if self.backend == "onnx-int8":  # the default: no torch to import (start-up)
                self.model = OnnxModel(Path(target), threads=settings.embedding_threads or None)
                self.dimension = self.model.dimension
                prompts = {}
            else:
                self.backend = "torch"
                self.model = _sentence_transformer(target)
                dim = getattr(self.model, "get_embedding_dimension", None) or (
                    self.model.get_sentence_embedding_dimension
                )
                self.dimension = int(dim())
                prompts = getattr(self.model, "prompts", {}) or {}
        except Exception as exc:  # any failure to load is the same problem for the user
            raise ModelUnavailableError(
                "model_load_failed",
                model=self.name,
                backend=self.backend,
                cause=exc.__class__.__name__,
            ) from exc
        self.query_prompt = prompts.get("query", settings.query_prompt)
        self.passage_prompt = prompts.get("passage", settings.passage_prompt)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()
        self._batcher = QueryBatcher(self._encode_queries)

    def prepare(self, text: str) -> str:
        """What the dense model reads: clean NFC text with abbreviations spelled out."""
        return self.vocabulary.expand(clean(text))

    def encode_passages(self, texts: list[str], batch_size: int = 16, **kwargs) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(
            [self.prepare(t) for t in texts],
            prompt=self.passage_prompt,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            **kwargs,
        )
        return np.asarray(vecs, dtype=np.float32)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        if isinstance(self.model, OnnxModel):  # its own model for questions
            return self.model.encode_queries(texts, prompt=self.query_prompt)
        vecs = self.model.encode(
            texts, prompt=self.query_prompt, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One question's vector, from an LRU cache keyed on the normalised text; questions
        asked at the same time are encoded together (``retrieval.embedding.batching``)."""
        key = self.prepare(text)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        vec = self._batcher.encode(key)
        with self._lock:
            self._cache[key] = vec
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec


class LazyEncoder:
    """An ``Encoder`` loaded on first use: a reindex that finds nothing to embed (or only
    reuses vectors) never pays the seconds it takes to load the model."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.name = settings.index_model_name()
        self.vocabulary = load_vocabulary(settings.vocabulary_path)
        self._encoder: Encoder | None = None

    @property
    def loaded(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder(self.settings, vocabulary=self.vocabulary)
        return self._encoder

    @property
    def dimension(self) -> int:
        return self.loaded.dimension

    def encode_passages(self, texts: list[str], batch_size: int = 16, **kwargs) -> np.ndarray:
        return self.loaded.encode_passages(texts, batch_size=batch_size, **kwargs)

    def encode_query(self, text: str) -> np.ndarray:
        return self.loaded.encode_query(text)
