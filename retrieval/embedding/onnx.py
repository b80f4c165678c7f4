"""The int8 ONNX Runtime backend of the embedding model, the default
(``CCHC_EMBEDDING_BACKEND=onnx-int8``): the export, and a model with the subset of
``SentenceTransformer.encode`` that the encoder uses.

The export (``export_onnx``, run by ``cchc setup``, offline, ~30 s) is the recipe measured in
``docs/PERFORMANCE.md``:

1. the transformer with eager attention, traced to ONNX (opset 17): eager attention, unlike
   PyTorch's SDPA, leaves the pattern that ONNX Runtime's transformer optimiser recognises;
2. that optimiser fuses each layer's attention into one ``Attention`` node, the bias and GELU
   into ``BiasGelu`` and the residual adds into ``SkipLayerNormalization``;
3. dynamic quantisation to int8, weights signed and per output channel: activations are
   quantised to uint8 at run time, so the matrix products are u8×s8, which ONNX Runtime's MLAS
   runs with AVX-512 VNNI / AVX-VNNI instructions where the CPU has them. Per channel keeps the
   vectors at a cosine of about 0.996 to torch fp32 (0.98 per tensor). The feed-forward
   output projections stay fp32: their input (the GELU's output, 1,536 wide) has outliers that
   a per-tensor uint8 scale flattens, and keeping them brings the cosine to 0.999 and the
   evaluation back to torch's (one question in 42 of the dev set fell below the abstention
   threshold with them in int8), for about a quarter more time. This is the passages' model;
4. the questions' model (``model_int8_query_smoothed.onnx``) is the same with those
   projections in int8 too. A question is a few tokens, where the fp32 products were a third
   of its time (streaming 28 MB of weights). In layers 1 to 11 they are *smoothed* first
   (SmoothQuant): each of the 1,536 input channels is divided by ``s = max|x|^α /
   max|w|^(1-α)`` (α 0.75, ``max|x|`` measured on ``calibration.CALIBRATION``) and the
   weights' matching row multiplied by it: the same product, with the GELU's outliers moved
   into the weights, which are quantised per channel; then they run as the other products do
   (u8×s8, one scale for the activations). In layer 0, where smoothing moved the vectors
   most, they are int8 blocks of 32 (``MatMulNBits``, accuracy level 4: activations
   quantised per block). About 1 ms less a question than the fp32 projections, with the same
   evaluation on every question set (ranks, abstentions, visible spans;
   docs/PERFORMANCE.md). Passages, in batches, gain nothing from it, and the quiz compares
   statements by their passage vectors with a threshold calibrated on the fp32 projections,
   so they keep step 3's model.

At run time, a question goes through the questions' session with one intra-op thread per core
(questions asked together, as one batch); several passages are sorted by their number of tokens
(little padding) and their batches shared among one worker per core, each on a single-threaded
session of the passages' model (no synchronisation inside a batch).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import numpy as np

from retrieval.atomic import replace_atomically
from retrieval.cores import available_cores

ONNX_DIR = "onnx"
#: The file of the current recipe. A folder exported by an older recipe (``model_qint8.onnx``
#: of issue 6: neither fused nor per channel) is exported again by ``cchc setup``.
ONNX_INT8 = "model_int8_mixed.onnx"
#: The questions' model (step 4). Made from the passages' one when missing; the file of an
#: earlier recipe (``model_int8_query.onnx``: every projection in blocks) is removed.
ONNX_QUERY = "model_int8_query_smoothed.onnx"
#: The MatMul nodes left in fp32 (quantised in blocks for questions): each layer's
#: feed-forward output projection.
FP32_NODES = re.compile(r"layer\.\d+/output/dense/MatMul$")
#: Step 4: weights' bits and block, and ONNX Runtime's accuracy level 4 (int8 activations).
BLOCK_BITS, BLOCK_SIZE, BLOCK_ACCURACY = 8, 32, 4
#: Step 4: the layers whose projection goes in blocks; the others' are smoothed with
#: ``SMOOTHING`` (SmoothQuant's α: the share of an activation's range moved to the weights).
BLOCK_LAYERS, SMOOTHING = frozenset({0}), 0.75
#: Tokens a batch of passages may hold (batch × longest): 16 passages of ~260 tokens.
BATCH_TOKENS = 4096


def onnx_path(model_dir: Path) -> Path:
    """The passages' model."""
    return Path(model_dir) / ONNX_DIR / ONNX_INT8


def query_path(model_dir: Path) -> Path:
    """The questions' model."""
    return Path(model_dir) / ONNX_DIR / ONNX_QUERY


def is_exported(model_dir: Path) -> bool:
    return onnx_path(model_dir).exists() and query_path(model_dir).exists()


