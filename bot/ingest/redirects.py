"""The article's own address behind a news search's links.

A search service's RSS links to itself (``news.google.com/rss/articles/…``), which sends a
reader on to the article. Before its entries are deduplicated against the other feeds (by
canonical URL) and their pages read for full text, each link on the search's own host is
followed, with the fetcher (its address guard, size and time limits, redirect cap), to where it
leads. Answers are kept (the same link comes back in every poll of a search until it leaves
it), a bounded number of links is followed at once, and a link that leads nowhere else keeps
its address and is counted (``Activity.search_link``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from bot.article import Article
from bot.feeds.errors import FetchError
from bot.feeds.fetcher import Fetcher
from bot.feeds.normalize import canonical_url
from bot.ops.activity import Activity

logger = logging.getLogger(__name__)

KEPT = 4096
"""Links whose destination is remembered: a few polls' worth of every search."""
AT_ONCE = 4
"""Links followed at the same time: the service's host is one host, and gets no more."""


class LinkResolver:
    """Replaces a search service's links by the articles' own; one per pipeline."""

    def __init__(self, fetcher: Fetcher, activity: Activity) -> None:
        self.fetcher = fetcher
        self.activity = activity
        self._known: OrderedDict[str, str] = OrderedDict()
        self._slots = asyncio.Semaphore(AT_ONCE)

    async def own_links(self, feed_url: str, articles: Sequence[Article]) -> list[Article]:
        """``articles`` of the search at ``feed_url``, each linking to its own page when its
        link on the search's host could be followed there."""
        host = urlsplit(feed_url).netloc
        return list(await asyncio.gather(*(self._own(article, host) for article in articles)))

    async def _own(self, article: Article, host: str) -> Article:
        link = article.url
        if not link or urlsplit(link).netloc != host:
            return article
        own = self._known.get(link)
        if own is None:
            own = await self._follow(link, host)
            if own is None:
                self.activity.search_link(resolved=False)
                return article
            self.activity.search_link(resolved=True)
            self._remember(link, own)
        return replace(article, url=own)

    async def _follow(self, link: str, host: str) -> str | None:
        """Where ``link`` leads, canonical; None when it could not be followed or stayed on
        the search's host (a page that sends readers on by script, not by HTTP)."""
        try:
            async with self._slots:
                located = await self.fetcher.locate(link)
        except FetchError as exc:
            logger.info("%s: not followed to its article: %s", link, exc)
            return None
        own = canonical_url(located)
        if own is None or urlsplit(own).netloc == host:
            logger.info("%s: leads to no other site; the link is kept", link)
            return None
        return own

    def _remember(self, link: str, own: str) -> None:
        self._known[link] = own
        if len(self._known) > KEPT:
            self._known.popitem(last=False)
