"""Whether two statements say the same thing: the project's own embedding model and key-phrase
overlap, with thresholds calibrated on pairs labelled by hand.

Every text is embedded once per ``Similarity`` (the quiz service keeps one for its life)
and, given a ``VectorCache``, once per machine: embedding the few hundred statements of the
bank takes half a minute on 2 cores, reading them back a few milliseconds. A model that
cannot be loaded is not an error here: ``available`` is then False and the questions that
need the check are left out.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.domain.errors import ModelUnavailableError
from retrieval.index.vector_cache import VectorCache
from retrieval.quiz.wording import folded_bigrams, norm

log = logging.getLogger(__name__)

#: Two statements whose vectors (passage prompt, L2-normalised) are at least this alike may say
#: the same thing. Calibrated by scripts/calibrate_quiz_distractors.py on the pairs labelled by
#: hand in tests/data/quiz_distractor_pairs.jsonl (the same with torch fp32 and int8 ONNX).
RESTATEMENT_COSINE = 0.918
#: Share of a statement's informative word pairs found in the other one at which it restates
#: it, whatever the model says (same calibration).
KEYPHRASE_OVERLAP = 0.5
#: A statement with fewer informative word pairs than this is left to the model.
MIN_PAIRS = 3
#: The model judges every pair, short ones too, although it cannot tell short phrases of the
#: domain apart ("Cải cách lập pháp" and "Cải cách thể chế" are at 0.96): a short wrong option
#: then gives way to one the model does tell apart, and a short restatement it misses
#: ("Hiện đại hóa hành chính", 0.90 from "Chính phủ điện tử") is caught by the aliases a person
#: wrote in lists.yaml.


class Embedder(Protocol):
    """What the check needs of ``retrieval.embedding.Encoder``."""

    def encode_passages(self, texts: list[str], batch_size: int = 16) -> np.ndarray: ...


#: Only the start of a long statement is embedded: what it is about is said in its first
#: words, and a few long sentences would otherwise cost more than all the short ones together.
EMBED_CHARS = 200
CACHE_FILE = "quiz_vectors.sqlite"


def model_key(encoder: Embedder) -> str:
    name = getattr(encoder, "name", type(encoder).__name__)
    backend = getattr(encoder, "backend", "")
    return f"{name} {backend} passage".strip()


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def head(text: str, limit: int = EMBED_CHARS) -> str:
    """The first ``limit`` characters of ``text``, cut at a word boundary."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def keyphrase_overlap(a: str, b: str, common: frozenset[str] = frozenset()) -> float:
    """The larger share of either statement's informative word pairs found in the other."""

    def share(x: str, y: str) -> float:
        pairs = folded_bigrams(x) - common
        if len(pairs) < MIN_PAIRS:
            return 0.0  # too few informative words to say anything (the model decides)
        return len(pairs & folded_bigrams(y)) / len(pairs)

    return max(share(a, b), share(b, a))


class Similarity:
    """Cosine of cached vectors, and the restatement verdict of both measures."""

    def __init__(
        self,
        encoder: Embedder | None,
        *,
        common: frozenset[str] = frozenset(),
        cache_path: Path | None = None,
        key: str | None = None,
    ) -> None:
        """``encoder`` embeds (None: the words alone decide, and generated list questions are
        left out); ``cache_path`` keeps the vectors across processes, under ``key`` (the
        model's name and backend; from the encoder when not given). Vectors are also kept in
        this object, so that a bank built again embeds only the texts it has not seen."""
        self.encoder = encoder
        self.common = common
        self.cache_path = cache_path
        self.key = key or (model_key(encoder) if encoder is not None else "")
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def available(self) -> bool:
        return self.encoder is not None

    def prepare(self, texts: Iterable[str]) -> None:
        """Embed, in one batch, the texts not seen yet (from the cache when they are there).
        A model that cannot be loaded leaves the check to the words (``available`` False)."""
        if self.encoder is None:
            return
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if not todo:
            return
        cache = self._open_cache()
        try:
            if cache is not None:
                found = cache.get_many([text_hash(t) for t in todo])
                for t in todo:
                    if text_hash(t) in found:
                        self._vectors[t] = found[text_hash(t)]
                todo = [t for t in todo if t not in self._vectors]
            if todo:
                heads = [head(t) for t in todo]
                try:
                    vectors = self.encoder.encode_passages(heads, batch_size=32)
                except ModelUnavailableError as exc:
                    log.warning("Ngân hàng câu hỏi: không nạp được mô hình nhúng (%s)", exc)
                    self.encoder = None
                    return
                vectors = np.asarray(vectors, np.float32)
                self._vectors.update(zip(todo, vectors, strict=True))
                if cache is not None:
                    cache.put_many({text_hash(t): v for t, v in zip(todo, vectors, strict=True)})
        finally:
            if cache is not None:
                cache.close()

    def _open_cache(self) -> VectorCache | None:
        if self.cache_path is None:
            return None
        try:
            return VectorCache(self.cache_path, self.key)
        except Exception as exc:  # a read-only data dir: embed without keeping the vectors
            log.warning("Không mở được bộ nhớ vectơ câu hỏi %s: %s", self.cache_path, exc)
            self.cache_path = None
            return None

    def cosine(self, a: str, b: str) -> float | None:
        """The cosine of the two statements' vectors; None without a model."""
        self.prepare([a, b])
        if a not in self._vectors or b not in self._vectors:
            return None
        return float(np.dot(self._vectors[a], self._vectors[b]))

    def restates(self, a: str, b: str) -> str | None:
        """Why ``a`` may say what ``b`` says ("chứa nhau", "từ khóa 0.60", "cosine 0.93"), or
        None: one holds the other word for word, or they share most informative word pairs,
        or their vectors are close."""
        na, nb = norm(a), norm(b)
        if len(na.split()) >= 2 and len(nb.split()) >= 2 and (na in nb or nb in na):
            return "chứa nhau"
        overlap = keyphrase_overlap(a, b, self.common)
        if overlap >= KEYPHRASE_OVERLAP:
            return f"trùng từ khóa {overlap:.2f}"
        if self.encoder is not None:
            cos = self.cosine(a, b)
            if cos is not None and cos >= RESTATEMENT_COSINE:
                return f"gần nghĩa (cosine {cos:.3f})"
        return None

    def restates_any(self, a: str, others: Iterable[str]) -> str | None:
        """The first of ``others`` that ``a`` may restate, with why, or None."""
        others = list(others)
        self.prepare([a, *others])
        for b in others:
            why = self.restates(a, b)
            if why:
                return f"{why} với «{b[:60]}»"
        return None