def export_onnx(model_dir: Path, force: bool = False) -> Path:
    """Export the model folder's transformer to ONNX, fuse it and quantise it to int8 (see the
    module's docstring), offline, into ``model_dir/onnx/``: the passages' model (returned),
    then the questions' one from it; needs torch, ``onnx`` and ``onnxruntime``. Atomic: a
    crash leaves no half-written file."""
    target = onnx_path(model_dir)
    if force or not target.exists():
        _export_passage_model(model_dir, target)
    query = query_path(model_dir)
    if force or not query.exists():
        replace_atomically(query, lambda partial: quantize_queries(model_dir, target, partial))
    for old in target.parent.glob("*.onnx"):
        if old not in (target, query):
            old.unlink(missing_ok=True)  # an older recipe's file
    return target


def _export_passage_model(model_dir: Path, target: Path) -> None:
    """Steps 1 to 3."""
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    config = model.config

    class _Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    axes = {0: "batch", 1: "tokens"}
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32, fused = Path(tmp) / "model.onnx", Path(tmp) / "fused.onnx"
        ones = torch.ones(1, 8, dtype=torch.long)
        with torch.no_grad():
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
        optimized = optimize_model(
            str(fp32),
            model_type="bert",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
        )
        optimized.save_model_to_file(str(fused))
        keep = [n.name for n in optimized.model.graph.node if FP32_NODES.search(n.name)]
        # The fused operators (com.microsoft) have no ONNX shape inference: say that the
        # tensors whose type cannot be inferred are float.
        with _quiet_quantiser():
            replace_atomically(
                target,
                lambda partial: quantize_dynamic(
                    str(fused),
                    str(partial),
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    nodes_to_exclude=keep,
                    extra_options={"DefaultTensorType": 1},  # onnx.TensorProto.FLOAT
                ),
            )


def quantize_queries(model_dir: Path, source: Path, target: Path) -> None:
    """Step 4: the questions' model from the passages' (``source``), written to ``target``."""
    import tempfile

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(source))
    nodes = [n for n in model.graph.node if FP32_NODES.search(n.name)]
    smoothed = [n for n in nodes if _layer(n.name) not in BLOCK_LAYERS]
    maxima = _activation_maxima(model_dir, model, [n.input[0] for n in smoothed])
    weights = {w.name: w for w in model.graph.initializer}
    for node in smoothed:
        _smooth(model.graph, node, weights[node.input[1]], maxima[node.input[0]])
    with tempfile.TemporaryDirectory(dir=Path(target).parent) as tmp:
        scaled, quantised = Path(tmp) / "smoothed.onnx", Path(tmp) / "quantised.onnx"
        onnx.save(model, str(scaled))
        with _quiet_quantiser():
            quantize_dynamic(
                str(scaled),
                str(quantised),
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_quantize=[n.name for n in smoothed],
                extra_options={"DefaultTensorType": 1},  # onnx.TensorProto.FLOAT
            )
        quantize_blocks(quantised, target)  # what is left in fp32: the block layers'


def _layer(node_name: str) -> int:
    return int(re.search(r"layer\.(\d+)/", node_name).group(1))


