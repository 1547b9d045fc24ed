"""Poll outcomes: recorded before the poll returns, those finishing together in one write."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest.recorder import PollRecorder
from bot.store import AsyncStore, PollOutcome, Store

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class CountingStore(AsyncStore):
    """The real store, counting its ``record_polls`` writes and their sizes."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.writes: list[int] = []

    async def record_polls(self, polls: list) -> None:
        self.writes.append(len(polls))
        await super().record_polls(polls)


async def test_polls_finishing_together_are_written_in_one_go(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "bot.db")
    feeds = [store.add_feed(f"https://{n}.example/rss").id for n in range(20)]
    astore = CountingStore(store)
    recorder = PollRecorder(astore)

    await asyncio.gather(
        *(recorder.record(feed, PollOutcome("ok", NOW, NOW, etag=f'"{feed}"')) for feed in feeds)
    )
    await recorder.record(feeds[0], PollOutcome("not_modified", NOW, NOW))
    await astore.aclose()

    assert astore.writes == [20, 1]
    reopened = Store.open(tmp_path / "bot.db")
    assert [(f.polls, f.etag) for f in reopened.list_feeds()] == [
        (2 if f == feeds[0] else 1, f'"{f}"') for f in feeds
    ]


async def test_a_failed_write_fails_every_poll_it_carried(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "bot.db")
    feeds = [store.add_feed(f"https://{n}.example/rss").id for n in range(3)]
    astore = AsyncStore(store)
    store.close()
    recorder = PollRecorder(astore)

    results = await asyncio.gather(
        *(recorder.record(feed, PollOutcome("ok", NOW, NOW)) for feed in feeds),
        return_exceptions=True,
    )

    assert [type(r) for r in results] == [sqlite3.ProgrammingError] * 3
    with pytest.raises(sqlite3.ProgrammingError):  # and the next poll tries again
        await recorder.record(feeds[0], PollOutcome("ok", NOW, NOW))
