"""Read a feed once, outside a poll: to check a URL someone wants to follow, to try a rule on
it (``topic-alert check``), or to see what it serves (``topic-alert doctor``).

/addfeed runs :func:`probe_feed` before storing anything, so a typo or a page without a feed is
refused in the chat with the reason, instead of becoming a feed that fails every poll. The
parsing runs in the pool that parses polled feeds: a feed of 50,000 entries takes seconds to
parse, and the event loop meanwhile answers everyone else. Nothing here stores anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.feeds.fetcher import Fetcher, FetchResult
from bot.feeds.parser import InlineParser, ParsedFeed, ParsePool, feed_title


@dataclass(frozen=True)
class FeedRead:
    """One fetch of a feed (with autodiscovery) and its parse."""

    fetched: FetchResult
    parsed: ParsedFeed


async def read_feed(fetcher: Fetcher, parser: InlineParser | ParsePool, url: str) -> FeedRead:
    """``url`` fetched and parsed as a poll would (without conditional GET); raises FetchError
    or FeedParseError."""
    fetched = await fetcher.fetch_feed(url)
    parsed = await parser.parse(fetched.content, url=fetched.final_url, headers=fetched.headers)
    return FeedRead(fetched, parsed)


async def probe_feed(
    fetcher: Fetcher, parser: InlineParser | ParsePool, url: str
) -> tuple[str, str | None]:
    """``(feed_url, title)`` for ``url``; raises FetchError or FeedParseError to refuse it.

    ``feed_url`` is where the feed really lives: the end of permanent redirects, or the feed
    an HTML page links to.
    """
    result = await fetcher.fetch_feed(url)
    feed_url = result.permanent_url or result.final_url
    title = await parser.call(feed_title, result.content, feed_url, result.headers, url=feed_url)
    return feed_url, title or None
