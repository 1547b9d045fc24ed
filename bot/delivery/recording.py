"""Recording sends: a row is marked sent with the message that shows it, and what a storage
fault left unrecorded is marked again before anything new goes out.

When Telegram accepted a message but the row cannot be marked (database locked, disk full,
I/O error), the message id exists only in memory. The :class:`SendRecorder` keeps it and
retries the marking, not the send, at the start of every later cycle; until that works the
sender sends nothing new, and it never sends a row it knows was sent. The fault is logged once
per episode (``bot.store.health``). Only a crash before the marking succeeds repeats those
messages. This lives apart from the sender because it is the one place that decides what a
failed write means for delivery, whichever step (a send, a story edit) made the message.
"""

from __future__ import annotations

import logging

from bot.delivery.cycle import Cycle
from bot.store import AsyncStore, Delivered
from bot.store.health import StorageHealth

logger = logging.getLogger(__name__)


def note_failure(health: StorageHealth, exc: Exception, doing: str) -> bool:
    """Name a storage fault once per episode (True); log anything else with its trace."""
    if health.failed(exc, doing) is not None:
        return True
    logger.error("%s failed", doing, exc_info=exc)
    return False


class SendRecorder:
    """Marks rows sent, and keeps what it could not mark until the store takes it."""

    def __init__(self, store: AsyncStore) -> None:
        self.store = store
        self._unrecorded: list[Delivered] = []
        """Messages Telegram accepted whose rows could not be marked yet."""

    @property
    def unrecorded(self) -> int:
        """Rows shown by a sent message that the store has not taken yet."""
        return len(self._unrecorded)

    async def record(self, shown: list[Delivered], cycle: Cycle) -> None:
        """Mark rows sent; when the store fails, keep them to mark later and halt the cycle."""
        try:
            await self.store.mark_sent(shown)
        except Exception as exc:
            if not self._unrecorded:
                logger.warning(
                    "alerts sent but not recorded; sending nothing new until the database "
                    "records them"
                )
            self._unrecorded.extend(shown)
            cycle.store_failed = True
            note_failure(self.store.health, exc, "recording sent alerts")

    async def catch_up(self) -> bool:
        """Mark what earlier cycles sent but could not record; False while that still fails."""
        if not self._unrecorded:
            return True
        try:
            await self.store.mark_sent(self._unrecorded)
        except Exception as exc:
            note_failure(self.store.health, exc, "recording sent alerts")
            return False
        logger.warning("recorded %d alerts sent while the database failed", len(self._unrecorded))
        self._unrecorded.clear()
        self.store.health.ok()
        return True
