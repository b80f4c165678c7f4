"""``cchc bench``: a reproducible speed and scale benchmark on synthetic Vietnamese corpora.

The parent process loads the embedding model once, measures passage-embedding throughput on
the real knowledge base (whose vectors become the basis of the synthetic ones) and embeds the
benchmark questions. Each scale then runs in two child processes (``retrieval.bench.worker``):
one builds the index version, one serves it and times questions, each reporting its own peak
RSS. See ``retrieval/bench/corpus.py`` for how the corpora and vectors are made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from retrieval.settings import Settings

QUICK_SCALES = [1_000, 10_000]
FULL_SCALES = [1_000, 10_000, 100_000, 1_000_000]
QUESTIONS = 100
DEFAULT_EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "questions.jsonl"


def parse_scales(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        mult = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        number = part[:-1] if mult > 1 else part
        try:
            value = int(float(number) * mult)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"quy mô không hợp lệ: {part!r}") from exc
        if value < 1:
            raise argparse.ArgumentTypeError(f"quy mô không hợp lệ: {part!r}")
        out.append(value)
    if not out:
        raise argparse.ArgumentTypeError("cần ít nhất một quy mô, ví dụ 1k,10k")
    return out


def register_cli(subparsers) -> argparse.ArgumentParser:
    """Add ``bench`` to ``cchc``'s subcommands; the handler is ``cmd_bench(args, settings)``."""
    bench = subparsers.add_parser("bench", help="đo tốc độ và quy mô trên kho văn bản tổng hợp")
    bench.add_argument("--quick", action="store_true", help="chỉ quy mô 1k và 10k đoạn")
    bench.add_argument("--json", action="store_true", help="in một đối tượng JSON ở cuối")
    bench.add_argument(
        "--scales", type=parse_scales, default=None, help="ví dụ 1k,10k,100k,1M (mặc định cả bốn)"
    )
    bench.add_argument(
        "--out", type=Path, default=None, help="thư mục kết quả (mặc định DATA_DIR/bench)"
    )
    bench.add_argument("--questions", type=int, default=QUESTIONS, help="số câu hỏi mỗi quy mô")
    bench.add_argument("--keep", action="store_true", help="giữ lại chỉ mục tổng hợp")
    bench.set_defaults(func=cmd_bench)
    return bench


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} CPU cores{mem}, {platform.system()} {platform.release()}"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _eval_questions() -> list[str]:
    if not DEFAULT_EVAL.exists():
        return []
    from retrieval.evaluation import load_questions

    return [q.question for q in load_questions(DEFAULT_EVAL)]


def prepare_inputs(settings: Settings, out: Path, questions: int) -> dict:
    """Embed the real knowledge base (throughput and basis) and the questions, once."""
    from retrieval.bench.corpus import bench_questions, load_base
    from retrieval.embedding import Encoder

    base = load_base(settings.knowledge_dir)
    encoder = Encoder(settings)
    texts = base.embedding_texts()
    encoder.encode_passages(texts[:16])  # warm-up
    t0 = time.perf_counter()
    basis = encoder.encode_passages(texts, batch_size=16)
    embed_s = time.perf_counter() - t0
    qs = bench_questions(base, _eval_questions(), questions)
    qvecs = np.stack([encoder.encode_query(q) for q in qs])
    np.save(out / "basis.npy", basis)
    np.save(out / "query_vectors.npy", qvecs)
    (out / "questions.json").write_text(json.dumps(qs, ensure_ascii=False), encoding="utf-8")
    return {
        "embed_passages_per_s": round(len(texts) / embed_s, 2),
        "embed_passages": len(texts),
        "model": encoder.name,
        "backend": getattr(encoder, "backend", "torch"),
    }


def _run_worker(phase: str, work: Path, settings: Settings, passages: int) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "retrieval.bench.worker",
        phase,
        "--work",
        str(work),
        "--passages",
        str(passages),
        "--model",
        settings.embedding_model,
        "--knowledge",
        str(settings.knowledge_dir.resolve()),
    ]
    subprocess.run(cmd, check=True)
    return json.loads((work / f"{phase}.json").read_text(encoding="utf-8"))


def run_scale(settings: Settings, out: Path, passages: int, keep: bool = False) -> dict:
    work = out / f"scale-{passages}"
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    models = settings.models_dir.resolve()
    if models.exists():
        (work / "data" / "models").symlink_to(models, target_is_directory=True)
    _log(f"[bench] {passages:,} đoạn: xây chỉ mục…")
    built = _run_worker("build", work, settings, passages)
    _log(f"[bench] {passages:,} đoạn: đo truy vấn…")
    served = _run_worker("serve", work, settings, passages)
    if not keep:
        shutil.rmtree(work / "data", ignore_errors=True)
    return {
        "passages": built["passages"],
        "index_type": built["index_type"],
        "embed_query_ms": {k: served["embed_query_ms"][k] for k in ("p50", "p95")},
        "search_ms": {k: served["search_ms"][k] for k in ("p50", "p95")},
        "ask_ms": served["ask_ms"],
        "ann_recall_at_10": built["ann_recall_at_10"],
        "build_s": built["build_s"],
        "rss_mb": served["rss_mb"],
        # beyond interfaces.md
        "lexical_ms": served["lexical_ms"],
        "dense_ms": served["dense_ms"],
        "index_params": built["index_params"],
        "documents": built["documents"],
        "build_passages_per_s": built["build_passages_per_s"],
        "generate_s": built["generate_s"],
        "store_s": built["store_s"],
        "faiss_s": built["faiss_s"],
        "store_mb": built["store_mb"],
        "faiss_mb": built["faiss_mb"],
        "build_rss_mb": built["build_rss_mb"],
        "load_s": served["load_s"],
        "questions": served["questions"],
        "abstained_share": served["abstained_share"],
    }


def _command() -> str:
    args = sys.argv[1:]
    if args and args[0] == "bench":
        args = args[1:]
    return " ".join(["cchc bench", *args])


def run_bench(
    settings: Settings, scales: list[int], out: Path, questions: int = QUESTIONS, keep=False
) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    _log("[bench] nhúng kho văn bản thật và câu hỏi…")
    inputs = prepare_inputs(settings, out, questions)
    result = {
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": _command(),
        **inputs,
        "scales": [],
    }
    for n in scales:
        result["scales"].append(run_scale(settings, out, n, keep=keep))
        (out / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    result["total_s"] = round(time.perf_counter() - t0, 1)
    (out / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.bench.report import markdown_table, plots, targets_table

    scales = args.scales or (QUICK_SCALES if args.quick else FULL_SCALES)
    out = args.out or settings.data_dir / "bench"
    result = run_bench(settings, scales, out, args.questions, keep=args.keep)
    (out / "table.md").write_text(
        markdown_table(result) + "\n" + targets_table(result), encoding="utf-8"
    )
    written = plots(result, out)
    print(f"Máy: {result['machine']}")
    print(f"Nhúng đoạn văn: {result['embed_passages_per_s']} đoạn/giây")
    print(markdown_table(result))
    print(targets_table(result))
    print(f"Kết quả: {out / 'results.json'}" + "".join(f", {p}" for p in written))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m retrieval.bench``, until ``cchc bench`` is wired in."""
    parser = argparse.ArgumentParser(prog="cchc")
    sub = parser.add_subparsers(dest="command", required=True)
    register_cli(sub)
    args = parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)])
    return cmd_bench(args, Settings())
