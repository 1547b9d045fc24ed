"""Check a URL someone wants to follow: fetch it once (with autodiscovery) and parse it.

/addfeed runs this before storing anything, so a typo or a page without a feed is refused in
the chat with the reason, instead of becoming a feed that fails every poll. The parsing runs in
the pool that parses polled feeds: a feed of 50,000 entries takes seconds to parse, and the
event loop meanwhile answers everyone else.
"""

from __future__ import annotations

from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import InlineParser, ParsePool, feed_title


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
