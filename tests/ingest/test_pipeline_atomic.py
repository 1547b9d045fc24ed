"""A poll's articles and their alerts are stored together: a kill or a lock loses nothing.

An article counts as seen once stored and is never matched again, so a poll's articles must
be stored with their outbox rows, all or nothing. A real ``topic-alert poll-once`` process is
killed (SIGKILL) at many points of a large poll, 50 chats × 200 articles; after each kill the
outbox holds all of the poll's alerts or none, and a restart and a poll later all of them,
each (chat, article) pair once.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.article import Article
from bot.ingest.commits import WritesSince
from tests.ingest.wire_story import HERZOG, HERZOG_COPY
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import (
    ARTICLES,
    WAIT,
    BurstFeed,
    FeedServer,
    close_env,
    copy_of,
    item,
    make_config,
    open_env,
    outbox_pairs,
    poll_again,
    prime,
)
from tests.support.waiting import until

CHATS = 50
ALERTS = CHATS * ARTICLES
KILLS = 10
"""Kill points, spread evenly from the moment the feed is fetched to the end of the poll."""


def poll_once(db: Path) -> subprocess.Popen[str]:
    """``topic-alert poll-once`` on ``db`` in a process of its own, parsing in that process
    (no parse workers left behind by a kill)."""
    config = db.with_suffix(".toml")
    config.write_text(
        f'[storage]\npath = "{db}"\n[polling]\nparse_workers = -1\ntimeout = 10\n'
        + LOCAL_FETCH_TOML
    )
    command = [sys.executable, "-m", "bot", "poll-once", "--config", str(config)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def test_a_kill_at_any_point_of_a_large_poll_loses_nothing(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    feed = BurstFeed(httpserver)
    template = tmp_path / "template.db"
    prime(template, feed.url, chats=CHATS)

    # One poll left alone: it queues every alert, and shows how long a poll takes.
    whole = copy_of(template, "whole")
    process = poll_once(whole)
    assert await asyncio.to_thread(feed.fetched.wait, WAIT)
    start = time.monotonic()
    out, err = process.communicate(timeout=WAIT)
    duration = time.monotonic() - start
    assert process.returncode == 0, err
    assert f"matches queued: {ALERTS}" in out
    assert outbox_pairs(whole) == (ALERTS, ALERTS)

    after_kill = Counter()
    for step in range(KILLS):
        db = copy_of(template, f"kill{step}")
        feed.fetched.clear()
        process = poll_once(db)
        assert await asyncio.to_thread(feed.fetched.wait, WAIT)
        await asyncio.sleep(duration * step / (KILLS - 1))
        process.kill()
        process.communicate(timeout=WAIT)

        queued, _ = outbox_pairs(db)
        assert queued in (0, ALERTS), f"kill {step}: {queued} of {ALERTS} alerts queued"
        after_kill[queued] += 1
        await poll_again(db)
        assert outbox_pairs(db) == (ALERTS, ALERTS), f"kill {step}"
    print(f"outbox right after the kill: {dict(after_kill)} (alerts queued: times)")


@pytest.fixture
def write_lock(tmp_path: Path) -> Iterator[Callable[[Path], sqlite3.Connection]]:
    """``take(db)``: another connection holds the write lock of ``db`` until the test ends
    (or until it rolls back)."""
    holders: list[sqlite3.Connection] = []

    def take(db: Path) -> sqlite3.Connection:
        holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        holders.append(holder)
        return holder

    yield take
    for holder in holders:
        holder.close()


async def test_a_write_lock_taken_during_a_poll_loses_nothing(
    tmp_path: Path, httpserver: HTTPServer, write_lock, caplog: pytest.LogCaptureFixture
) -> None:
    """Another program takes the write lock once the poll has fetched, and holds it past
    the busy timeout: the poll stores nothing; once the lock is gone, the next poll stores
    and queues everything."""
    feed = BurstFeed(httpserver)
    db = tmp_path / "bot.db"
    prime(db, feed.url, chats=CHATS)
    holders: list[sqlite3.Connection] = []
    feed.on_fetch = lambda: holders.append(write_lock(db))
    env, fetcher = await open_env(make_config(db), busy_timeout=0.3)
    try:
        with caplog.at_level(logging.INFO):
            failed = await env.poll(feed.url)
            assert failed.status == "error" and "another process holds a write lock" in (
                failed.error or ""
            )
            assert outbox_pairs(db) == (0, 0)
            assert env.store.stats().articles == 0  # not seen: the next poll matches them
            feed.on_fetch = None
            holders[0].rollback()

            result = await env.poll(feed.url)
    finally:
        await close_env(env, fetcher)

    assert (result.new_articles, result.alerts) == (ARTICLES, ALERTS)
    assert outbox_pairs(db) == (ALERTS, ALERTS)
    told = [r.getMessage() for r in caplog.records if r.name == "bot.store.health"]
    assert len(told) == 2, told  # the episode's start and its end, no traceback
    assert "write lock" in told[0] and "works again" in told[1]
    assert not any(r.exc_info for r in caplog.records)


async def test_a_poll_that_was_not_stored_leaves_no_story_behind(
    tmp_path: Path, httpserver: HTTPServer, write_lock
) -> None:
    """A story clustered by a poll that was rolled back is forgotten with it: when its copy
    from another feed alerts first, the original, stored later, joins that alert."""
    server = FeedServer(httpserver)
    wire = server.publish("/wire.xml", [])
    local = server.publish("/local.xml", [])
    env, fetcher = await open_env(make_config(tmp_path / "bot.db"), busy_timeout=0.3)
    try:
        env.subscribe(1, "Israel")
        await env.poll(wire)
        await env.poll(local)
        server.publish("/wire.xml", [item("w1", "Herzog to visit Azerbaijan", text=HERZOG)])
        holder = write_lock(tmp_path / "bot.db")
        assert (await env.poll(wire)).status == "error"
        holder.rollback()

        server.publish("/local.xml", [item("l1", "Israel's president to Baku", text=HERZOG_COPY)])
        await env.poll(local)
        await env.poll(wire)
        rows = env.store.conn.execute(
            """SELECT articles.title, outbox.status FROM outbox
               JOIN articles ON articles.id = article_id ORDER BY outbox.id"""
        ).fetchall()
    finally:
        await close_env(env, fetcher)

    assert rows == [
        ("Israel's president to Baku", "pending"),
        ("Herzog to visit Azerbaijan", "merged"),
    ]


@pytest.fixture
async def stopping(tmp_path: Path, httpserver: HTTPServer, write_lock):
    """A feed of ARTICLES stories for 5 chats, and a pipeline whose store waits ``busy``
    seconds for a lock; yields ``(feed, env, hold)``, where ``hold()`` makes the next poll
    meet a write lock once it has fetched and returns the lock's connection."""
    feed = BurstFeed(httpserver)
    db = tmp_path / "bot.db"
    prime(db, feed.url, chats=5)
    env, fetcher = await open_env(make_config(db), busy_timeout=2.0)
    locks: list[sqlite3.Connection] = []

    def hold() -> list[sqlite3.Connection]:
        feed.on_fetch = lambda: locks.append(write_lock(db))
        return locks

    yield feed, env, hold
    await close_env(env, fetcher)


