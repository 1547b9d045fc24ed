"""Recording sends: a row is marked sent with the message that shows it, nothing goes out
that could not be recorded, and what a storage fault left unrecorded is marked again before
anything new goes out.

When Telegram accepted a message but the row cannot be marked (database locked, disk full,
I/O error), the message id exists only in memory. The :class:`SendRecorder` keeps it and
retries the marking, not the send, at the start of every later cycle; until that works the
sender sends nothing new, and it never sends a row it knows was sent. A failed marking shows
only after SQLite's busy timeout (5 s) under a held lock, and chats are sent concurrently, so
each send first asks :meth:`SendRecorder.may_send`, which tries a write: under a held lock
only the sends already in flight go unrecorded, not one per chat of the batch. On a stop the
recorder waits, within the grace period, for the store to take what is still unrecorded
(:meth:`SendRecorder.finish`). The fault is logged once per episode (``bot.store.health``).
Only a process that ends before the marking succeeds repeats those messages. This lives apart
from the sender because it is the one place that decides what a failed write means for
delivery, whichever step (a send, a story edit) made the message.
"""

from __future__ import annotations

import asyncio
import logging

from bot.delivery.cycle import Cycle
from bot.store import AsyncStore, Delivered
from bot.store.health import StorageHealth

logger = logging.getLogger(__name__)

_RETRY_SECONDS = 0.5
"""Pause between two tries to record on a stop (a full disk fails at once; a held lock
only after the busy timeout)."""


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
        self._check: asyncio.Future[bool] | None = None
        """The test write under way (:meth:`may_send`), shared by whoever asks meanwhile."""

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

    async def may_send(self) -> bool:
        """Whether a message may go out now: every earlier send recorded, and the store takes
        a write (tried and rolled back).

        The store runs calls in the order they were made, so the test write comes after the
        records of the sends answered before it: True leaves only the sends still in flight
        unrecorded. Callers arriving while a test write is under way share it, so a held lock
        costs one busy timeout, not one per chat.
        """
        if self._unrecorded:
            return False
        if self._check is None:
            self._check = asyncio.ensure_future(self._writable())
            self._check.add_done_callback(self._checked)
        return await asyncio.shield(self._check)

    async def _writable(self) -> bool:
        try:
            await self.store.check_usable(room=0)
        except Exception as exc:
            note_failure(self.store.health, exc, "checking that sends can be recorded")
            return False
        return True

    def _checked(self, check: asyncio.Future[bool]) -> None:
        self._check = None

    async def catch_up(self) -> bool:
        """Mark what earlier cycles sent but could not record; False while that still fails."""
        count = len(self._unrecorded)
        if not count:
            return True
        if not await self._mark_unrecorded():
            return False
        logger.warning("recorded %d alerts sent while the database failed", count)
        return True

    async def finish(self, deadline: float) -> None:
        """On a stop: try to record what is still unrecorded until the event loop's clock
        reaches ``deadline``; one line says what was waited for and how it ended."""
        count = len(self._unrecorded)
        if not count:
            return
        loop = asyncio.get_running_loop()
        began = loop.time()
        try:
            async with asyncio.timeout_at(deadline):
                while not await self._mark_unrecorded():
                    await asyncio.sleep(_RETRY_SECONDS)
        except TimeoutError:
            fault = self.store.health.fault
            logger.error(
                "stopping after waiting %.0f s for the database to record %s already sent "
                "(%s): they will be sent again after the restart",
                loop.time() - began,
                _alerts(count),
                fault.sentence if fault else "it kept failing",
            )
            return
        logger.warning(
            "stopping: waited %.0f s for the database to record %s already sent; recorded, "
            "none will be sent again",
            loop.time() - began,
            _alerts(count),
        )

    async def _mark_unrecorded(self) -> bool:
        try:
            await self.store.mark_sent(self._unrecorded)
        except Exception as exc:
            note_failure(self.store.health, exc, "recording sent alerts")
            return False
        self._unrecorded.clear()
        self.store.health.ok()
        return True


def _alerts(count: int) -> str:
    return f"{count} alert{'' if count == 1 else 's'}"
