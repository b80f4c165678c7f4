"""Calibrate the quiz's restatement check on pairs labelled by hand.

Each line of the pairs file is {"a": wrong option, "b": correct item, "restates": bool, "note"}:
``restates`` is true when a learner could fairly argue that ``a`` says what ``b`` says (so ``a``
must never be offered as a wrong option beside ``b``'s list). The script embeds both sides as the
bank does (``Encoder.encode_passages``), computes the key-phrase overlap, and prints:

- every pair the key-phrase rule already catches (informative word pairs only: those found in
  half the documents or more, like "cải cách hành chính", say nothing);
- for the whole rule "key phrases OR cosine ≥ threshold", the threshold with the lowest cost,
  a restatement let through costing ``MISS_COST`` times a good option turned away.

On this corpus the model places almost every pair of statements about administrative reform
between 0.88 and 0.97, restatements and distinct statements alike (its ranking of the labelled
pairs is right about 4 times in 5), so the threshold is a first filter: the human review of
every question (``cchc quiz --review``) is the last one.

Put the result in ``RESTATEMENT_COSINE`` (and ``KEYPHRASE_OVERLAP``) in
``retrieval/quiz/similarity.py``.

    .venv/bin/python scripts/calibrate_quiz_distractors.py tests/data/quiz_distractor_pairs.jsonl

``--candidates OUT`` instead writes pairs to label: for every list of the bank, the wrong
options of the same register with their nearest correct item, spread over the cosine range.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from retrieval.config import Settings
from retrieval.embedding.encoder import Encoder
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.quiz.context import Context
from retrieval.quiz.corpus import Corpus
from retrieval.quiz.curated import load_curated
from retrieval.quiz.gen_lists import all_lists
from retrieval.quiz.similarity import KEYPHRASE_OVERLAP, Similarity
from retrieval.quiz.statements import Ledger

#: Letting a restatement through costs this many good wrong options turned away.
MISS_COST = 3
#: The share of labelled restatements the rule must catch, whatever the cost: a quantised
#: model that separates the pairs a little less well gets a lower threshold, not a laxer check.
MIN_CAUGHT = 0.85


def _corpus(knowledge: Path) -> tuple[Corpus, object]:
    documents = load_knowledge_dir(knowledge)
    passages = [p for d in documents for p in chunk_document(d)]
    cur = load_curated(knowledge / "quiz")
    return Corpus(documents, passages, cur.sources, cur.rules), cur


def candidates(sim: Similarity, knowledge: Path, out: Path, per_bin: int) -> None:
    corpus, cur = _corpus(knowledge)
    ctx = Context(corpus, sim, Ledger(corpus), cur.lists, cur.review)
    lists = all_lists(ctx)
    rows = []
    for target in lists:
        for other in lists:
            if other is target or other.spec.tone != target.spec.tone:
                continue
            for m in other.members:
                sim.prepare([m.label, *target.truths])
                best = max(target.truths, key=lambda t: sim.cosine(m.label, t))
                rows.append(
                    {
                        "a": m.label,
                        "b": best,
                        "cosine": round(sim.cosine(m.label, best), 4),
                        "list": target.spec.id,
                    }
                )
    rng = random.Random(12)
    bins: dict[int, list[dict]] = {}
    for r in rows:
        bins.setdefault(int(r["cosine"] * 50), []).append(r)
    chosen = []
    for _, group in sorted(bins.items()):
        chosen += rng.sample(group, min(per_bin, len(group)))
    with out.open("w", encoding="utf-8") as f:
        for r in sorted(chosen, key=lambda r: -r["cosine"]):
            f.write(json.dumps({**r, "restates": None, "note": ""}, ensure_ascii=False) + "\n")
    print(f"{len(chosen)} cặp (trên {len(rows)}) ghi vào {out}", file=sys.stderr)


@dataclass
class Calibration:
    threshold: float
    positives: int
    negatives: int
    caught: int  # restatements flagged by the whole rule
    false_alarms: int  # distinct statements flagged
    by_words: int
    words_wrong: list[dict]
    missed: list[tuple[float, dict]]


def _score(sim: Similarity, path: Path, knowledge: Path) -> list[tuple[float, bool, bool, dict]]:
    """(cosine; caught by the word rules; labelled a restatement; the pair) of every labelled
    pair."""
    sim.common = _corpus(knowledge)[0].domain_pairs
    words_only = Similarity(None, common=sim.common)
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    pairs = [p for p in pairs if p.get("restates") is not None]
    sim.prepare([t for p in pairs for t in (p["a"], p["b"])])
    out = []
    for p in pairs:
        cos = sim.cosine(p["a"], p["b"])
        by_words = words_only.restates(p["a"], p["b"]) is not None
        out.append((cos, by_words, bool(p["restates"]), p))
    return out


def best_threshold(sim: Similarity, path: Path, knowledge: Path) -> Calibration:
    """The cosine threshold of the lowest cost for the rule "words OR cosine ≥ threshold",
    among those that catch at least ``MIN_CAUGHT`` of the restatements."""
    scored = _score(sim, path, knowledge)
    positives = sum(1 for s in scored if s[2])
    best = None
    for threshold in sorted({round(s[0], 3) for s in scored if s[0] >= 0}):
        flagged = [(words or cos >= threshold, pos) for cos, words, pos, _ in scored]
        missed = sum(1 for f, pos in flagged if pos and not f)
        false_alarms = sum(1 for f, pos in flagged if f and not pos)
        cost = MISS_COST * missed + false_alarms
        if positives and (positives - missed) / positives < MIN_CAUGHT:
            continue  # too many restatements would reach a class
        if best is None or cost < best[0]:
            best = (cost, threshold, missed, false_alarms)
    assert best is not None, "no labelled pair"
    _, threshold, missed, false_alarms = best
    return Calibration(
        threshold=threshold,
        positives=positives,
        negatives=len(scored) - positives,
        caught=positives - missed,
        false_alarms=false_alarms,
        by_words=sum(1 for s in scored if s[1]),
        words_wrong=[p for _, words, pos, p in scored if words and not pos],
        missed=sorted(
            (cos, p) for cos, words, pos, p in scored if pos and not words and cos < threshold
        ),
    )


def calibrate(sim: Similarity, path: Path, knowledge: Path) -> int:
    c = best_threshold(sim, path, knowledge)
    print(
        f"{c.positives + c.negatives} cặp đã gán nhãn: {c.positives} trùng ý, {c.negatives} khác ý"
    )
    print(
        f"Quy tắc chữ (chứa nhau, hoặc từ khóa ≥ {KEYPHRASE_OVERLAP}): bắt {c.by_words} cặp, "
        f"trong đó {len(c.words_wrong)} cặp khác ý bị bắt nhầm"
    )
    for p in c.words_wrong:
        print(f"  nhầm: «{p['a']}» / «{p['b'][:70]}»")
    print(
        f"Ngưỡng cosine: {c.threshold:.3f} (chi phí lọt = {MISS_COST} × chặn nhầm) — bắt "
        f"{c.caught}/{c.positives} cặp trùng ý, chặn nhầm {c.false_alarms}/{c.negatives} cặp khác ý"
    )
    print("Các cặp trùng ý lọt qua (cần tên gọi khác trong lists.yaml, hoặc người duyệt):")
    for cos, p in c.missed:
        print(f"  {cos:.3f} «{p['a']}» / «{p['b'][:70]}»")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path, nargs="?")
    parser.add_argument("--candidates", type=Path, help="ghi các cặp cần gán nhãn vào tệp này")
    parser.add_argument("--knowledge", type=Path, default=Path("knowledge"))
    parser.add_argument("--per-bin", type=int, default=12)
    args = parser.parse_args(argv)
    sim = Similarity(Encoder(Settings()))
    if args.candidates:
        candidates(sim, args.knowledge, args.candidates, args.per_bin)
        return 0
    if not args.pairs:
        parser.error("cần tệp các cặp đã gán nhãn")
    return calibrate(sim, args.pairs, args.knowledge)


if __name__ == "__main__":
    raise SystemExit(main())