async def test_a_stop_lets_a_poll_being_stored_commit_and_says_so(
    stopping, caplog: pytest.LogCaptureFixture
) -> None:
    feed, env, hold = stopping
    locks = hold()  # keeps the transaction waiting until the stop has begun
    poll = asyncio.create_task(env.poll(feed.url))
    await until(lambda: len(env.pipeline.commits) > 0, "the poll's commit to begin", timeout=WAIT)
    poll.cancel()  # what the scheduler's shutdown does to the jobs running

    with caplog.at_level(logging.INFO, logger="bot.ingest.commits"):
        finishing = asyncio.create_task(env.pipeline.commits.finish(10))
        await asyncio.sleep(0.2)
        locks[0].rollback()
        assert await finishing == 0

    assert env.pipeline.commits.cancelled == []
    assert outbox_pairs(Path(env.store.path)) == (5 * ARTICLES, 5 * ARTICLES)
    assert f"stored this poll before stopping: {ARTICLES} articles, 1000 alerts" in caplog.text


async def test_a_stop_rolls_back_a_poll_it_cannot_wait_for_and_says_so(
    stopping, caplog: pytest.LogCaptureFixture
) -> None:
    feed, env, hold = stopping
    locks = hold()
    poll = asyncio.create_task(env.poll(feed.url))
    await until(lambda: len(env.pipeline.commits) > 0, "the poll's commit to begin", timeout=WAIT)
    poll.cancel()

    with caplog.at_level(logging.INFO, logger="bot.ingest.commits"):
        finishing = asyncio.create_task(env.pipeline.commits.finish(0.1))
        await asyncio.sleep(0.5)  # past the deadline: the write is told to roll back
        locks[0].rollback()  # so it gets the lock, and must not commit
        assert await finishing == 1

    db = Path(env.store.path)
    assert outbox_pairs(db) == (0, 0)
    assert env.store.stats().articles == 0
    assert "rolled back this poll's articles and alerts on stopping" in caplog.text
    feed.on_fetch = None
    await poll_again(db)  # the next start has them all
    assert outbox_pairs(db) == (5 * ARTICLES, 5 * ARTICLES)


