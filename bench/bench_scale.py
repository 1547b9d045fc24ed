"""Scale benchmark: costs that must not grow with the store or stall behind a fault (issue 28).

Run from the repository root: ``python bench/bench_scale.py`` (``--sizes 1000 100000`` for
fewer outbox sizes). For each size, a database with that many pending outbox rows (1,000
chats, as many articles as it takes) prints:

* poll to commit: a poll of 20 new articles matched by 5 chats, from its check for new
  entries to its commit, while the sender reads the outbox as it does between sends
  (``pending_alerts`` in a loop on the store's thread, as while a backlog drains). Median of
  5 polls, wall clock;
* the store calls of ``/list`` (``get_chat``, ``list_subscriptions``) and ``/status``
  (``stats``, ``recent_sends``, ``list_feeds``, ``feed_states``), and of an alert's button
  (``get_alert``): median of 20, with the rows pending, then again once they are all sent
  (a long history);

then, once: ``/list``'s store calls while another process holds the write lock and a write
of this process waits for it (busy timeout 5 s), as in the issue.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.store import AsyncStore, Store  # noqa: E402

CHATS = 1000
POLL_CHATS = 5
POLL_ARTICLES = 20
FEED = "https://caspian.example/rss"


def article(key: str) -> Article:
    return Article(
        id=key,
        feed_url=FEED,
        url=f"https://caspian.example/{key}",
        title=f"Israel and Azerbaijan sign deal {key}",
        text="Israel and Azerbaijan signed deals in Baku.",
        published=datetime.now(UTC),
        source="Caspian Daily",
    )


def fill(store: Store, rows: int) -> None:
    """``rows`` pending outbox rows: every chat alerted of each of ``rows / CHATS`` articles,
    article by article (as polls leave them)."""
    feed = store.add_feed(FEED, name="Caspian Daily")
    per_chat = max(1, rows // CHATS)
    store.add_articles(feed.id, [article(f"old{n}") for n in range(per_chat)], seen_at=now())
    subs = [store.add_subscription(chat, rules.compile("Israel + Azerbaijan")).id for chat in (1,)]
    conn = store.conn
    conn.execute("BEGIN")
    conn.execute(
        """WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           INSERT INTO chats(id, type, active, created_at) SELECT i, 'private', 1, '' FROM n""",
        (CHATS,),
    )
    conn.execute(
        """INSERT INTO outbox(chat_id, article_id, subscription_ids, status, created_at)
           SELECT chats.id, articles.id, ?, 'pending', ? FROM articles CROSS JOIN chats
           ORDER BY articles.id, chats.id""",
        (f"[{subs[0]}]", now().isoformat()),
    )
    conn.execute("COMMIT")


def now() -> datetime:
    return datetime.now(UTC)


@contextlib.asynccontextmanager
async def sender_reading(astore: AsyncStore) -> AsyncIterator[None]:
    """The sender reading the outbox over and over, as between sends while a backlog drains
    (nothing is sent: the rows stay pending)."""
    reading = True

    async def sender() -> None:
        while reading:
            await astore.pending_alerts(limit=500, now=now())

    task = asyncio.create_task(sender())
    try:
        yield
    finally:
        reading = False
        await task


async def poll_to_commit(astore: AsyncStore, polls: int = 5) -> float:
    """Median seconds of a poll's check for new entries and its write."""
    feed = await astore.feed_by_url(FEED)
    assert feed is not None
    rule = rules.compile("Baku")
    subs = {chat: (await astore.add_subscription(chat, rule)).id for chat in range(2, 7)}
    seconds = []
    for poll in range(polls):
        articles = [article(f"p{poll}-{n}") for n in range(POLL_ARTICLES)]
        start = time.perf_counter()
        unseen = await astore.unseen_articles(feed.id, articles)
        await astore.store_poll(
            feed.id,
            unseen,
            seen_at=now(),
            matches={(chat, a.id): [sub] for chat, sub in subs.items() for a in unseen},
        )
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


async def median_seconds(call: Callable[[], Awaitable[object]], times: int = 20) -> float:
    seconds = []
    for _ in range(times):
        start = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


async def list_reply(astore: AsyncStore) -> None:
    await astore.get_chat(1)
    await astore.list_subscriptions(1)


async def status_reply(astore: AsyncStore) -> None:
    await astore.stats(now=now())
    await astore.recent_sends(now() - timedelta(hours=1))
    await astore.list_feeds()
    await astore.feed_states()


async def replies(astore: AsyncStore, alert: int) -> str:
    listed = await median_seconds(lambda: list_reply(astore))
    status = await median_seconds(lambda: status_reply(astore))
    button = await median_seconds(lambda: astore.get_alert(alert))
    return f"/list {ms(listed)}, /status {ms(status)}, button {ms(button)}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def bench_size(db: Path, rows: int) -> None:
    store = Store.open(db)
    started = time.perf_counter()
    fill(store, rows)
    (pending,) = store.conn.execute("SELECT count(*) FROM outbox").fetchone()
    astore = AsyncStore(store)
    try:
        (alert,) = store.conn.execute("SELECT max(id) FROM outbox").fetchone()
        filled = time.perf_counter() - started
        print(f"{pending:>9,} pending outbox rows (filled in {filled:.0f} s):")
        async with sender_reading(astore):
            print(f"    poll to commit, the sender reading: {ms(await poll_to_commit(astore))}")
            print(f"    replies' store calls, the same:     {await replies(astore, alert)}")
        store.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = '2026-01-01T00:00:00+00:00', "
            "created_at = '2026-01-01T00:00:00+00:00'"
        )
        print(f"    replies' store calls, all sent:     {await replies(astore, alert)}")
    finally:
        await astore.aclose()


HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


async def bench_locked(db: Path, hold: float = 8.0) -> None:
    """/list's store calls while another process holds the write lock for ``hold`` seconds
    and a write of this process waits for it."""
    store = Store.open(db)
    fill(store, 1000)
    astore = AsyncStore(store)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), str(hold)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waiting = asyncio.ensure_future(astore.set_chat_quiet(1, "22:00-07:00"))
        await asyncio.sleep(0.1)  # the write is waiting for the lock
        start = time.perf_counter()
        await list_reply(astore)
        answered = time.perf_counter() - start
        print(
            f"/list's store calls while another process holds the write lock {hold:g} s "
            f"and a write waits for it: {ms(answered)}"
        )
        try:
            await waiting
        except Exception as exc:  # the busy timeout ran out first
            print(f"    (the waiting write: {type(exc).__name__}: {exc})")
    finally:
        holder.wait()
        await astore.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000, 1_000_000])
    sizes = parser.parse_args().sizes
    with tempfile.TemporaryDirectory() as tmp:
        for n, rows in enumerate(sizes):
            asyncio.run(bench_size(Path(tmp) / f"scale{n}.db", rows))
        asyncio.run(bench_locked(Path(tmp) / "locked.db"))


if __name__ == "__main__":
    main()
