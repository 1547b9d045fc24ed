"""One delivery cycle: what it did, and whether it may go on.

The sender, the story edits and the recording of sends all settle outbox rows within the same
cycle, and a store write that fails in any of them must stop the others from sending what
could not be recorded, as a stop of the process must; this is the one value they share for
that.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class DeliveryReport:
    """What one cycle did, counted in outbox rows (a digest counts all the rows it lists)."""

    sent: int = 0
    """Rows shown by a message sent this cycle: alerts of their own and digest lines."""
    failed: int = 0
    retried: int = 0
    """Rows that met a 429 or a transient error: sent again after the wait, or deferred."""
    digests: int = 0
    """Digest messages sent (a long digest is several)."""
    merged: int = 0
    """Copies of a story named, linked, on its first alert by an edit."""
    alone: int = 0
    """Copies of a story that could not be named on its first alert: now alerts of their own."""

    @property
    def touched(self) -> int:
        return self.sent + self.failed + self.retried + self.merged + self.alone


@dataclass
class Cycle:
    """The cycle under way: its report, and whether a store write failed in it."""

    report: DeliveryReport = field(default_factory=DeliveryReport)
    store_failed: bool = False
    """A store write failed: send nothing more this cycle, it could not be recorded."""
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the process stops: nothing new is sent, what was sent is recorded."""

    @property
    def halted(self) -> bool:
        """Whether nothing more may be sent or edited this cycle."""
        return self.store_failed or self.stopping.is_set()

    taken: set[int] = field(default_factory=set)
    """Chats whose rows the cycle has read: a later read of the cycle leaves them out (a chat
    that migrates joins under its new id before its rows move to it)."""
