"""Concurrent questions share one forward pass of the embedding model.

Encoding 20 short questions one by one costs about three times as much as encoding them as
one batch on 2 cores. The first caller to find no batch running becomes the leader: it encodes
whatever is waiting (at first only its own question, so a lone user waits for nothing), and
keeps going while others queue up behind it; the others just wait for their result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np

EncodeMany = Callable[[list[str]], np.ndarray]


class QueryBatcher:
    def __init__(self, encode_many: EncodeMany, max_batch: int = 32) -> None:
        self._encode_many = encode_many
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[tuple[str, Future[np.ndarray]]] = []
        self._running = False

    def encode(self, text: str) -> np.ndarray:
        future: Future[np.ndarray] = Future()
        with self._lock:
            self._pending.append((text, future))
            lead = not self._running
            self._running = True
        if lead:
            self._drain()
        return future.result()

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                if not batch:
                    self._running = False
                    return
            try:
                vectors = self._encode_many([text for text, _ in batch])
            except BaseException as exc:  # every waiter gets the error, none hangs
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for (_, future), vec in zip(batch, vectors, strict=True):
                future.set_result(vec)
