"""Polls being sent: an answer can reach the bot before the poll it answers is stored (a
learner taps as soon as the poll appears, while the bot is still writing it down). Such an
answer waits until the polls in flight are stored, then looks its poll up again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

#: Longest an answer waits for the polls in flight.
WAIT = 10.0


class PollsInFlight:
    def __init__(self) -> None:
        self._count = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def sending(self) -> AsyncIterator[None]:
        """Around sending a poll and storing it."""
        async with self._changed:
            self._count += 1
        try:
            yield
        finally:
            async with self._changed:
                self._count -= 1
                self._changed.notify_all()

    async def stored(self, timeout: float = WAIT) -> bool:
        """Wait until no poll is in flight; False when that took longer than ``timeout``."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self._count == 0), timeout)
            except TimeoutError:
                return False
        return True

    @property
    def busy(self) -> bool:
        return self._count > 0
