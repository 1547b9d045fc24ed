"""Which of a poll's matched articles repeat a story already alerted: the pipeline's memory of
stories, kept across polls and rebuilt from the store when it cannot be trusted.

The clustering itself is ``bot.ingest.stories`` (and ``copies``); this module keeps one
clusterer for the process, feeds it each poll's matched articles and forgets what left its
window. Only matched articles are clustered: a story matters only where it alerts, and
clustering costs far more than matching. The window is measured on the process's clock
(``bot.clock``), as the poll's own moments are, so a demo or a test that sets the clock sets
which stories are still remembered.
"""

from __future__ import annotations

from datetime import datetime

from bot.article import Article
from bot.clock import Clock
from bot.config import StoriesConfig
from bot.ingest.stories import StoryClusterer
from bot.store import AsyncStore

Stories = dict[str, tuple[int, str]]
"""Article id → (feed id, article id) of the first article of its story, for the articles
that repeat a story; what ``Store.store_poll(stories=)`` takes."""


class StoryGrouping:
    """The articles of a poll that repeat a story; see the module docstring."""

    def __init__(self, store: AsyncStore, config: StoriesConfig, *, now: Clock) -> None:
        self.store = store
        self.config = config
        self.now = now
        self._clusterer: StoryClusterer | None = None

    async def repeats(self, feed_id: int, articles: list[Article], seen_at: datetime) -> Stories:
        """The articles of feed ``feed_id`` (seen at ``seen_at``) that repeat a story, each
        with the first article of that story. With ``[stories] enabled = false`` there are
        none: every article alerts on its own.

        The caller stores them in the order it calls this (see ``Pipeline``), and calls
        :meth:`forget` when they were not all stored.
        """
        if not articles or not self.config.enabled:
            return {}
        clusterer = await self._memory()
        stories = {}
        for article in articles:
            first = _assign(clusterer, feed_id, article, seen_at)
            if first != (feed_id, article.id):
                stories[article.id] = first
        clusterer.forget_before(self.now() - clusterer.window)
        return stories

    @property
    def remembered(self) -> int:
        """How many articles the story memory holds: those inside its window."""
        return len(self._clusterer) if self._clusterer is not None else 0

    def forget(self) -> None:
        """Drop the memory: it holds articles the store did not keep (a write failed, or
        another program stored some of them first). The next poll rebuilds it."""
        self._clusterer = None

    async def _memory(self) -> StoryClusterer:
        """The clusterer; rebuilt from the articles alerted in its window when there is none
        (at start, so a restart still recognises a story alerted just before it, and after
        :meth:`forget`)."""
        if self._clusterer is None:
            clusterer = StoryClusterer(threshold=self.config.threshold)
            for stored in await self.store.alerted_articles(self.now() - clusterer.window):
                _assign(clusterer, stored.feed_id, stored.article, stored.seen_at)
            self._clusterer = clusterer
        return self._clusterer


def _assign(
    clusterer: StoryClusterer, feed_id: int, article: Article, seen_at: datetime
) -> tuple[int, str]:
    """The (feed id, article id) of the first article of ``article``'s story.

    Articles are keyed by feed and id rather than by row, as they are clustered before they
    are stored; the key's feed id ends at the first "/".
    """
    story = clusterer.assign(
        f"{feed_id}/{article.id}",
        article.title,
        article.text,
        article.published or seen_at,
        feed=feed_id,
        link=article.url,
    )
    first_feed, _, first_id = story.partition("/")
    return int(first_feed), first_id
