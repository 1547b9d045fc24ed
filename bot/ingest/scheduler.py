"""When each feed is polled: one APScheduler job per feed on the bot's own event loop.

The job's interval trigger (with jitter, so feeds added together drift apart) is only the
fallback: after every poll the job is moved to the time the poll asked for, which honours the
feed's <ttl>, Cache-Control max-age, Retry-After and error backoff. Jobs coalesce and never
overlap, and a late job still runs (a busy loop delays a poll, it does not skip it).

While the store has a fault (disk full, locked, read-only, damaged: ``AsyncStore.health``),
polls are skipped rather than fetching what cannot be kept; a probe job tries the store every
``probe_every`` and, once it works, the skipped feeds are polled again.

Feeds change in the database behind the scheduler's back too: ``topic-alert import-opml``,
``remove-feed`` or any CLI command run with an edited config file write from another process.
A resync job compares the store's ``feeds_version`` every ``resync_every`` (a minute, or the
``[polling] interval`` when shorter) and, only when it moved, the enabled feeds with the jobs.
News searches (``bot.news_search``) follow the topics: at start and, in the resync job,
whenever the store's ``subscriptions_version`` moved, each active topic gets the search it
should have and the searches no active topic uses stop (``reconcile``); the feeds that changed
are then scheduled or dropped by that same resync. Two more housekeeping jobs: a daily prune
of old articles, and the log's summary line of what happened (``bot.ops.logsummary``, every
``[logging] summary_every``). :meth:`FeedScheduler.state` tells the health check whether
polls start when due and none has hung.

Two clocks: the process's (``bot.clock``, injected; the demo sets it to its sample feeds'
dates) says what is due, as it says when the pipeline recorded a poll and when the feed wants
the next; APScheduler fires jobs on the wall clock, which it reads itself. A moment decided
on the process's clock is handed to APScheduler as the same distance from now
(:meth:`FeedScheduler._job_time`): a feed due in ten minutes by the demo's clock is polled ten
real minutes from now, not at once because that date is long past. How long a poll has been
running and when the next job fires (:class:`PollingState`) are APScheduler's real time: the
health check measures them against the wall clock, and a hung poll is hung whatever the
process's clock says.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, utcnow
from bot.config import Config
from bot.ingest.pipeline import Pipeline
from bot.news_search import reconcile
from bot.ops.activity import Activity
from bot.ops.logsummary import log_activity
from bot.store import AsyncStore, FeedRow, PollStatus, UnknownRow
from bot.store.health import FaultKind, storage_fault

logger = logging.getLogger(__name__)

JITTER = 0.1
"""±10% of the interval, as the poll delays themselves."""
START_STAGGER = timedelta(seconds=0.1)
"""Feeds due at start-up begin this far apart, so 500 feeds do not all connect at once."""
PRUNE_EVERY = timedelta(days=1)
PRUNE_FIRST = timedelta(hours=1)
PROBE_EVERY = timedelta(seconds=15)
"""How often a store with a fault is tried again."""
RESYNC_EVERY = timedelta(seconds=60)
"""How often the store is asked whether another process changed the feeds (one row read)."""
SUMMARY_EVERY = timedelta(minutes=1)
"""How often the log sums up what happened (``bot.ops.logsummary``)."""
_PRUNE_JOB = "prune"
_PROBE_JOB = "probe"
_RESYNC_JOB = "resync"
_SUMMARY_JOB = "summary"


_EXECUTOR_LOGGER = "apscheduler.executors.default"
"""Where APScheduler logs a job that raised, a cancelled one included, with its traceback."""


class _QuietCancels(logging.Filter):
    """Drops APScheduler's records of jobs that ended cancelled: only :meth:`FeedScheduler.
    shutdown` cancels them, and a stop is no failure (the pipeline notes a poll it cut)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


_QUIET_CANCELS = _QuietCancels()


_FEED_JOB = "feed:"
"""The prefix of a feed's job id, followed by the feed's id."""


def _job_id(feed_id: int) -> str:
    return f"{_FEED_JOB}{feed_id}"


@dataclass(frozen=True)
class PollingState:
    """Whether polls happen when due, as the health check reads it: on the wall clock (see
    the module docstring)."""

    running: bool
    """APScheduler runs (it stops only on shutdown, or when its loop died)."""
    feeds: int
    """Feeds scheduled."""
    next_due: datetime | None
    """The earliest time a feed's poll is due; in the past only while it is being started."""
    oldest_poll: datetime | None
    """When the longest-running poll in flight started; None when none is."""


class FeedScheduler:
    """Schedules the pipeline's polls; start it from inside the running event loop."""

    def __init__(
        self,
        pipeline: Pipeline,
        store: AsyncStore,
        config: Config,
        *,
        probe_every: timedelta = PROBE_EVERY,
        activity: Activity | None = None,
        resync_every: timedelta | None = None,
        summary_every: timedelta = SUMMARY_EVERY,
        now: Clock = utcnow,
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.config = config
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.probe_every = probe_every
        self.now = now
        """The process's clock, which says what is due (see the module docstring)."""
        self.activity = activity or Activity()
        """Told of every poll's outcome, for the metrics and the log's summary."""
        self.resync_every = resync_every or min(
            RESYNC_EVERY, timedelta(seconds=config.polling.interval)
        )
        """A feed changed by another process is picked up within this: within a poll interval."""
        self._feeds_version: int | None = None
        """The store's ``feeds_version`` when the jobs last matched its feeds."""
        self._topics_version: int | None = None
        """The store's ``subscriptions_version`` when the news searches last followed it."""
        self.summary_every = summary_every
        self._skipped: set[int] = set()
        """Feeds whose poll was skipped while the store had a fault."""
        self._running: dict[asyncio.Task[Any] | None, datetime] = {}
        """Polls in flight, and when each started (on the wall clock, for the health check)."""

    async def start(self) -> None:
        """Merge the config file's feeds into the store and schedule every enabled feed.

        A feed that is due (or never polled) is polled within moments; one whose last poll
        asked for a later time (ttl, Retry-After, backoff) keeps that time across restarts.
        """
        for feed in await self.store.sync_config_feeds(self.config.feeds):
            _warn_removed(feed)
        await self._follow_topics()
        self._feeds_version = await self.store.feeds_version()  # before the list: see _resync
        feeds = await self.store.list_feeds()
        self.scheduler.start()
        now = self.now()
        for position, feed in enumerate(feeds):
            self._schedule(feed, first_run=now + START_STAGGER * (position + 1))
        self._every(_PRUNE_JOB, self._prune, PRUNE_EVERY, first_run=now + PRUNE_FIRST)
        self._every(_PROBE_JOB, self._probe, self.probe_every, first_run=now + self.probe_every)
        self._every(_RESYNC_JOB, self._resync, self.resync_every, first_run=now + self.resync_every)
        self._every(
            _SUMMARY_JOB, self._summarize, self.summary_every, first_run=now + self.summary_every
        )
        logger.info("scheduled %d feeds", len(feeds))

    def _every(
        self, job_id: str, job: Callable[[], Awaitable[None]], every: timedelta, first_run: datetime
    ) -> None:
        """A housekeeping job: one run at a time, a late run still runs, missed ones once."""
        self.scheduler.add_job(
            job,
            IntervalTrigger(seconds=every.total_seconds()),
            id=job_id,
            next_run_time=self._job_time(first_run),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            replace_existing=True,
        )

    def state(self) -> PollingState:
        """What the health check needs to tell a working scheduler from a stuck one."""
        due = [
            job.next_run_time
            for job in self.scheduler.get_jobs()
            if job.id.startswith(_FEED_JOB) and job.next_run_time is not None
        ]
        return PollingState(
            running=self.scheduler.running,
            feeds=len(due),
            next_due=min(due, default=None),
            oldest_poll=min(self._running.values(), default=None),
        )

    def add_feed(self, feed: FeedRow) -> None:
        """Start polling a feed added at run time (or re-schedule a known one), soon."""
        self._schedule(feed, first_run=self.now() + START_STAGGER)

    def remove_feed(self, feed_id: int) -> None:
        """Stop polling a feed; a feed that has no job is not an error."""
        if self._unschedule(feed_id):
            logger.info("feed %d: no longer scheduled", feed_id)

    def _unschedule(self, feed_id: int) -> bool:
        """Drop the feed's job; False when it had none."""
        try:
            self.scheduler.remove_job(_job_id(feed_id))
        except JobLookupError:
            return False
        return True

    async def shutdown(self) -> None:
        """Stop scheduling and cancel the polls in flight.

        A poll that was still fetching has stored nothing (``Commits.cancelled`` lists it) and
        is polled again at the next start; one that is storing goes on with its transaction,
        which ``Commits.finish`` waits for.
        """
        logging.getLogger(_EXECUTOR_LOGGER).addFilter(_QUIET_CANCELS)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)  # cancels the jobs running
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback
        running = {task for task in self._running if task is not None}
        if running:
            await asyncio.wait(running)

    def _schedule(self, feed: FeedRow, *, first_run: datetime) -> None:
        """Give the feed its job, first run at ``first_run`` or at the time its last poll
        asked for, whichever is later (both on the process's clock)."""
        interval = self._interval(feed.interval)
        if feed.next_poll_at is not None and feed.next_poll_at > first_run:
            first_run = feed.next_poll_at
        self.scheduler.add_job(
            self._poll,
            IntervalTrigger(seconds=interval, jitter=interval * JITTER),
            args=[feed.id],
            id=_job_id(feed.id),
            name=feed.display_name,
            next_run_time=self._job_time(first_run),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=interval,
            replace_existing=True,
        )

    async def _poll(self, feed_id: int) -> None:
        """The job: poll with the freshest row (URL, validators), then move the next run."""
        if self.store.health.fault is not None:
            self._skipped.add(feed_id)  # nothing fetched now could be kept: see _probe
            return
        task = asyncio.current_task()
        self._running[task] = utcnow()
        try:
            await self._poll_fresh(feed_id)
        finally:
            del self._running[task]

    async def _poll_fresh(self, feed_id: int) -> None:
        try:
            feed = await self.store.get_feed(feed_id)
        except UnknownRow:
            feed = None
        if feed is None or not feed.enabled:
            self.remove_feed(feed_id)
            return
        result = await self.pipeline.poll_feed(feed)
        self.activity.polled(result.status, new_articles=result.new_articles, alerts=result.alerts)
        if result.status is PollStatus.GONE:
            self.remove_feed(feed_id)
        elif result.next_poll_at is not None:
            self._move(feed_id, result.next_poll_at)

    async def _probe(self) -> None:
        """The job that ends a storage fault: try the store; once it works, poll the feeds
        skipped meanwhile, spread out as at start-up."""
        fault = self.store.health.fault
        if fault is not None:
            try:
                await self.store.check_usable(integrity=fault.kind is FaultKind.CORRUPT)
            except sqlite3.Error:
                return  # still failing; the store's health has noted it
            self.store.health.ok()
        skipped, self._skipped = sorted(self._skipped), set()
        now = self.now()
        for position, feed_id in enumerate(skipped):
            self._move(feed_id, now + START_STAGGER * (position + 1))

    def _job_time(self, when: datetime) -> datetime:
        """``when``, a moment on the process's clock, as APScheduler's run time: as far from
        the wall clock's now as it is from the process clock's now.

        The clocks' difference is taken to the second, the schedule's finest step: when the
        process's clock is the wall clock, its two reads are microseconds apart and a feed's
        job runs at the very moment its last poll recorded.
        """
        offset = (utcnow() - self.now()).total_seconds()
        return when + timedelta(seconds=round(offset))

    def _interval(self, own: int | None) -> int:
        """A feed's polling interval in seconds: its own, else the ``[polling]`` default."""
        return own or self.config.polling.interval

    async def _resync(self) -> None:
        """The job that brings the jobs in line with feeds another process changed: a feed
        enabled gets a job (polled soon, unless its last poll asked for later), one disabled
        loses it, one whose interval changed is scheduled anew. The topics' news searches are
        brought in line with the topics first, so the searches they start or stop are among
        those changes (one job: two runs of the comparison at once could drop a new job).

        The bot's own changes (/addfeed, /removefeed, a feed gone) move the version too, but
        their jobs already match, so they are no news.
        """
        if self.store.health.fault is not None:
            return  # the probe job deals with the store; the feeds can wait for it
        with _faults_noted():
            await self._follow_topics()
            await self._match_jobs_to_store()

    async def _match_jobs_to_store(self) -> None:
        # The jobs are listed before the store is read, so that a feed /addfeed schedules
        # meanwhile is not taken for one to drop. The version is read before the feeds: a
        # change made between the two reads moves it again, and the next run looks again.
        scheduled = self._scheduled_intervals()
        version = await self.store.feeds_version()
        if version == self._feeds_version:
            return
        wanted = await self.store.polled_feeds()
        removed = scheduled.keys() - wanted.keys()
        for feed_id in removed:
            self._unschedule(feed_id)
        added = wanted.keys() - scheduled.keys()
        changed = {
            feed_id
            for feed_id in wanted.keys() & scheduled.keys()
            if self._interval(wanted[feed_id]) != scheduled[feed_id]
        }
        now = self.now()
        for position, feed_id in enumerate(sorted(added | changed)):
            try:
                feed = await self.store.get_feed(feed_id)
            except UnknownRow:
                continue  # deleted since; the version has moved again for the next run
            self._schedule(feed, first_run=now + START_STAGGER * (position + 1))
        self._feeds_version = version
        if added or removed or changed:
            logger.info(
                "feeds changed outside the bot: %d added, %d removed, %d with a new interval",
                len(added),
                len(removed),
                len(changed),
            )

    async def _follow_topics(self) -> None:
        """Reconcile the news searches with the topics, when these changed since last time."""
        version = await self.store.subscriptions_version()
        if version == self._topics_version:
            return
        switched = await reconcile(self.store, self.config)
        self._topics_version = version
        if switched:
            logger.info("news searches: %d started or stopped with their topics", switched)

    def _scheduled_intervals(self) -> dict[int, int]:
        """Feed id → the interval (seconds) of its job, for every feed that has one."""
        return {
            int(job.id.removeprefix(_FEED_JOB)): round(job.trigger.interval.total_seconds())
            for job in self.scheduler.get_jobs()
            if job.id.startswith(_FEED_JOB)
        }

    async def _summarize(self) -> None:
        await log_activity(self.activity, self.store, self.summary_every)

    async def _prune(self) -> None:
        if self.store.health.fault is not None:
            return  # a day's delay is harmless; pruning a failing store is not
        with _faults_noted():
            await self.pipeline.prune()

    def _move(self, feed_id: int, when: datetime) -> None:
        """Run the feed's job next at ``when`` (on the process's clock)."""
        try:
            self.scheduler.modify_job(_job_id(feed_id), next_run_time=self._job_time(when))
        except JobLookupError:
            logger.debug("feed %d was removed while it was being polled", feed_id)


@contextlib.contextmanager
def _faults_noted() -> Iterator[None]:
    """End a housekeeping run quietly on a storage fault: the store's health has logged it,
    once for the episode, and the probe job takes over; any other error is a bug and raises."""
    try:
        yield
    except sqlite3.Error as exc:
        if storage_fault(exc) is None:
            raise


def _warn_removed(feed: FeedRow) -> None:
    """Name, at start, a feed the config file lists but an operator removed: the file says
    one thing and the bot does another, which whoever edits the file should hear."""
    logger.warning(
        "feed %s is listed in the config file but an operator removed it at %s; it stays off "
        "until it is deleted from the config file or added again (/addfeed, import-opml)",
        feed.url,
        feed.removed_at,
    )