def _activation_maxima(model_dir: Path, model, tensors: list[str]) -> dict[str, np.ndarray]:
    """The largest magnitude of each channel of ``tensors`` over the calibration questions."""
    import onnx
    import onnxruntime as ort
    from tokenizers import Tokenizer

    from retrieval.embedding.calibration import CALIBRATION, PROMPT

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for name in tensors:
        probe.graph.output.append(onnx.helper.make_tensor_value_info(name, 1, None))  # float
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(probe.SerializeToString(), options, ["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    maxima: dict[str, np.ndarray] = {}
    for text in CALIBRATION:
        encoding = tokenizer.encode(PROMPT + text)
        feeds = {
            "input_ids": np.array([encoding.ids], dtype=np.int64),
            "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
        }
        for name, value in zip(tensors, session.run(tensors, feeds), strict=True):
            top = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
            maxima[name] = np.maximum(maxima[name], top) if name in maxima else top
    return maxima


def _smooth(graph, node, weight, maxima: np.ndarray) -> None:
    """``node``'s input divided by ``s`` channel by channel (a ``Mul`` before it), its
    weight's rows multiplied by ``s``: the same product, with the input's range evened out."""
    from onnx import helper, numpy_helper

    w = numpy_helper.to_array(weight)  # (input channels, output channels)
    low = 1e-5  # a channel never active, or a row of zeros
    s = np.maximum(maxima, low) ** SMOOTHING / np.maximum(np.abs(w).max(axis=1), low) ** (
        1 - SMOOTHING
    )
    s = s.astype(np.float32)
    weight.CopyFrom(numpy_helper.from_array(w * s[:, None], weight.name))
    inverse, smoothed = f"{node.name}_smooth_inverse", f"{node.input[0]}_smoothed"
    graph.initializer.append(numpy_helper.from_array(1.0 / s, inverse))
    mul = helper.make_node("Mul", [node.input[0], inverse], [smoothed], name=f"{node.name}_smooth")
    graph.node.insert(list(graph.node).index(node), mul)
    node.input[0] = smoothed


def quantize_blocks(source: Path, target: Path) -> None:
    """Step 4: ``source`` with its MatMuls left in fp32 (``FP32_NODES``) in int8 blocks,
    weights and activations, written to ``target``."""
    import logging

    import onnx

    with _quiet_quantiser():
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        # its node-by-node reports go to a handler of its own
        logging.getLogger(MatMulNBitsQuantizer.__module__).setLevel(logging.WARNING)
        model = onnx.load(str(source))
        nodes = [n.name for n in model.graph.node if FP32_NODES.search(n.name)]
        quantizer = MatMulNBitsQuantizer(
            model,
            bits=BLOCK_BITS,
            block_size=BLOCK_SIZE,
            is_symmetric=True,
            accuracy_level=BLOCK_ACCURACY,
            nodes_to_include=nodes,
        )
        quantizer.process()
    quantizer.model.save_model_to_file(str(target), use_external_data_format=False)


@contextmanager
def _quiet_quantiser() -> Iterator[None]:
    """ONNX Runtime's quantisers log through the root logger: importing the block quantiser
    configures it (INFO, to stderr), and the dynamic one advises pre-processing and warns
    that a model already has quantised nodes (the questions' has: the others). None of it
    reaches the set-up's output or the bot's logs; the root logger is as it was afterwards."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.handlers[:], root.level = handlers, level


Spinning = Literal["within", "never", "always"]


def _session(path: Path, threads: int, spinning: Spinning = "within"):
    """``spinning``: by default the intra-op threads spin between the operators of a forward
    pass (waking a sleeping thread for each of a question's ~150 parallel operators cost
    1.3 ms of its 4.7) and stop when the pass ends; spinning on, they would take the cores
    from the search that follows the embedding (and from the other worker's batch).
    ``never`` and ``always`` are for ``scripts/bench_query_threads.py``."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry(
        "session.intra_op.allow_spinning", "0" if spinning == "never" else "1"
    )
    if spinning == "within":
        options.add_session_config_entry("session.force_spinning_stop", "1")
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxModel:
    """The subset of ``SentenceTransformer.encode`` the encoder uses, on ONNX Runtime: the same
    tokenizer, mean pooling over the attention mask and L2 normalisation as the torch model;
    passages through the passages' model (``encode``), questions through the questions' one
    (``encode_queries``).

    ``threads``: the cores to use (all of this process's by default); ``max_tokens`` cuts
    longer texts (the model's own 512 by default)."""

    def __init__(
        self, model_dir: Path, threads: int | None = None, max_tokens: int | None = None
    ) -> None:
        from tokenizers import Tokenizer

        self.path, self.query_path = onnx_path(model_dir), query_path(model_dir)
        for path in (self.path, self.query_path):
            if not path.exists():
                raise FileNotFoundError(path)
        self.threads = threads or available_cores()
        self.session = _session(self.query_path, self.threads)  # the questions'
        config = json.loads((Path(model_dir) / "sentence_bert_config.json").read_text())
        self.max_tokens = int(max_tokens or config.get("max_seq_length", 512))
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 1
        self.dimension = int(
            json.loads((Path(model_dir) / "config.json").read_text())["hidden_size"]
        )
        self._lock = threading.Lock()
        self._single = None  # the passages' single-threaded session, made on first use
        self._pool: ThreadPoolExecutor | None = None

    def _run(self, session, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        vecs = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)

    def batches(self, lengths: list[int], batch_size: int) -> list[list[int]]:
        """Indices grouped shortest first, at most ``batch_size`` texts and about
        ``BATCH_TOKENS`` tokens (padding included) per batch."""
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        out: list[list[int]] = []
        batch: list[int] = []
        for i in order:
            if batch and (len(batch) >= batch_size or (len(batch) + 1) * lengths[i] > BATCH_TOKENS):
                out.append(batch)
                batch = []
            batch.append(i)
        if batch:
            out.append(batch)
        return out

    def _passage_runner(self):
        with self._lock:
            if self._single is None:
                self._single = _session(self.path, 1)
                if self.threads > 1:
                    self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx-embed")
            return self._single, self._pool

    def encode(self, texts: list[str], prompt: str = "", batch_size: int = 16, **_) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([prompt + t for t in texts])
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Small batches too are shared among the workers (the index builder sends 16 at a time).
        size = max(1, min(batch_size, -(-len(texts) // self.threads)))
        groups = self.batches([len(e.ids) for e in encodings], size)
        session, pool = self._passage_runner()
        if pool is None:
            for group in groups:
                out[group] = self._run(session, [encodings[i] for i in group])
            return out
        # Longest batches first, so that the workers finish at about the same time.
        jobs = [
            (group, pool.submit(self._run, session, [encodings[i] for i in group]))
            for group in reversed(groups)
        ]
        for group, job in jobs:
            out[group] = job.result()
        return out

    def encode_queries(self, texts: list[str], prompt: str = "") -> np.ndarray:
        """Questions (one, or a few asked at the same time), as one batch on every core."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([prompt + t for t in texts])
        return self._run(self.session, encodings).astype(np.float32)
