"""One poll of one feed, end to end: fetch → parse → dedup → enrich → match → stories → store.

:meth:`Pipeline._poll` reads in that order, as miniflux's ``RefreshFeed`` does; the rest of
the machinery lives beside it: what a poll writes back about its feed (``outcomes``, written
by ``recorder``), its transaction and what a stop does with it (``commits``), and the memory
of stories (``grouping``).

A poll's new articles are matched and grouped into stories before anything is written, then
stored with their outbox rows in one transaction (``Store.store_poll``): a stored article
counts as seen and is never matched again, so storing it apart from its alerts would lose
them to a crash, a stop or a lock in between. Everything a poll learns about its feed is
written back at once (status, validators, errors, next poll time), and alerts go to the
outbox before anything is sent, so a crash at any point loses nothing and sends nothing
twice. A feed's failure is that feed's business: it is logged with the URL, counted and
stored as the feed's last error, and never reaches the caller, so one broken feed cannot stop
the others. A storage fault is not the feed's: it is left to the store's health
(``bot.store.health``), logged once per episode, and the feed is not marked as failing.

Every moment a poll records or compares (when it was polled and is due again, which entries
are too old to alert, the story window, the prune cutoff) comes from the injected clock
(``bot.clock``), so the demo's fixed "now" is what every poll sees.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from bot.article import Article
from bot.clock import Clock, utcnow
from bot.config import Config
from bot.feeds.errors import FeedGone
from bot.feeds.fetcher import Fetcher, FetchLimits, FetchResult
from bot.feeds.parser import FeedParser
from bot.feeds.reading import SourceReader
from bot.ingest import outcomes
from bot.ingest.commits import Check, Commits
from bot.ingest.fulltext import with_full_text
from bot.ingest.grouping import StoryGrouping
from bot.ingest.recorder import PollRecorder
from bot.ingest.redirects import LinkResolver
from bot.ingest.semantic import SemanticCheck
from bot.ingest.surges import SurgeWatch
from bot.matching import Matches, SubscriptionMatcher
from bot.ops.activity import Activity
from bot.runtime import MemoryCeiling
from bot.sources import FeedKind
from bot.store import AsyncStore, FeedRow, PollOutcome, StoredPoll
from bot.store.health import storage_fault
from bot.store.states import FAILED_POLLS, FeedOrigin, PollStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    """What one poll did, for progress output and the scheduler."""

    feed_id: int
    name: str
    status: PollStatus
    new_articles: int = 0
    alerts: int = 0
    """Outbox rows created: one per chat and article."""
    error: str | None = None
    next_poll_at: datetime | None = None
    """When the feed wants polling again (interval, ttl, max-age, backoff), as recorded."""


@dataclass(frozen=True)
class _Fresh:
    """A poll up to its outcome: what it stored and alerted, and how to record it."""

    outcome: PollOutcome
    new_articles: int = 0
    alerts: int = 0
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


class Pipeline:
    """Polls feeds into the store and the outbox; see the module docstring."""

    def __init__(
        self,
        store: AsyncStore,
        fetcher: Fetcher,
        config: Config,
        matcher: SubscriptionMatcher,
        *,
        parser: FeedParser,
        now: Clock = utcnow,
        activity: Activity | None = None,
        semantic: SemanticCheck | None = None,
    ) -> None:
        """``parser`` is the process's (``bot.wiring``), which its owner closes; ``activity``
        counts what the operator reads (news search links followed); ``semantic`` is the
        second opinion on story copies, when ``[stories]`` configures one."""
        self.store = store
        self.fetcher = fetcher
        self.config = config
        self.matcher = matcher
        self.parser = parser
        self.reader = SourceReader(fetcher, parser, config.sources.telegram_preview)
        """Reads each feed as its kind says: a feed, a channel's preview, a page."""
        self.now = now
        self.commits = Commits(store)
        """The transactions under way; the daemon's stop finishes them (``Commits.finish``)."""
        self.stories = StoryGrouping(store, config.stories, now=now, semantic=semantic)
        self._write_order = asyncio.Lock()
        """Held from grouping a poll's articles until its write is sent to the store, so
        writes reach the store in the order their articles were grouped."""
        self._max_age = timedelta(hours=config.polling.max_age_hours)
        self._recorder = PollRecorder(store)
        self.surges = SurgeWatch(store, config.surges)
        self.links = LinkResolver(fetcher, activity or Activity())
        """A news search's links followed to the articles' own addresses."""
        self.ceiling = MemoryCeiling(config.storage.memory_mb, [matcher.shed])
        """``[storage] memory_mb``, checked after each poll: polls are what memory grows with."""

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

    async def prune(self) -> int:
        """Forget articles older than the retention period (never one still to be sent), and
        the stories counted for surges before the week they look back on."""
        cutoff = self.now() - timedelta(days=self.config.storage.retention_days)
        removed = await self.store.prune_articles(cutoff)
        logger.info("pruned %d articles first seen before %s", removed, cutoff.isoformat())
        await self.store.prune_topic_stories(self.now() - self.surges.lookback)
        return removed

    async def _attempt(self, feed: FeedRow) -> _Fresh:
        """The poll up to its outcome: fetched, matched, stored and queued, or failed."""
        now = self.now()
        try:
            with self.commits.polling(feed):
                return await self._poll(feed, now)
        except Exception as exc:
            fault = storage_fault(exc)
            if fault is not None:  # the store's health has logged it, once for the episode
                outcome = outcomes.not_stored(
                    feed, now, fault.sentence, interval=self._interval(feed)
                )
                return _Fresh(outcome, record=False)
            _log_failure(feed, exc)
            return _Fresh(outcomes.failed(feed, now, exc, interval=self._interval(feed)))

    async def _poll(self, feed: FeedRow, now: datetime) -> _Fresh:
        """fetch → parse → dedup → enrich → match → stories and store; a 304 stops at fetch.

        A channel is paged back to its posts already stored, but not on its first poll,
        whose backlog alerts no one anyway."""
        search = feed.origin is FeedOrigin.SEARCH
        read = await self.reader.read(
            feed.source,
            etag=feed.etag,
            last_modified=feed.last_modified,
            name=None if search else feed.name,  # a search's results name their own outlets
            first_seen=now,
            unseen=partial(self.store.unseen_articles, feed.id) if feed.polls else None,
        )
        fetched, parsed = read.fetched, read.parsed
        if parsed is None:
            ttl = feed.ttl_minutes  # a 304 keeps the ttl recorded
            return _Fresh(self._answered(PollStatus.NOT_MODIFIED, feed, now, fetched, ttl))
        with self.commits.check() as check:
            unseen = await self.store.unseen_articles(feed.id, parsed.articles)
            if search:  # as the articles' own pages, they may be another feed's
                own = await self.links.own_links(feed.url, unseen)
                unseen = await self.store.unseen_articles(feed.id, own)
            articles, alertable, fulltext_failures = await self._enrich(feed, unseen, now)
            matches = await self._match(feed, alertable)
            stored = await self._store(feed, articles, matches, now, check)
        if stored.alerts:
            await self._surges(stored, matches, now)
        outcome = replace(
            self._answered(PollStatus.OK, feed, now, fetched, parsed.ttl_minutes),
            title=parsed.title or None,
            ttl_minutes=parsed.ttl_minutes,
            fulltext_failures=fulltext_failures,
        )
        return _Fresh(outcome, len(stored.articles), stored.alerts)

    async def _enrich(
        self, feed: FeedRow, unseen: list[Article], now: datetime
    ) -> tuple[list[Article], list[Article], int]:
        """The unseen entries (teasers that may alert with their page's text), those that
        may alert, and how many page fetches failed: only entries that may alert are worth
        a page fetch."""
        eligible = [article for article in unseen if self._may_alert(feed, article, now)]
        if feed.kind is FeedKind.TELEGRAM:
            return unseen, eligible, 0  # a post is all there is: its t.me page holds no more
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

    async def _match(self, feed: FeedRow, articles: list[Article]) -> Matches:
        """The chats whose topics the articles match: every chat's for a shared feed, only
        its readers' for a feed chats brought (read at the poll, so a removal counts at once)."""
        if not articles:
            return {}
        await self.matcher.refresh()
        return self.matcher.match(articles, await self.store.readers_of(feed.id))

    async def _store(
        self,
        feed: FeedRow,
        articles: list[Article],
        matches: Matches,
        now: datetime,
        check: Check,
    ) -> StoredPoll:
        """Stories and store: the poll's new articles with their stories and alerts, all or
        nothing, as a transaction a stop lets finish (``Commits.commit``)."""
        if not articles:
            return StoredPoll([], 0)
        write = partial(self._write, feed, articles, matches, now, check.mark)
        return await self.commits.commit(feed, check, write)

    async def _write(
        self, feed: FeedRow, articles: list[Article], matches: Matches, now: datetime, mark: int
    ) -> StoredPoll:
        """Group the matched articles into stories, then write. The write is sent to the
        store before the lock is let go, so the next poll groups after it and the store runs
        them in that order: what the next one links to is stored first, or (when this write
        fails) the story memory is rebuilt from what was."""
        matched_ids = {article_id for _, article_id in matches}
        matched = [article for article in articles if article.id in matched_ids]
        async with self._write_order:
            if matched:
                matched = self.commits.writes.since(mark, feed.id, matched)
            stories = await self.stories.repeats(feed.id, matched, now)
            written = self.store.store_poll(
                feed.id,
                articles,
                seen_at=now,
                matches=matches,
                thread_ids=self.matcher.thread_ids,
                stories=stories,
            )
            self.commits.writes.wrote(feed.id, articles)
        try:
            stored = await written
        except BaseException:
            if matched:
                self.stories.forget()
            raise
        if {a.id for a in matched} - {s.article.id for s in stored.articles}:
            self.stories.forget()  # another program stored some of them first
        self.store.health.ok()
        return stored

    async def _surges(self, stored: StoredPoll, matches: Matches, now: datetime) -> None:
        """Whether the topics with surge alerts that this poll gave new stories now surge.

        The poll is stored already, so a failure here is logged (a storage fault by the
        store's health, once) and the poll counts as done: its next poll looks again.
        """
        kept = {s.article.id for s in stored.articles}
        matched = {
            sub for (_, article_id), subs in matches.items() if article_id in kept for sub in subs
        }
        try:
            await self.surges.check(self.matcher.with_surges(matched), now)
        except Exception as exc:
            if storage_fault(exc) is None:
                logger.exception("could not check topics %s for surges", sorted(matched))

    async def _record(self, feed: FeedRow, fresh: _Fresh) -> PollResult:
        """Write the poll's outcome back to its feed's row, and say what the poll did."""
        outcome = fresh.outcome
        try:
            if fresh.record:
                await self._recorder.record(feed.id, outcome)
                _log_recovery(feed, outcome)
        except Exception as exc:
            if storage_fault(exc) is None:
                logger.exception("%s: could not record the poll's outcome", feed.url)
        self.ceiling.check()
        return PollResult(
            feed_id=feed.id,
            name=feed.name or outcome.title or feed.display_name,
            status=outcome.status,
            new_articles=fresh.new_articles,
            alerts=fresh.alerts,
            error=outcome.error,
            next_poll_at=outcome.next_poll_at,
        )

    def _answered(
        self,
        status: PollStatus,
        feed: FeedRow,
        now: datetime,
        fetched: FetchResult,
        ttl: int | None,
    ) -> PollOutcome:
        """The outcome of a poll the feed answered, due again at its interval or its ``ttl``."""
        return outcomes.answered(status, now, fetched, interval=self._interval(feed), ttl=ttl)

    def _interval(self, feed: FeedRow) -> int:
        return feed.interval or self.config.polling.interval


def _log_failure(feed: FeedRow, exc: Exception) -> None:
    """A failed poll, logged once per episode rather than once per poll: a WARNING when the
    feed starts failing (its ``error_count`` was 0), DEBUG while it goes on, and INFO when it
    works again (:func:`_log_recovery`), so a feed down for a day is two lines. A 410 ends
    the feed's polling, so it is a WARNING however long the feed had been failing."""
    told = feed.error_count > 0 and not isinstance(exc, FeedGone)
    level = logging.DEBUG if told else logging.WARNING
    if isinstance(exc, outcomes.EXPECTED):
        # The error names the URL it is about; the line names it once.
        reason = str(exc).removeprefix(f"{feed.url}: ")
        logger.log(level, "%s: poll failed: %s", feed.url, reason)
    else:
        logger.log(level, "%s: poll failed unexpectedly", feed.url, exc_info=exc)


def _log_recovery(feed: FeedRow, outcome: PollOutcome) -> None:
    """The end of a feed's failing episode (see :func:`_log_failure`), once."""
    if feed.error_count and outcome.status not in FAILED_POLLS:
        logger.info("%s: polls again after %d failures", feed.url, feed.error_count)
