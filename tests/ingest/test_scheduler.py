"""The feed scheduler on the test's own event loop, polling feeds on a local server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.config import FeedSpec
from bot.ingest.scheduler import FeedScheduler
from bot.store import FeedRow, PollOutcome, Store
from tests.support.pipeline_env import (
    FeedServer,
    PipelineEnv,
    close_env,
    item,
    make_config,
    open_env,
)
from tests.support.waiting import until

DEADLINE = 20.0
"""Seconds a condition may take before the test gives up (a hang guard, not a measurement)."""


def next_runs(scheduler: FeedScheduler) -> dict[int, datetime]:
    """Feed id → when the scheduler's job will next poll it."""
    return {
        int(job.id.removeprefix("feed:")): job.next_run_time
        for job in scheduler.scheduler.get_jobs()
        if job.id.startswith("feed:") and job.next_run_time is not None
    }


@pytest.fixture
async def running(
    tmp_path: Path, server: FeedServer
) -> AsyncIterator[tuple[PipelineEnv, FeedScheduler]]:
    """A started scheduler whose config lists two feeds (one asks for a 3-hour ttl)."""
    world = server.publish("/world", [item("a1", "Talks in Baku")])
    slow = server.publish("/slow", [item("s1", "Weekly digest")], ttl=180)
    config = make_config(tmp_path / "bot.db", interval=600)
    config = replace(config, feeds=[FeedSpec(url=world, name="World"), FeedSpec(url=slow)])
    env, fetcher = await open_env(config)
    scheduler = FeedScheduler(env.pipeline, env.astore, config)
    await scheduler.start()
    yield env, scheduler
    await scheduler.shutdown()
    await close_env(env, fetcher)


def polled(env: PipelineEnv, feed: FeedRow | int) -> bool:
    feed_id = feed if isinstance(feed, int) else feed.id
    return env.store.get_feed(feed_id).polls > 0


async def test_start_polls_the_config_feeds_soon_and_follows_their_next_poll_time(
    running,
) -> None:
    env, scheduler = running
    assert [feed.name for feed in env.store.list_feeds()] == ["World", None]

    def moved_to_their_next_poll_time() -> bool:
        due = next_runs(scheduler)
        return all(
            feed.next_poll_at is not None
            and abs(due[feed.id] - feed.next_poll_at) < timedelta(seconds=1)
            for feed in env.store.list_feeds()
        )

    await until(
        moved_to_their_next_poll_time,
        "the feeds' jobs to move to their next poll time",
        timeout=DEADLINE,
    )

    due = next_runs(scheduler)
    world, slow = env.store.list_feeds()
    now = datetime.now(UTC)
    assert due[world.id] > now + timedelta(seconds=600 * 0.9 - 60)
    assert due[slow.id] > now + timedelta(minutes=180 * 0.9 - 1)


async def test_jobs_coalesce_never_overlap_and_tolerate_a_late_loop(running) -> None:
    env, scheduler = running
    world = env.store.list_feeds()[0]

    job = scheduler.scheduler.get_job(f"feed:{world.id}")

    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 600)
    assert job.trigger.interval == timedelta(seconds=600)
    assert job.trigger.jitter == 60
    assert scheduler.scheduler.get_job("prune") is not None


async def test_feeds_added_and_removed_at_run_time(running, server) -> None:
    env, scheduler = running
    url = server.publish("/late", [item("l1", "Late news")])
    feed = env.store.add_feed(url, name="Late")

    scheduler.add_feed(feed)
    await until(lambda: polled(env, feed), "a poll of the feed", timeout=DEADLINE)
    scheduler.remove_feed(feed.id)

    assert feed.id not in next_runs(scheduler)
    assert env.store.get_feed(feed.id).articles == 1
    scheduler.remove_feed(feed.id)  # removing twice is harmless


