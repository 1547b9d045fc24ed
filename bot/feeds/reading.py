"""One read of a source, whatever its kind: fetched under the fetcher's limits, parsed in the
parse pool.

A feed is fetched with autodiscovery and parsed by feedparser (``bot.feeds.parser``); a
Telegram channel's preview is read at ``[sources] telegram_preview`` + its name and parsed by
``bot.feeds.telegram``, paging back (``?before=ID``) while every post of a page is new, so the
posts of a night the bot was off are read too; a page is fetched as a page and parsed through
its selectors (``bot.feeds.page``). Each kind gets the same conditional GET, size limit,
address guard, and the poll's backoff and jitter (``bot.feeds.backoff``, the scheduler).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.article import Article
from bot.feeds.fetcher import Fetcher, FetchResult
from bot.feeds.page import parse_page
from bot.feeds.parser import FeedParser, ParsedFeed
from bot.feeds.telegram import parse_preview
from bot.sources import TELEGRAM_PREVIEW, FeedKind, PageSelectors, Source

logger = logging.getLogger(__name__)

MAX_PREVIEW_PAGES = 5
"""Preview pages one poll of a channel reads: the latest and up to four older, about a hundred
posts. That covers what a busy channel posts in a night the bot was off; reading further would
be a burst of requests to t.me, which limits them, for posts mostly older than ``[polling]
max_age_hours`` and so too old to alert anyway."""

Unseen = Callable[[list[Article]], Awaitable[list[Article]]]
"""The articles of a list not stored yet (``Store.unseen_articles`` for one feed)."""


@dataclass(frozen=True)
class SourceRead:
    """One read of a source: the (first) fetch, and its parse (None when it was a 304)."""

    fetched: FetchResult
    parsed: ParsedFeed | None


class SourceReader:
    """Reads sources of every kind with one fetcher and one parser."""

    def __init__(
        self, fetcher: Fetcher, parser: FeedParser, telegram_preview: str = TELEGRAM_PREVIEW
    ) -> None:
        """``telegram_preview`` is where channel previews are read (``[sources]``)."""
        self.fetcher = fetcher
        self.parser = parser
        self.telegram_preview = telegram_preview

    async def read(
        self,
        source: Source,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        name: str | None = None,
        first_seen: datetime | None = None,
        unseen: Unseen | None = None,
    ) -> SourceRead:
        """Fetch ``source`` (conditionally, with the validators of its last fetch) and parse it.

        ``unseen`` lets a channel page back to the posts already stored; without it (a first
        poll, a check) only its latest page is read. Raises FetchError or FeedParseError.
        """
        if source.kind is FeedKind.TELEGRAM:
            return await self._channel(source, etag, last_modified, name, first_seen, unseen)
        if source.kind is FeedKind.PAGE and source.selectors is not None:
            return await self._page(source.selectors, source, etag, last_modified, name, first_seen)
        fetched = await self.fetcher.fetch_feed(source.url, etag=etag, last_modified=last_modified)
        if fetched.not_modified:
            return SourceRead(fetched, None)
        parsed = await self.parser.parse(
            fetched.content,
            url=fetched.final_url,
            headers=fetched.headers,
            name=name,
            first_seen=first_seen,
        )
        return SourceRead(fetched, parsed)

    def preview_url(self, source: Source, before: int | None = None) -> str:
        """Where the channel's preview is read; ``before``: its page of older posts."""
        url = f"{self.telegram_preview}{source.channel}"
        return f"{url}?before={before}" if before else url

    async def _page(
        self,
        selectors: PageSelectors,
        source: Source,
        etag: str | None,
        last_modified: str | None,
        name: str | None,
        first_seen: datetime | None,
    ) -> SourceRead:
        fetched = await self.fetcher.fetch_page(source.url, etag=etag, last_modified=last_modified)
        if fetched.not_modified:
            return SourceRead(fetched, None)
        parsed = await self.parser.call(
            parse_page,
            fetched.content,
            fetched.final_url,
            selectors,
            fetched.headers,
            name,
            first_seen,
            url=fetched.final_url,
        )
        return SourceRead(fetched, parsed)

    async def _channel(
        self,
        source: Source,
        etag: str | None,
        last_modified: str | None,
        name: str | None,
        first_seen: datetime | None,
        unseen: Unseen | None,
    ) -> SourceRead:
        """The latest preview page, then older ones while all of a page's posts are new."""
        fetched = await self.fetcher.fetch(
            self.preview_url(source), etag=etag, last_modified=last_modified
        )
        # The channel's address is its own: a mirror's redirect never moves the feed.
        fetched = replace(fetched, permanent_url=None)
        if fetched.not_modified:
            return SourceRead(fetched, None)
        parsed = await self._preview(fetched, source, name, first_seen)
        articles, page = parsed.articles, parsed
        for _ in range(MAX_PREVIEW_PAGES - 1):
            if unseen is None or page.before is None or not page.articles:
                break
            if len(await unseen(page.articles)) < len(page.articles):
                break  # this page reaches posts already stored
            older = await self.fetcher.fetch(self.preview_url(source, page.before))
            page = await self._preview(older, source, name, first_seen)
            articles = page.articles + articles
        else:
            if unseen is not None and page.before is not None:
                logger.info(
                    "%s: read %d preview pages, the most a poll reads; older posts left unread",
                    source.url,
                    MAX_PREVIEW_PAGES,
                )
        return SourceRead(fetched, replace(parsed, articles=articles))

    async def _preview(
        self, fetched: FetchResult, source: Source, name: str | None, first_seen: datetime | None
    ) -> ParsedFeed:
        return await self.parser.call(
            parse_preview,
            fetched.content,
            source.url,
            fetched.headers,
            name,
            first_seen,
            url=source.url,
        )
