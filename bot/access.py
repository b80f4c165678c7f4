"""Who may use the bot (allowlists, admins) and how often (a per-user throttle)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Access:
    """Allowlists of numeric ids; both empty means the bot is open to everyone.

    A user may ask when listed in ``allowed_users``, or when writing in a chat listed in
    ``allowed_chats``. Admins may always ask.
    """

    admin_ids: frozenset[int] = frozenset()
    allowed_users: frozenset[int] = frozenset()
    allowed_chats: frozenset[int] = frozenset()

    @property
    def open(self) -> bool:
        return not self.allowed_users and not self.allowed_chats

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    def is_allowed(self, user_id: int | None, chat_id: int | None) -> bool:
        if self.open or self.is_admin(user_id):
            return True
        return (user_id is not None and user_id in self.allowed_users) or (
            chat_id is not None and chat_id in self.allowed_chats
        )


@dataclass
class Throttle:
    """At most ``limit`` questions per user in any ``period`` seconds (0 turns it off)."""

    limit: int = 10
    period: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, user_id: int) -> float | None:
        """Count one question; None when allowed, else the seconds until the next is."""
        if self.limit <= 0:
            return None
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(user_id, deque())
            while times and now - times[0] >= self.period:
                times.popleft()
            if len(times) >= self.limit:
                return max(self.period - (now - times[0]), 1.0)
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle users now and then
                stale = [u for u, t in self._seen.items() if not t or now - t[-1] >= self.period]
                for uid in stale:
                    del self._seen[uid]
            return None
