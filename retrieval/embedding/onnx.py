"""The int8 ONNX Runtime backend of the embedding model (``CCHC_EMBEDDING_BACKEND=onnx-int8``):
the export, dynamically quantised, and a model with the subset of ``SentenceTransformer``'s
``encode`` that the encoder uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.atomic import replace_atomically

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
