"""Encoding text with a sentence-transformers model (the rebuilt e5 by default)."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from pathlib import Path
from threading import Lock

import numpy as np

from retrieval.atomic import replace_atomically
from retrieval.batching import QueryBatcher
from retrieval.settings import DEFAULT_MODEL, Settings
from retrieval.text import clean, expand_abbreviations

log = logging.getLogger(__name__)


class ModelUnavailableError(RuntimeError):
    """The configured embedding model cannot be loaded."""


def prepare(text: str) -> str:
    """What the dense side sees: clean NFC text with abbreviations spelled out."""
    return expand_abbreviations(clean(text))


#: ``CCHC_EMBEDDING_BACKEND``: ``torch`` (default, sentence-transformers on torch fp32) or
#: ``onnx-int8`` (ONNX Runtime with a dynamically quantised int8 export, see ``export_onnx``).
ONNX_DIR = "onnx"
ONNX_INT8 = "model_qint8.onnx"


def export_onnx(model_dir: Path, force: bool = False) -> Path:
    """Export the model folder's transformer to ONNX and quantise it dynamically to int8,
    offline (``model_dir/onnx/model_qint8.onnx``); needs ``onnx`` and ``onnxruntime``."""
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    target = Path(model_dir) / ONNX_DIR / ONNX_INT8
    if target.exists() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        ones = torch.ones(1, 8, dtype=torch.long)
        torch.onnx.export(
            _Hidden(),
            (ones, ones),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )
        replace_atomically(
            target,
            lambda partial: quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8),
        )
    return target


class OnnxModel:
    """The subset of ``SentenceTransformer.encode`` the encoder uses, on ONNX Runtime: the same
    tokenizer, mean pooling over the attention mask and L2 normalisation as the torch model."""

    def __init__(self, model_dir: Path, threads: int | None = None) -> None:
        import json

        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = Path(model_dir) / ONNX_DIR / ONNX_INT8
        if not path.exists():
            raise FileNotFoundError(path)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        config = json.loads((Path(model_dir) / "sentence_bert_config.json").read_text())
        self.max_tokens = int(config.get("max_seq_length", 512))
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("<pad>") or 1)
        self.dimension = int(
            json.loads((Path(model_dir) / "config.json").read_text())["hidden_size"]
        )

    def encode(self, texts: list[str], prompt: str = "", batch_size: int = 16, **_) -> np.ndarray:
        out = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(
                [prompt + t for t in texts[start : start + batch_size]]
            )
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            vecs = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out.append(vecs / np.linalg.norm(vecs, axis=1, keepdims=True))
        if not out:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.concatenate(out).astype(np.float32)


class Encoder:
    """Turns questions and passages into L2-normalised vectors."""

    def __init__(self, settings: Settings, cache_size: int = 1024) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # no load reports or progress bars in the chat
        hf_logging.disable_progress_bar()

        self.name = settings.index_model_name()
        target = settings.model_path_or_name()
        if self.name == DEFAULT_MODEL and not Path(target, "modules.json").exists():
            raise ModelUnavailableError(
                f"Chưa có mô hình {DEFAULT_MODEL} trong {target}. "
                "Hãy chạy `make run` hoặc `python -m retrieval.model_build` để dựng mô hình."
            )
        self.backend = settings.embedding_backend
        try:
            if self.backend == "onnx-int8":
                self.model = OnnxModel(Path(target))
                self.dimension = self.model.dimension
                prompts = {}
            else:
                self.backend = "torch"
                self.model = SentenceTransformer(target, device="cpu")
                dim = getattr(self.model, "get_embedding_dimension", None) or (
                    self.model.get_sentence_embedding_dimension
                )
                self.dimension = int(dim())
                prompts = getattr(self.model, "prompts", {}) or {}
        except Exception as exc:  # any failure to load is the same problem for the user
            raise ModelUnavailableError(
                f"Không nạp được mô hình nhúng '{self.name}' ({self.backend}): "
                f"{exc.__class__.__name__}"
            ) from exc
        self.query_prompt = prompts.get("query", settings.query_prompt)
        self.passage_prompt = prompts.get("passage", settings.passage_prompt)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()
        self._batcher = QueryBatcher(self._encode_queries)

    def encode_passages(self, texts: list[str], batch_size: int = 16, **kwargs) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = self.model.encode(
            [prepare(t) for t in texts],
            prompt=self.passage_prompt,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            **kwargs,
        )
        return np.asarray(vecs, dtype=np.float32)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            texts, prompt=self.query_prompt, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One question's vector, from an LRU cache keyed on the normalised text; questions
        asked at the same time are encoded together (``retrieval.batching``)."""
        key = prepare(text)
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
        self._encoder: Encoder | None = None

    @property
    def loaded(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder(self.settings)
        return self._encoder

    @property
    def dimension(self) -> int:
        return self.loaded.dimension

    def encode_passages(self, texts: list[str], batch_size: int = 16, **kwargs) -> np.ndarray:
        return self.loaded.encode_passages(texts, batch_size=batch_size, **kwargs)

    def encode_query(self, text: str) -> np.ndarray:
        return self.loaded.encode_query(text)
