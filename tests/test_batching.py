"""Concurrent questions share a forward pass; each caller gets its own vector back."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from retrieval.embedding.batching import QueryBatcher


def test_waiting_questions_are_encoded_together() -> None:
    batches: list[int] = []

    def encode_many(texts: list[str]) -> np.ndarray:
        batches.append(len(texts))
        time.sleep(0.05)  # a forward pass: others queue up meanwhile
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    batcher = QueryBatcher(encode_many)
    results: dict[int, np.ndarray] = {}
    threads = [
        threading.Thread(target=lambda i=i: results.__setitem__(i, batcher.encode("x" * i)))
        for i in range(1, 11)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert {i: float(v[0]) for i, v in results.items()} == {i: float(i) for i in range(1, 11)}
    assert sum(batches) == 10 and len(batches) < 10


def test_a_failed_batch_reaches_every_waiter_and_the_next_one_works() -> None:
    state = {"fail": True}

    def encode_many(texts: list[str]) -> np.ndarray:
        if state["fail"]:
            state["fail"] = False
            raise RuntimeError("hỏng")
        return np.ones((len(texts), 2), dtype=np.float32)

    batcher = QueryBatcher(encode_many)
    with pytest.raises(RuntimeError):
        batcher.encode("a")
    assert batcher.encode("b").shape == (2,)
