"""Writing poll outcomes to the store: those that finish together go in one transaction.

A warm cycle of 500 feeds answering 304 made 500 writes, each a round trip through the store's
thread, and those round trips were a large share of the cycle (docs/benchmarks.md,
"Ingestion"). So while one write runs, the polls finishing meanwhile queue up and go together
in the next; each poll still waits for its own row to be written, as if written alone.
"""

from __future__ import annotations

import asyncio

from bot.store import AsyncStore, PollOutcome


class PollRecorder:
    """Writes poll outcomes to the store, those that finish together in one transaction."""

    def __init__(self, store: AsyncStore) -> None:
        self.store = store
        self._queued: list[tuple[int, PollOutcome, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, feed_id: int, outcome: PollOutcome) -> None:
        """Store ``outcome`` as feed ``feed_id``'s latest poll; raises what the store raised."""
        written = asyncio.get_running_loop().create_future()
        self._queued.append((feed_id, outcome, written))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_queued())
        await written

    async def _write_queued(self) -> None:
        """Write what is queued, batch after batch, until nothing is; each batch's outcome
        (done, or the store's exception) goes to every poll it carried."""
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                try:
                    await self.store.record_polls([(feed, outcome) for feed, outcome, _ in batch])
                except asyncio.CancelledError:
                    for *_, written in batch:
                        written.cancel()
                    raise
                except Exception as exc:
                    for *_, written in batch:
                        if not written.done():
                            written.set_exception(exc)
                else:
                    for *_, written in batch:
                        if not written.done():
                            written.set_result(None)
        finally:
            self._writer = None
