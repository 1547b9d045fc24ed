"""Read a feed once, outside a poll: to check a URL someone wants to follow, to try a rule on
it (``topic-alert check``), or to see what it serves (``topic-alert doctor``).

/addfeed runs :func:`probe_feed` before storing anything, so a typo or a page without a feed is
refused in the chat with the reason, instead of becoming a feed that fails every poll; so are a
channel with no public preview and a page where the selector matches nothing. The parsing runs
in the pool that parses polled feeds: a feed of 50,000 entries takes seconds to parse, and the
event loop meanwhile answers everyone else. Nothing here stores anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.feeds.fetcher import Fetcher, FetchResult
from bot.feeds.parser import FeedParser, ParsedFeed, feed_title
from bot.feeds.reading import SourceReader
from bot.sources import TELEGRAM_PREVIEW, FeedKind, Source


@dataclass(frozen=True)
class FeedRead:
    """One fetch of a feed (with autodiscovery) and its parse."""

    fetched: FetchResult
    parsed: ParsedFeed


async def read_feed(
    fetcher: Fetcher,
    parser: FeedParser,
    source: Source | str,
    *,
    telegram_preview: str = TELEGRAM_PREVIEW,
) -> FeedRead:
    """``source`` (a feed's URL, or any source) fetched and parsed as a poll would, its
    latest page only and without conditional GET; raises FetchError or FeedParseError."""
    source = Source(source) if isinstance(source, str) else source
    read = await SourceReader(fetcher, parser, telegram_preview).read(source)
    assert read.parsed is not None, "an unconditional GET is never a 304"
    return FeedRead(read.fetched, read.parsed)


async def probe_feed(
    fetcher: Fetcher,
    parser: FeedParser,
    source: Source | str,
    *,
    telegram_preview: str = TELEGRAM_PREVIEW,
) -> tuple[str, str | None]:
    """``(feed_url, title)`` for ``source``; raises FetchError or FeedParseError to refuse it.

    ``feed_url`` is where the feed really lives: the end of permanent redirects, or the feed
    an HTML page links to; a channel keeps its own address.
    """
    source = Source(source) if isinstance(source, str) else source
    if source.kind is not FeedKind.FEED:
        read = await read_feed(fetcher, parser, source, telegram_preview=telegram_preview)
        return read.fetched.permanent_url or source.url, read.parsed.title or None
    result = await fetcher.fetch_feed(source.url)
    feed_url = result.permanent_url or result.final_url
    title = await parser.call(feed_title, result.content, feed_url, result.headers, url=feed_url)
    return feed_url, title or None
