"""One poll of one feed, end to end: fetch → parse → full text → match → store and queue.

A poll's new articles are matched and clustered into stories before anything is written, then
stored with their outbox rows in one transaction (``Store.store_poll``): a stored article
counts as seen and is never matched again, so storing it apart from its alerts would lose
them to a crash, a stop or a lock in between. Everything a poll learns about its feed is
written back at once (status, validators, errors, next poll time; see ``PollRecorder``), and
alerts go to the outbox before anything is sent, so a crash at any point loses nothing and
sends nothing twice. A feed's failure is that feed's business: it is logged with the URL,
counted and stored as the feed's last error, and never reaches the caller, so one broken feed
cannot stop the others. A storage fault is not the feed's: it is left to the store's health
(``bot.store.health``), logged once per episode, and the feed is not marked as failing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.article import Article
from bot.clock import Clock, utcnow
from bot.config import Config
from bot.feeds.backoff import next_poll_delay
from bot.feeds.errors import FeedGone, FeedParseError, FetchError, RateLimited
from bot.feeds.fetcher import Fetcher, FetchLimits, FetchResult
from bot.feeds.parser import FeedParser, ParsedFeed, make_parser
from bot.ingest.fulltext import with_full_text
from bot.ingest.stories import StoryClusterer
from bot.matching import Matches, SubscriptionMatcher
from bot.store import AsyncStore, FeedRow, PollOutcome, StoredPoll
from bot.store.health import storage_fault
from bot.store.states import FAILED_POLLS

logger = logging.getLogger(__name__)

_EXPECTED = (FetchError, FeedParseError)
"""Failures that are the feed's fault: logged in one line, without a traceback."""


@dataclass(frozen=True)
class PollResult:
    """What one poll did, for progress output and the scheduler."""

    feed_id: int
    name: str
    status: str
    """ok, not_modified, error or gone."""
    new_articles: int = 0
    alerts: int = 0
    """Outbox rows created: one per chat and article."""
    error: str | None = None
    next_poll_at: datetime | None = None
    """When the feed wants polling again (interval, ttl, max-age, backoff), as recorded."""


@dataclass(frozen=True)
class _Fresh:
    """A poll that got content: what it stored and alerted, and how to record it."""

    outcome: PollOutcome
    new_articles: int
    alerts: int
    record: bool = True
    """False when the store failed: the feed learned nothing, and is not to blame."""


def fetch_limits(config: Config) -> FetchLimits:
    """The fetcher limits the ``[polling]`` and ``[fetch]`` sections set."""
    polling = config.polling
    return FetchLimits(
        timeout=polling.timeout,
        max_bytes=polling.max_bytes,
        max_concurrency=polling.max_concurrency,
        per_host=polling.per_host,
        allow_private=config.fetch.allow_private,
        allow_hosts=frozenset(config.fetch.allow_hosts),
    )


class PollRecorder:
    """Writes poll outcomes to the store, those that finish together in one transaction.

    A poll is recorded before :meth:`record` returns, as if written alone. But while one write
    runs on the store's thread, the polls finishing meanwhile queue up and go together in the
    next: a warm cycle of 500 feeds answering 304 made 500 writes, each a round trip through
    the store's thread, and those round trips were a large share of the cycle
    (docs/benchmarks.md, "Ingestion").
    """

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