async def test_a_poll_stopped_while_fetching_is_named_and_stores_nothing(stopping) -> None:
    feed, env, _ = stopping
    arrived, release = threading.Event(), threading.Event()

    def slow_server() -> None:
        arrived.set()
        release.wait(WAIT)

    feed.on_fetch = slow_server
    poll = asyncio.create_task(env.poll(feed.url))
    assert await asyncio.to_thread(arrived.wait, WAIT)
    poll.cancel()
    with pytest.raises(asyncio.CancelledError):
        await poll
    release.set()

    assert await env.pipeline.commits.finish(10) == 0
    assert [f.url for f in env.pipeline.commits.cancelled] == [feed.url]
    assert env.store.stats().articles == 0


def test_writes_since_a_check_name_what_it_could_not_see() -> None:
    def new(guid: str, url: str | None) -> Article:
        return Article(id=guid, feed_url="", url=url, title="", text="", published=None, source="")

    writes = WritesSince()
    early = writes.check()
    writes.wrote(1, [new("a", "https://x/a")])
    late = writes.check()
    writes.wrote(2, [new("b", "https://x/b"), new("c", None)])
    asked = [new("a", "https://x/a"), new("b2", "https://x/b"), new("c", None), new("d", None)]

    assert [a.id for a in writes.since(early, 2, asked)] == ["d"]  # a, b by URL; c by id
    assert [a.id for a in writes.since(late, 2, asked)] == ["a", "d"]
    assert [a.id for a in writes.since(late, 1, asked)] == ["a", "c", "d"]  # c: other feed
    writes.done(early)
    writes.done(late)
    assert writes.since(writes.check(), 2, asked) == asked  # nothing kept once all are done


async def test_one_story_in_two_feeds_polled_at_once_alerts_once(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Both polls find the article new; whichever stores it second leaves it out."""
    server = FeedServer(httpserver)
    shared = item("s1", "Herzog to visit Azerbaijan", link="https://wire.example/s1", text=HERZOG)
    feeds = [server.publish(path, []) for path in ("/a.xml", "/b.xml", "/c.xml", "/d.xml")]
    env, fetcher = await open_env(make_config(tmp_path / "bot.db"))
    try:
        env.subscribe(1, "Israel")
        for url in feeds:
            await env.poll(url)
        for path in ("/a.xml", "/b.xml", "/c.xml"):
            server.publish(path, [shared])
        await env.pipeline.poll_all([env.feed(url) for url in feeds[:3]])
        # A copy from a fourth outlet (a feed's own second item is never a copy of its first).
        server.publish("/d.xml", [item("c1", "Israel's president to Baku", text=HERZOG_COPY)])
        await env.poll(feeds[3])
        rows = env.store.conn.execute("SELECT status FROM outbox ORDER BY id").fetchall()
    finally:
        await close_env(env, fetcher)

    assert rows == [("pending",), ("merged",)]
