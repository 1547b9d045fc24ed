"""Check a URL someone wants to follow: fetch it once (with autodiscovery) and parse it.

/addfeed runs this before storing anything, so a typo or a page without a feed is refused in
the chat with the reason, instead of becoming a feed that fails every poll.
"""

from __future__ import annotations

from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import parse_feed


async def probe_feed(fetcher: Fetcher, url: str) -> tuple[str, str | None]:
    """``(feed_url, title)`` for ``url``; raises FetchError or FeedParseError to refuse it.

    ``feed_url`` is where the feed really lives: the end of permanent redirects, or the feed
    an HTML page links to.
    """
    result = await fetcher.fetch_feed(url)
    feed_url = result.permanent_url or result.final_url
    parsed = parse_feed(result.content, url=feed_url, headers=result.headers)
    return feed_url, parsed.title or None