class WritesSince:
    """The articles this process's polls have sent to the store since a given poll checked
    which of its entries are new.

    Between that check and its own write, a poll fetches pages and matches; other polls may
    store some of the same articles meanwhile (one story's URL in two feeds), and its own
    write will leave those out. It must not cluster them first, or the clusterer would hold
    stories the store never kept. Store calls run in the order they are made, so the check
    saw every write made before it and none made after: those are the ones to look at here,
    without another query to the store.
    """

    def __init__(self) -> None:
        self._written = 0
        self._writes: deque[tuple[int, frozenset[str]]] = deque()
        """(number of the write, keys of its articles), for the writes some check may miss."""
        self._checks: Counter[int] = Counter()
        """Checks not done with, by the number of writes made before them."""

    def check(self) -> int:
        """Note a check made now; returns its mark, for :meth:`since` and :meth:`done`."""
        self._checks[self._written] += 1
        return self._written

    def wrote(self, feed_id: int, articles: Iterable[Article]) -> None:
        """Note a write of ``articles`` made now."""
        self._written += 1
        self._writes.append((self._written, frozenset(_keys(feed_id, articles))))
        self._forget()

    def since(self, mark: int, feed_id: int, articles: Iterable[Article]) -> list[Article]:
        """Those of ``articles`` no write made after the check ``mark`` may have stored."""
        later = set().union(*(keys for number, keys in self._writes if number > mark))
        return [a for a in articles if later.isdisjoint(_keys(feed_id, [a]))]

    def done(self, mark: int) -> None:
        """The check ``mark`` will not be asked about again."""
        self._checks[mark] -= 1
        if not self._checks[mark]:
            del self._checks[mark]
        self._forget()

    def _forget(self) -> None:
        """Drop the writes every check still open already saw."""
        oldest = min(self._checks, default=self._written)
        while self._writes and self._writes[0][0] <= oldest:
            self._writes.popleft()


def _log_recovery(feed: FeedRow, outcome: PollOutcome) -> None:
    """The end of a feed's failing episode (see ``Pipeline._failure``), once."""
    if feed.error_count and outcome.status not in FAILED_POLLS:
        logger.info("%s: polls again after %d failures", feed.url, feed.error_count)


def _keys(feed_id: int, articles: Iterable[Article]) -> Iterator[str]:
    """What makes an article old to the store: its id in its feed, its URL in any feed."""
    for article in articles:
        yield f"{feed_id}/{article.id}"
        if article.url:
            yield article.url


