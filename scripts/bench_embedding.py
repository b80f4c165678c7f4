"""Passage embedding throughput, step by step: what each change of issue 14 gave.

    .venv/bin/python scripts/bench_embedding.py [--rounds 3]

Embeds the real knowledge base's passages (as the index builder and ``cchc bench`` do) with a
series of variants, in one process, in interleaved rounds (every variant once per round, so a
change in the machine's load touches all of them alike), and prints a Markdown table: the
median passages per second of wall-clock time, passages per CPU-second × cores (what the
cores give when nothing else runs on them), and the cosine of each variant's vectors to torch
fp32's. The ONNX variants are exported into ``data/bench/embedding/`` (about a minute):

- ``plain``: the recipe of issue 6 (transformer traced with PyTorch's SDPA attention,
  dynamically quantised per tensor);
- ``fused``: traced with eager attention and fused by ONNX Runtime's transformer optimiser
  (``Attention``, ``BiasGelu``, ``SkipLayerNormalization``), per tensor;
- ``fused-pc``: the same, quantised per output channel;
- ``mixed``: the same with the feed-forward output projections left in fp32 (the default
  recipe for passages, ``retrieval.embedding.onnx``: the evaluation of torch fp32);
- ``blocks``: ``mixed`` with those projections in int8 blocks of 32 with int8 activations
  (``MatMulNBits``: the questions' model, here on passages for comparison);
- ``mixed-u8``: weights as unsigned int8, so the products are u8×u8, which have no VNNI
  kernel (to show what the CPU's int8 instructions give).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.bench.corpus import load_base  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.cores import available_cores  # noqa: E402
from retrieval.embedding.onnx import (  # noqa: E402
    FP32_NODES,
    OnnxModel,
    _session,
    quantize_blocks,
)


def cpu_flags() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "?"
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    wanted = ["avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"]
    return ", ".join(f for f in wanted if f" {f}" in flags) or "none of " + ", ".join(wanted)


def export_variants(model_dir: Path, out: Path) -> dict[str, Path]:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    out.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out / f"{name}.onnx"
        for name in ("plain", "fused", "fused-pc", "mixed", "mixed-u8", "blocks")
    }
    if all(p.exists() for p in paths.values()):
        return paths
    axes = {0: "batch", 1: "tokens"}
    for attention in ("sdpa", "eager"):
        model = AutoModel.from_pretrained(str(model_dir), attn_implementation=attention).eval()

        class Hidden(torch.nn.Module):
            def __init__(self, m) -> None:
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask):
                return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        ones = torch.ones(1, 8, dtype=torch.long)
        with torch.no_grad():
            torch.onnx.export(
                Hidden(model),
                (ones, ones),
                str(out / f"fp32-{attention}.onnx"),
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
                opset_version=17,
                dynamo=False,
            )
    quantize_dynamic(str(out / "fp32-sdpa.onnx"), str(paths["plain"]), weight_type=QuantType.QInt8)
    fused = optimize_model(
        str(out / "fp32-eager.onnx"), model_type="bert", num_heads=12, hidden_size=384
    )
    fused.save_model_to_file(str(out / "fp32-fused.onnx"))
    extra = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    keep = [n.name for n in fused.model.graph.node if FP32_NODES.search(n.name)]
    for name, kind, per_channel, exclude in (
        ("fused", QuantType.QInt8, False, []),
        ("fused-pc", QuantType.QInt8, True, []),
        ("mixed", QuantType.QInt8, True, keep),
        ("mixed-u8", QuantType.QUInt8, True, keep),
    ):
        quantize_dynamic(
            str(out / "fp32-fused.onnx"),
            str(paths[name]),
            weight_type=kind,
            per_channel=per_channel,
            nodes_to_exclude=exclude,
            extra_options=extra,
        )
    quantize_blocks(paths["mixed"], paths["blocks"])
    for fp32 in out.glob("fp32-*.onnx"):
        fp32.unlink()
    return paths


class Variant:
    """An ``OnnxModel`` on another file, or with other run settings."""

    def __init__(
        self,
        model_dir: Path,
        path: Path,
        *,
        sort: bool = True,
        spin: bool = False,
        workers: bool = True,
        max_tokens: int | None = None,
    ) -> None:
        self.model = OnnxModel(model_dir, max_tokens=max_tokens)
        self.model.path = path
        self.model.session = self._session(path, self.model.threads, spin)
        self.sort, self.workers = sort, workers
        if not workers:
            self.model.threads = 1  # one batch at a time, every core on it
        self._spin = spin

    @staticmethod
    def _session(path: Path, threads: int, spin: bool):
        session = _session(path, threads)
        if not spin:
            return session
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        m = self.model
        if not self.workers:
            # the issue-6 way: batches of 16 in the given (or sorted) order on the 2-thread session
            order = sorted(range(len(texts)), key=lambda i: len(texts[i])) if self.sort else None
            order = order or list(range(len(texts)))
            out = np.zeros((len(texts), m.dimension), dtype=np.float32)
            enc = m.tokenizer.encode_batch([f"passage: {t}" for t in texts])
            for start in range(0, len(order), 16):
                group = order[start : start + 16]
                out[group] = m._run(m.session, [enc[i] for i in group])
            return out
        return m.encode(texts, prompt="passage: ", batch_size=16)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "bench" / "embedding")
    args = parser.parse_args(argv)
    settings = Settings()
    model_dir = settings.default_model_dir
    texts = load_base(settings.knowledge_dir).embedding_texts()
    from retrieval.embedding.encoder import Encoder

    torch_encoder = Encoder(settings.model_copy(update={"embedding_backend": "torch"}))
    reference = torch_encoder.encode_passages(texts)
    paths = export_variants(model_dir, args.out)
    variants = {
        "torch fp32, batches of 16 in document order": torch_encoder,
        "int8 (issue 6: SDPA trace, per tensor), 2 threads, document order": Variant(
            model_dir, paths["plain"], sort=False, spin=True, workers=False
        ),
        "+ batches sorted by length": Variant(model_dir, paths["plain"], spin=True, workers=False),
        "+ fused attention / GELU / layer norm": Variant(
            model_dir, paths["fused"], spin=True, workers=False
        ),
        "+ int8 per channel": Variant(model_dir, paths["fused-pc"], spin=True, workers=False),
        "+ feed-forward outputs in fp32 (fidelity)": Variant(
            model_dir, paths["mixed"], spin=True, workers=False
        ),
        "+ no spinning threads": Variant(model_dir, paths["mixed"], workers=False),
        "+ one single-threaded worker per core (default)": Variant(model_dir, paths["mixed"]),
        "default, but feed-forward outputs in int8 blocks (the questions' model)": Variant(
            model_dir, paths["blocks"]
        ),
        "default, but all int8 per channel": Variant(model_dir, paths["fused-pc"]),
        "default, but u8×u8 weights (no VNNI kernel)": Variant(model_dir, paths["mixed-u8"]),
        "default, but texts cut at 256 tokens": Variant(model_dir, paths["mixed"], max_tokens=256),
    }
    for v in variants.values():
        v.encode(texts[:16]) if isinstance(v, Variant) else v.encode_passages(texts[:16])
    walls: dict[str, list[float]] = {k: [] for k in variants}
    cpus: dict[str, list[float]] = {k: [] for k in variants}
    vectors: dict[str, np.ndarray] = {}
    for r in range(args.rounds):
        print(f"[embedding] round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
        for name, v in variants.items():
            t0, c0 = time.perf_counter(), time.process_time()
            vecs = v.encode(texts) if isinstance(v, Variant) else v.encode_passages(texts)
            walls[name].append(time.perf_counter() - t0)
            cpus[name].append(time.process_time() - c0)
            vectors[name] = vecs
    cores = available_cores()
    rows = []
    lines = [
        f"{len(texts)} knowledge-base passages, {cores} cores ({cpu_flags()}), "
        f"median of {args.rounds} interleaved rounds",
        "",
        "| variant | passages/s (wall) | passages/s per CPU-s × cores | cosine to torch fp32 "
        "min / mean |",
        "|---|---:|---:|---:|",
    ]
    for name in variants:
        wall = len(texts) / statistics.median(walls[name])
        cpu = len(texts) / statistics.median(cpus[name]) * cores
        cos = np.sum(vectors[name] * reference, axis=1)
        rows.append({"variant": name, "wall": wall, "cpu": cpu, "cos_min": float(cos.min())})
        lines.append(f"| {name} | {wall:.1f} | {cpu:.1f} | {cos.min():.4f} / {cos.mean():.4f} |")
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.md").write_text(text, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
