"""The restatement check: the threshold in the code is the one the labelled pairs give, and
the rules that do not need the model."""

from __future__ import annotations

import json
from pathlib import Path

from retrieval.embedding.encoder import Encoder
from retrieval.quiz.similarity import RESTATEMENT_COSINE, Similarity

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "quiz_distractor_pairs.jsonl"


def test_the_labelled_pairs() -> None:
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    assert len(pairs) >= 100
    assert all(isinstance(p["restates"], bool) and p["a"] and p["b"] for p in pairs)
    positives = sum(p["restates"] for p in pairs)
    assert 30 <= positives <= len(pairs) - 30
    # the example of the issue is labelled a restatement
    assert any(
        p["restates"] and "Cần nâng cao nhận thức" in p["b"] and "gắn với nâng cao" in p["a"]
        for p in pairs
    )


def test_the_threshold_is_the_calibrated_one(encoder: Encoder) -> None:
    """Re-run the calibration of scripts/calibrate_quiz_distractors.py and compare."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import calibrate_quiz_distractors as calibration
    finally:
        sys.path.pop(0)
    sim = Similarity(encoder)
    best = calibration.best_threshold(sim, PAIRS, ROOT / "knowledge")
    assert abs(best.threshold - RESTATEMENT_COSINE) < 0.002, best
    assert best.caught / best.positives >= 0.85


def test_rules_that_need_no_model() -> None:
    sim = Similarity(None)
    assert sim.restates("Cải cách thể chế", "Cải cách thể chế, tập trung hoàn thiện thể chế")
    assert sim.restates(
        "Bố trí đủ nguồn tài chính và nhân lực cho cải cách hành chính",
        "bố trí đủ nguồn lực tài chính cho cải cách hành chính",
    )
    assert sim.restates("Cải cách tư pháp", "Cải cách thể chế") is None
