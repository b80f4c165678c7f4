"""The update being handled, as the Bot API calls made for it see it.

Set by the update processor (``bot.delivery.processor``) around the handlers of one update, and
read by the rate limiter (``bot.delivery.limiter``) for every call: a context variable, because
python-telegram-bot handles each update in a task of its own and a task copies the context, so
updates handled at the same time never see each other's. Calls made outside any update (jobs,
start-up) see None.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class Delivery:
    update_id: int
    #: 1 the first time the update is handled, 2 after a restart or a failed delivery…
    attempt: int
    #: Messages sent (or found already sent) so far while handling it, in order.
    sends: int = 0
    #: A message could not be delivered, for a reason a later attempt can overcome.
    undelivered: bool = False
    #: A message got no answer from Telegram in time: it may have arrived, or not. It is not
    #: sent again (it would be twice if it did arrive); the update is marked "uncertain".
    uncertain: bool = False

    def next_send(self) -> int:
        """The number of the message about to be sent (0 for the first)."""
        number, self.sends = self.sends, self.sends + 1
        return number


current: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar(
    "cchc_delivery", default=None
)


def redelivered() -> bool:
    """Whether the update being handled was handled before (and so counted before)."""
    delivery = current.get()
    return delivery is not None and delivery.attempt > 1
