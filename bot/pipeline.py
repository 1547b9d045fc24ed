"""One poll of one feed, end to end: fetch → parse → full text → store → match → outbox.

Everything a poll learns is written back at once (status, validators, errors, next poll
time; see ``PollRecorder``), and alerts go to the outbox before anything is sent, so a crash
at any point loses nothing and sends nothing twice. A feed's failure is that feed's business: it is
logged with the URL, counted and stored as the feed's last error, and never reaches the
caller, so one broken feed cannot stop the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.article import Article
from bot.config import Config
from bot.feeds.backoff import next_poll_delay
from bot.feeds.errors import FeedGone, FeedParseError, FetchError, RateLimited
from bot.feeds.fetcher import Fetcher, FetchLimits, FetchResult
from bot.feeds.parser import ParsedFeed, make_parser
from bot.matching import SubscriptionMatcher
from bot.store import AsyncStore, FeedRow, PollOutcome, StoredArticle
from bot.summary import FullTextError, StoryClusterer, fetch_full_text, needs_full_text

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


class FeedParser(Protocol):
    """Turns fetched bytes into a ParsedFeed (``parse_feed``'s arguments), somewhere.

    ``bot.feeds.parser.ParsePool`` parses in worker processes, ``InlineParser`` on the
    event loop's thread; tests may pass their own.
    """

    async def parse(
        self,
        content: bytes,
        *,
        url: str,
        headers: Mapping[str, str] | None = None,
        name: str | None = None,
        first_seen: datetime | None = None,
    ) -> ParsedFeed: ...

    def close(self) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


def fetch_limits(config: Config) -> FetchLimits:
    """The fetcher limits the ``[polling]`` section sets."""
    polling = config.polling
    return FetchLimits(
        timeout=polling.timeout,
        max_bytes=polling.max_bytes,
        max_concurrency=polling.max_concurrency,
        per_host=polling.per_host,
    )


async def with_full_text(
    fetcher: Fetcher, articles: Sequence[Article], *, forced: bool, threshold: int
) -> tuple[list[Article], int]:
    """The articles with their pages' text where the feed sends only teasers (or ``forced``).

    Returns the articles in order and how many page fetches failed; a failed one keeps its
    feed text, since a teaser still matches on its title.
    """

    async def one(article: Article) -> tuple[Article, bool]:
        try:
            return await fetch_full_text(fetcher, article, forced=True), True
        except FullTextError as exc:
            logger.info("%s: full text unavailable, using the feed text: %s", article.url, exc)
            return article, False

    # Only teasers become tasks: the full articles of a poll (nearly all) cost none.
    teasers = [
        i for i, article in enumerate(articles) if needs_full_text(article.text, forced, threshold)
    ]
    done = await asyncio.gather(*(one(articles[i]) for i in teasers))
    result = list(articles)
    for i, (article, _) in zip(teasers, done, strict=True):
        result[i] = article
    return result, sum(not ok for _, ok in done)


class PollRecorder:
    """Writes poll outcomes to the store, those that finish together in one transaction.

    A poll is recorded before :meth:`record` returns, as if written alone. But while one write
    runs on the store's thread, the polls finishing meanwhile queue up and go together in the
    next: a warm cycle of 500 feeds answering 304 made 500 writes, each a round trip through
    the store's thread, and those round trips were 40% of the cycle.
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


class Pipeline:
    """Polls feeds into the store and the outbox; see the module docstring."""

    def __init__(
        self,
        store: AsyncStore,
        fetcher: Fetcher,
        config: Config,
        matcher: SubscriptionMatcher,
        *,
        now: Callable[[], datetime] = _utcnow,
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
        self._stories_lock = asyncio.Lock()
        self._max_age = timedelta(hours=config.polling.max_age_hours)
        self._recorder = PollRecorder(store)

    def close(self) -> None:
        """Stop the parse workers the pipeline started (if any); polling again restarts them."""
        if self._owns_parser:
            self.parser.close()

    async def poll_all(
        self, feeds: Iterable[FeedRow], progress: Callable[[PollResult], None] | None = None
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
        """The poll up to its outcome: fetched, stored, matched and queued, or failed."""
        now = self.now()
        try:
            return await self._poll(feed, now)
        except Exception as exc:
            return _Fresh(self._failure(feed, now, exc), 0, 0)

    async def _record(self, feed: FeedRow, fresh: _Fresh) -> PollResult:
        outcome = fresh.outcome
        try:
            await self._recorder.record(feed.id, outcome)
        except Exception:
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
        new, fulltext_failures = await self._store_new(feed, parsed, now)
        alerts = await self._enqueue(self._alertable(new, feed))
        delay = self._healthy_delay(feed, fetched, parsed.ttl_minutes)
        outcome = replace(
            self._outcome("ok", now, delay, fetched),
            title=parsed.title or None,
            ttl_minutes=parsed.ttl_minutes,
            fulltext_failures=fulltext_failures,
        )
        return _Fresh(outcome, len(new), alerts)

    async def _store_new(
        self, feed: FeedRow, parsed: ParsedFeed, now: datetime
    ) -> tuple[list[StoredArticle], int]:
        """Store the entries not seen before; only those that may alert get their full text."""
        unseen = await self.store.unseen_articles(feed.id, parsed.articles)
        eligible = [article for article in unseen if self._may_alert(feed, article, now)]
        enriched, failures = await with_full_text(
            self.fetcher,
            eligible,
            forced=feed.full_text,
            threshold=self.config.polling.full_text_threshold,
        )
        by_id = {article.id: article for article in enriched}
        articles = [by_id.get(article.id, article) for article in unseen]
        return await self.store.add_articles(feed.id, articles, seen_at=now), failures

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

    def _alertable(self, new: list[StoredArticle], feed: FeedRow) -> list[StoredArticle]:
        """The newly stored articles that may alert."""
        return [stored for stored in new if self._may_alert(feed, stored.article, stored.seen_at)]

    async def _enqueue(self, articles: list[StoredArticle]) -> int:
        if not articles:
            return 0
        await self.matcher.refresh()
        matches = self.matcher.match(articles)
        if not matches:
            return 0
        matched = {rowid for _, rowid in matches}
        stories = await self._stories([stored for stored in articles if stored.rowid in matched])
        return await self.store.enqueue_alerts(
            matches, thread_ids=self.matcher.thread_ids, stories=stories
        )

    async def _stories(self, articles: list[StoredArticle]) -> dict[int, int]:
        """Article → first article of its story, for the articles that repeat a story.

        Only matched articles are clustered: a story matters only where it alerts, and
        clustering costs far more than matching. The clusterer is rebuilt from the store the
        first time, so a restart still recognises a story alerted just before it. With
        ``[stories] enabled = false`` there are none: every article alerts on its own.
        """
        if not self.config.stories.enabled:
            return {}
        async with self._stories_lock:  # feeds poll concurrently; the rebuild awaits the store
            if self._clusterer is None:
                self._clusterer = StoryClusterer(threshold=self.config.stories.threshold)
                since = self.now() - self._clusterer.window
                for stored in await self.store.alerted_articles(since):
                    self._assign_story(stored)
        stories = {}
        for stored in articles:
            first = self._assign_story(stored)
            if first != stored.rowid:
                stories[stored.rowid] = first
        if stories:
            await self.store.set_stories(stories)
        self._clusterer.forget_before(self.now() - self._clusterer.window)
        return stories

    def _assign_story(self, stored: StoredArticle) -> int:
        article = stored.article
        assert self._clusterer is not None
        return int(
            self._clusterer.assign(
                str(stored.rowid),
                article.title,
                article.text,
                stored.when,
                feed=stored.feed_id,
                link=article.url,
            )
        )

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

    def _failure(self, feed: FeedRow, now: datetime, exc: Exception) -> PollOutcome:
        """Log and record a failed poll; the feed backs off (410: it is disabled)."""
        if isinstance(exc, _EXPECTED):
            logger.warning("%s: poll failed: %s", feed.url, exc)
            message = str(exc)
        else:
            logger.exception("%s: poll failed unexpectedly", feed.url)
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