class Pipeline:
    """Polls feeds into the store and the outbox; see the module docstring."""

    def __init__(
        self,
        store: AsyncStore,
        fetcher: Fetcher,
        config: Config,
        matcher: SubscriptionMatcher,
        *,
        now: Clock = utcnow,
        parser: FeedParser | None = None,
    ) -> None:
        """``parser`` defaults to what ``[polling] parse_workers`` says (worker processes,
        one per core, unless it is -1); the pipeline then owns it and :meth:`close` stops it."""
        self.store = store
        self.fetcher = fetcher
        self.config = config
        self.matcher = matcher
        self.now = now
        self._owns_parser = parser is None
        self.parser: FeedParser = parser or make_parser(config.polling.parse_workers)
        self._clusterer: StoryClusterer | None = None
        self._cluster_lock = asyncio.Lock()
        """Held from clustering a poll's articles until its write is sent to the store, so
        writes reach the store in the order their articles were clustered."""
        self._writes = WritesSince()
        self._commits: dict[asyncio.Task[StoredPoll], FeedRow] = {}
        """Transactions under way (see :meth:`_commit`), for :meth:`finish_commits`."""
        self._storing: set[asyncio.Task[Any] | None] = set()
        """Polls whose transaction has started: cancelling them does not cancel it."""
        self.cancelled: list[FeedRow] = []
        """Feeds whose poll was cancelled (by a stop) before it stored anything."""
        self._max_age = timedelta(hours=config.polling.max_age_hours)
        self._recorder = PollRecorder(store)

    def close(self) -> None:
        """Stop the parse workers the pipeline started (if any); polling again restarts them."""
        if self._owns_parser:
            self.parser.close()

    async def poll_all(
        self, feeds: Iterable[FeedRow], progress: Callable[[PollResult], object] | None = None
    ) -> list[PollResult]:
        """Poll many feeds at once, as many in flight as the fetcher allows connections.

        ``progress`` is called with each result as it finishes (e.g. to advance a bar).
        """
        slots = asyncio.Semaphore(self.fetcher.limits.max_concurrency)

        async def one(feed: FeedRow) -> PollResult:
            async with slots:  # a poll being recorded no longer holds a fetch's place
                fresh = await self._attempt(feed)
            result = await self._record(feed, fresh)
            if progress is not None:
                progress(result)
            return result

        return list(await asyncio.gather(*(one(feed) for feed in feeds)))

    async def poll_feed(self, feed: FeedRow) -> PollResult:
        """Poll one feed and record the outcome; never raises for the feed's own failures."""
        return await self._record(feed, await self._attempt(feed))

    async def _attempt(self, feed: FeedRow) -> _Fresh:
        """The poll up to its outcome: fetched, matched, stored and queued, or failed."""
        now = self.now()
        poll = asyncio.current_task()
        try:
            return await self._poll(feed, now)
        except asyncio.CancelledError:
            if poll not in self._storing:
                self.cancelled.append(feed)
            raise
        except Exception as exc:
            fault = storage_fault(exc)
            if fault is not None:  # the store's health has logged it, once for the episode
                outcome = self._not_stored(feed, now, fault.sentence)
                return _Fresh(outcome, 0, 0, record=False)
            return _Fresh(self._failure(feed, now, exc), 0, 0)
        finally:
            self._storing.discard(poll)

    async def _record(self, feed: FeedRow, fresh: _Fresh) -> PollResult:
        outcome = fresh.outcome
        try:
            if fresh.record:
                await self._recorder.record(feed.id, outcome)
                _log_recovery(feed, outcome)
        except Exception as exc:
            if storage_fault(exc) is None:
                logger.exception("%s: could not record the poll's outcome", feed.url)
        return PollResult(
            feed_id=feed.id,
            name=feed.name or outcome.title or feed.display_name,
            status=outcome.status,
            new_articles=fresh.new_articles,
            alerts=fresh.alerts,
            error=outcome.error,
            next_poll_at=outcome.next_poll_at,
        )

    async def prune(self) -> int:
        """Forget articles older than the retention period (never one still to be sent)."""
        cutoff = self.now() - timedelta(days=self.config.storage.retention_days)
        removed = await self.store.prune_articles(cutoff)
        logger.info("pruned %d articles first seen before %s", removed, cutoff.isoformat())
        return removed

    async def _poll(self, feed: FeedRow, now: datetime) -> _Fresh:
        fetched = await self.fetcher.fetch_feed(
            feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        if fetched.not_modified:
            delay = self._healthy_delay(feed, fetched, feed.ttl_minutes)
            return _Fresh(self._outcome("not_modified", now, delay, fetched), 0, 0)
        parsed = await self.parser.parse(
            fetched.content,
            url=fetched.final_url,
            headers=fetched.headers,
            name=feed.name,
            first_seen=now,
        )
        mark = self._writes.check()
        try:
            articles, alertable, fulltext_failures = await self._unseen(feed, parsed, now)
            matches = await self._match(alertable)
        except BaseException:
            self._writes.done(mark)
            raise
        stored = await self._commit(feed, articles, matches, now, mark)
        delay = self._healthy_delay(feed, fetched, parsed.ttl_minutes)
        outcome = replace(
            self._outcome("ok", now, delay, fetched),
            title=parsed.title or None,
            ttl_minutes=parsed.ttl_minutes,
            fulltext_failures=fulltext_failures,
        )
        return _Fresh(outcome, len(stored.articles), stored.alerts)

    async def _unseen(
        self, feed: FeedRow, parsed: ParsedFeed, now: datetime
    ) -> tuple[list[Article], list[Article], int]:
        """The entries not seen before, those of them that may alert, and how many page
        fetches failed: only entries that may alert get their full text."""
        unseen = await self.store.unseen_articles(feed.id, parsed.articles)
        eligible = [article for article in unseen if self._may_alert(feed, article, now)]
        enriched, failures = await with_full_text(
            self.fetcher,
            eligible,
            forced=feed.full_text,
            threshold=self.config.polling.full_text_threshold,
        )
        by_id = {article.id: article for article in enriched}
        return [by_id.get(article.id, article) for article in unseen], enriched, failures

    def _may_alert(self, feed: FeedRow, article: Article, now: datetime) -> bool:
        """Whether an entry may alert at all.

        Not on a feed's first poll: its backlog is old news to whoever just added it. Not
        when published more than ``max_age_hours`` ago: a feed that re-dates or re-sends old
        entries must not alert on them.
        """
        if feed.polls == 0:
            return False
        if article.published is None:
            return True
        return now - article.published <= self._max_age

    async def _match(self, articles: list[Article]) -> Matches:
        if not articles:
            return {}
        await self.matcher.refresh()
        return self.matcher.match(articles)

    async def _commit(
        self, feed: FeedRow, articles: list[Article], matches: Matches, now: datetime, mark: int
    ) -> StoredPoll:
        """Store the poll's new articles with their stories and alerts, all or nothing.

        The transaction runs as a task of its own: a stop that cancels the poll leaves it
        running, and :meth:`finish_commits` waits for it or rolls it back, and says which.
        """
        if not articles:
            self._writes.done(mark)
            return StoredPoll([], 0)
        commit = asyncio.create_task(self._write(feed, articles, matches, now, mark))
        self._commits[commit] = feed
        commit.add_done_callback(self._commits.pop)
        commit.add_done_callback(lambda _: self._writes.done(mark))
        self._storing.add(asyncio.current_task())
        return await asyncio.shield(commit)

    async def _write(
        self, feed: FeedRow, articles: list[Article], matches: Matches, now: datetime, mark: int
    ) -> StoredPoll:
        """Cluster the matched articles, then write. The write is sent to the store before
        the lock is let go, so the next poll clusters after it and the store runs them in
        that order: what the next one links to is stored first, or (when this write fails)
        the clusterer is rebuilt from what was."""
        async with self._cluster_lock:
            matched_ids = {article_id for _, article_id in matches}
            matched = [article for article in articles if article.id in matched_ids]
            stories = {}
            if matched:
                matched = self._writes.since(mark, feed.id, matched)
                stories = self._stories(await self._story_memory(), feed, matched, now)
            written = self.store.store_poll(
                feed.id,
                articles,
                seen_at=now,
                matches=matches,
                thread_ids=self.matcher.thread_ids,
                stories=stories,
            )
            self._writes.wrote(feed.id, articles)
        try:
            stored = await written
        except BaseException:
            if matched:
                self._clusterer = None  # it holds this poll's articles: rebuild it
            raise
        if {a.id for a in matched} - {s.article.id for s in stored.articles}:
            self._clusterer = None  # another program stored some of them first
        self.store.health.ok()
        return stored

    async def finish_commits(self, timeout: float) -> int:
        """Let the polls being stored commit, for ``timeout`` seconds at most; after that,
        every poll write rolls back instead (``Store.stop_poll_writes``). Each outcome is
        logged; returns how many polls were rolled back (their articles stay unseen: the
        next start fetches them). A write waiting for another program's lock may take up to
        the busy timeout past ``timeout``."""
        commits = dict(self._commits)
        if not commits:
            return 0
        logger.info("waiting up to %gs for %d polls to finish storing", timeout, len(commits))
        _, late = await asyncio.wait(commits, timeout=timeout)
        if late:
            self.store.sync.stop_poll_writes()
            await asyncio.wait(late)
        rolled_back = 0
        for task, feed in commits.items():
            failure = "cancelled" if task.cancelled() else task.exception()
            if failure is None:
                stored = task.result()
                logger.info(
                    "%s: stored this poll before stopping: %d articles, %d alerts queued",
                    feed.url,
                    len(stored.articles),
                    stored.alerts,
                )
            else:
                rolled_back += 1
                logger.warning(
                    "%s: rolled back this poll's articles and alerts on stopping (%s); "
                    "they are fetched again at the next start",
                    feed.url,
                    failure,
                )
        return rolled_back

    def _stories(
        self, clusterer: StoryClusterer, feed: FeedRow, articles: list[Article], now: datetime
    ) -> dict[str, tuple[int, str]]:
        """Article id → (feed id, article id) of the first article of its story, for the
        articles that repeat a story. Called with the cluster lock held.

        Only matched articles are clustered: a story matters only where it alerts, and
        clustering costs far more than matching. With ``[stories] enabled = false`` there
        are none: every article alerts on its own.
        """
        if not self.config.stories.enabled:
            return {}
        stories = {}
        for article in articles:
            first = self._assign_story(clusterer, feed.id, article, now)
            if first != (feed.id, article.id):
                stories[article.id] = first
        clusterer.forget_before(self.now() - clusterer.window)
        return stories

    async def _story_memory(self) -> StoryClusterer:
        """The clusterer; rebuilt from the articles alerted in its window when there is none
        (at start, so a restart still recognises a story alerted just before it, and after
        a poll it clustered was not stored)."""
        if self._clusterer is None:
            clusterer = StoryClusterer(threshold=self.config.stories.threshold)
            for stored in await self.store.alerted_articles(self.now() - clusterer.window):
                self._assign_story(clusterer, stored.feed_id, stored.article, stored.seen_at)
            self._clusterer = clusterer
        return self._clusterer

    @staticmethod
    def _assign_story(
        clusterer: StoryClusterer, feed_id: int, article: Article, seen_at: datetime
    ) -> tuple[int, str]:
        """The (feed id, article id) of the first article of ``article``'s story.

        Articles are keyed by feed and id rather than by row, as they are clustered before
        they are stored; the key's feed id ends at the first "/".
        """
        when = article.published or seen_at
        story = clusterer.assign(
            f"{feed_id}/{article.id}",
            article.title,
            article.text,
            when,
            feed=feed_id,
            link=article.url,
        )
        first_feed, _, first_id = story.partition("/")
        return int(first_feed), first_id

    def _interval(self, feed: FeedRow) -> int:
        return feed.interval or self.config.polling.interval

    def _healthy_delay(self, feed: FeedRow, fetched: FetchResult, ttl: int | None) -> float:
        return next_poll_delay(
            interval=self._interval(feed), error_count=0, ttl_minutes=ttl, max_age=fetched.max_age
        )

    @staticmethod
    def _outcome(status: str, now: datetime, delay: float, fetched: FetchResult) -> PollOutcome:
        return PollOutcome(
            status=status,
            polled_at=now,
            next_poll_at=now + timedelta(seconds=delay),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            new_url=fetched.permanent_url,
        )

    def _not_stored(self, feed: FeedRow, now: datetime, sentence: str) -> PollOutcome:
        """A poll whose articles could not be stored: polled again at its usual interval."""
        delay = next_poll_delay(interval=self._interval(feed), error_count=0)
        return PollOutcome(
            status="error",
            polled_at=now,
            next_poll_at=now + timedelta(seconds=delay),
            error=f"{feed.url}: not stored: {sentence}",
        )

    def _failure(self, feed: FeedRow, now: datetime, exc: Exception) -> PollOutcome:
        """Log and record a failed poll; the feed backs off (410: it is disabled).

        A feed that fails is logged once per episode: a WARNING when it starts failing (its
        ``error_count`` was 0), DEBUG while it goes on, and INFO when it works again
        (:meth:`_record`), so a feed down for a day is two lines, not one per poll. A 410
        ends the feed's polling, so it is a WARNING however long the feed had been failing.
        """
        told = feed.error_count > 0 and not isinstance(exc, FeedGone)
        level = logging.DEBUG if told else logging.WARNING
        if isinstance(exc, _EXPECTED):
            # The error names the URL it is about; the line names it once.
            reason = str(exc).removeprefix(f"{feed.url}: ")
            logger.log(level, "%s: poll failed: %s", feed.url, reason)
            message = str(exc)
        else:
            logger.log(level, "%s: poll failed unexpectedly", feed.url, exc_info=exc)
            message = f"{feed.url}: unexpected error: {type(exc).__name__}: {exc}"
        delay = next_poll_delay(
            interval=self._interval(feed),
            error_count=feed.error_count + 1,
            retry_after=exc.retry_after if isinstance(exc, RateLimited) else None,
        )
        return PollOutcome(
            status="gone" if isinstance(exc, FeedGone) else "error",
            polled_at=now,
            next_poll_at=now + timedelta(seconds=delay),
            error=message,
        )