async def test_a_gone_feed_is_disabled_and_unscheduled(running, httpserver) -> None:
    env, scheduler = running
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    feed = env.store.add_feed(httpserver.url_for("/gone"))

    scheduler.add_feed(feed)
    await until(lambda: polled(env, feed), "a poll of the feed", timeout=DEADLINE)
    await until(
        lambda: feed.id not in next_runs(scheduler), "the feed's job to be gone", timeout=DEADLINE
    )

    assert not env.store.get_feed(feed.id).enabled


async def test_a_feed_that_asked_to_wait_keeps_its_time_across_a_restart(
    tmp_path: Path, server: FeedServer
) -> None:
    url = server.publish("/world", [item("a1", "Talks in Baku")])
    config = replace(make_config(tmp_path / "bot.db"), feeds=[FeedSpec(url=url)])
    env, fetcher = await open_env(config)
    await env.poll(url)
    later = env.feed(url).next_poll_at

    scheduler = FeedScheduler(env.pipeline, env.astore, config)
    await scheduler.start()
    try:
        assert next_runs(scheduler)[env.feed(url).id] == later
    finally:
        await scheduler.shutdown()
        await close_env(env, fetcher)
    assert not scheduler.scheduler.running


async def test_a_stop_during_a_poll_cancels_it_without_a_traceback(
    tmp_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A poll cut by shutdown is a normal stop: the pipeline notes it, and no log says a job
    failed (APScheduler logs a cancelled job as an error with its traceback)."""
    fetching = threading.Event()

    def hang(request: Request) -> Response:
        fetching.set()
        time.sleep(1)
        return Response("", status=304)

    httpserver.expect_request("/hang").respond_with_handler(hang)
    config = make_config(tmp_path / "bot.db", interval=600)
    config = replace(config, feeds=[FeedSpec(url=httpserver.url_for("/hang"))])
    env, fetcher = await open_env(config)
    scheduler = FeedScheduler(env.pipeline, env.astore, config)
    await scheduler.start()
    await until(fetching.is_set, "the fetch to begin", timeout=DEADLINE)

    await scheduler.shutdown()

    assert [feed.url for feed in env.pipeline.commits.cancelled] == [httpserver.url_for("/hang")]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    await close_env(env, fetcher)


def job_interval(scheduler: FeedScheduler, feed_id: int) -> timedelta:
    return scheduler.scheduler.get_job(f"feed:{feed_id}").trigger.interval


async def test_feeds_another_process_adds_removes_or_retimes_are_picked_up(
    tmp_path: Path, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """What `topic-alert import-opml`, `remove-feed` or a CLI command run with an edited
    config file do to a running daemon's database; the daemon's own /addfeed is no news."""
    world = server.publish("/world", [item("a1", "Talks in Baku")])
    config = replace(make_config(tmp_path / "bot.db", interval=600), feeds=[FeedSpec(url=world)])
    env, fetcher = await open_env(config)
    other = Store.open(tmp_path / "bot.db")  # another process's connection
    scheduler = FeedScheduler(env.pipeline, env.astore, config, resync_every=timedelta(seconds=0.2))
    await scheduler.start()
    caplog.set_level(logging.INFO, logger="bot.ingest.scheduler")

    def changes() -> list[str]:
        return [r.getMessage() for r in caplog.records if "outside the bot" in r.getMessage()]

    try:
        own = env.store.add_feed(server.publish("/own", [item("o1", "Own news")]))
        scheduler.add_feed(own)  # as /addfeed does
        late = other.add_feed(server.publish("/late", [item("l1", "Late news")]))
        await until(
            lambda: polled(env, late),
            "a poll of the feed added by the other process",
            timeout=DEADLINE,
        )
        await until(lambda: len(changes()) == 1, "one change logged", timeout=DEADLINE)

        world_id = env.feed(world).id
        other.sync_config_feeds([FeedSpec(url=world, interval=1800)])
        await until(
            lambda: job_interval(scheduler, world_id) == timedelta(seconds=1800),
            "the retimed feed's 30-minute job",
            timeout=DEADLINE,
        )
        other.remove_feed(late.id)
        await until(
            lambda: late.id not in next_runs(scheduler),
            "the removed feed's job to be gone",
            timeout=DEADLINE,
        )
        await until(lambda: len(changes()) == 3, "three changes logged", timeout=DEADLINE)
        assert own.id in next_runs(scheduler)
    finally:
        other.close()
        await scheduler.shutdown()
        await close_env(env, fetcher)

    assert changes() == [
        "feeds changed outside the bot: 1 added, 0 removed, 0 with a new interval",
        "feeds changed outside the bot: 0 added, 0 removed, 1 with a new interval",
        "feeds changed outside the bot: 0 added, 1 removed, 0 with a new interval",
    ]


PAST = datetime(2023, 5, 30, 12, 0, tzinfo=UTC)
"""The process's clock in the tests below: a fixed moment long before the wall clock's now."""


def past() -> datetime:
    return PAST


async def test_polls_and_due_times_follow_the_process_clock_not_the_wall_clock(
    tmp_path: Path, server: FeedServer
) -> None:
    """As in the demo: by a clock fixed in May 2023, one feed is due and one asked to wait two
    hours. The due one is polled, recorded at that date, and its news of an hour before alerts;
    the other waits two real hours, although both dates are long past on the wall clock."""
    news = {**item("n1", "Talks in Baku"), "pubDate": format_datetime(PAST - timedelta(hours=1))}
    due_url = server.publish("/due", [news])
    waiting_url = server.publish("/waiting", [item("w1", "Talks in Baku")])
    config = make_config(tmp_path / "bot.db", interval=600)
    env, fetcher = await open_env(config, now=past)
    env.subscribe(1, "Baku")
    due, waiting = env.store.add_feed(due_url), env.store.add_feed(waiting_url)
    before = PAST - timedelta(hours=1)
    env.store.record_polls(
        [
            (due.id, PollOutcome("ok", polled_at=before, next_poll_at=PAST - timedelta(minutes=1))),
            (
                waiting.id,
                PollOutcome("ok", polled_at=before, next_poll_at=PAST + timedelta(hours=2)),
            ),
        ]
    )
    scheduler = FeedScheduler(env.pipeline, env.astore, config, now=past)
    started = datetime.now(UTC)
    await scheduler.start()
    try:
        await until(lambda: polled_and_moved(env, scheduler, due.id, started), "the due poll")
        runs, moved = next_runs(scheduler), datetime.now(UTC)
        after, kept = env.store.get_feed(due.id), env.store.get_feed(waiting.id)
        alerted = env.store.alerted_articles(PAST - timedelta(days=1))
    finally:
        await scheduler.shutdown()
        await close_env(env, fetcher)

    assert after.last_polled_at == PAST
    assert PAST + timedelta(seconds=540) <= after.next_poll_at <= PAST + timedelta(seconds=660)
    assert [article.seen_at for article in alerted] == [PAST]
    assert kept.polls == 1
    # APScheduler runs on the wall clock: each job is as far from the wall clock's now, when
    # it was set, as the feed's next poll is from the process's clock (to the second: the
    # clocks' difference is rounded, and the store keeps the poll's next time in whole seconds).
    second = timedelta(seconds=1)
    wait = timedelta(hours=2)
    assert started + wait - second < runs[waiting.id] < moved + wait + second
    asked = after.next_poll_at - PAST
    assert started + asked - second < runs[due.id] < moved + asked + 2 * second


def polled_and_moved(
    env: PipelineEnv, scheduler: FeedScheduler, feed_id: int, started: datetime
) -> bool:
    """The feed's second poll is recorded and its job has ended: the job moved its next run to
    the time the poll asked for (APScheduler's own jittered next time, set as the job started,
    also lies past the time it was first due, so the move is known only once the job is over)."""
    return (
        env.store.get_feed(feed_id).polls == 2
        and not scheduler._running
        and next_runs(scheduler)[feed_id] > started + timedelta(minutes=5)
    )
