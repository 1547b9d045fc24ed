"""What a poll writes back about its feed: its status, validators, error and next poll time.

Everything a poll learns about its feed goes back in one row (``PollOutcome``), so the
scheduler, ``/status`` and the next start read one consistent story: a feed that answered is
polled again at its interval (or later, when its ttl or Cache-Control ask), a failing one backs
off, a gone one is disabled. The moments are the poll's own ``now`` (the process's clock,
``bot.clock``), so a demo or a test that sets the clock sets what is recorded.

These functions only decide; the pipeline logs the poll and ``PollRecorder`` writes the row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.feeds.backoff import next_poll_delay
from bot.feeds.errors import FeedGone, FeedParseError, FetchError, RateLimited
from bot.feeds.fetcher import FetchResult
from bot.store import FeedRow, PollOutcome
from bot.store.states import PollStatus

EXPECTED = (FetchError, FeedParseError)
"""Failures that are the feed's fault (a bad answer, a broken document), as opposed to a bug:
their message names the URL and says what went wrong, so it is all the record and log need."""


def answered(
    status: PollStatus, now: datetime, fetched: FetchResult, *, interval: int, ttl: int | None
) -> PollOutcome:
    """A poll the feed answered (content or 304): polled again at ``interval`` seconds, or
    later when the feed's ``ttl`` (minutes) or the response's max-age ask for it."""
    delay = next_poll_delay(
        interval=interval, error_count=0, ttl_minutes=ttl, max_age=fetched.max_age
    )
    return PollOutcome(
        status=status,
        polled_at=now,
        next_poll_at=now + timedelta(seconds=delay),
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        new_url=fetched.permanent_url,
    )


def not_stored(feed: FeedRow, now: datetime, sentence: str, *, interval: int) -> PollOutcome:
    """A poll whose articles the store could not keep: the feed is not to blame, so it is
    polled again at its usual interval rather than backing off."""
    delay = next_poll_delay(interval=interval, error_count=0)
    return PollOutcome(
        status=PollStatus.ERROR,
        polled_at=now,
        next_poll_at=now + timedelta(seconds=delay),
        error=f"{feed.url}: not stored: {sentence}",
    )


def failed(feed: FeedRow, now: datetime, exc: Exception, *, interval: int) -> PollOutcome:
    """A poll that failed through the feed's fault: the feed backs off (never sooner than a
    429's or 503's Retry-After), and a 410 disables it. The error is recorded as the feed's
    last error, naming its URL, for ``/status`` and ``topic-alert feeds``."""
    if isinstance(exc, EXPECTED):
        message = str(exc)
    else:
        message = f"{feed.url}: unexpected error: {type(exc).__name__}: {exc}"
    delay = next_poll_delay(
        interval=interval,
        error_count=feed.error_count + 1,
        retry_after=exc.retry_after if isinstance(exc, RateLimited) else None,
    )
    return PollOutcome(
        status=PollStatus.GONE if isinstance(exc, FeedGone) else PollStatus.ERROR,
        polled_at=now,
        next_poll_at=now + timedelta(seconds=delay),
        error=message,
    )
