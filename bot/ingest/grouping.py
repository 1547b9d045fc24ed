"""Which of a poll's matched articles repeat a story already alerted: the pipeline's memory of
stories, kept across polls and rebuilt from the store when it cannot be trusted.

The clustering itself is ``bot.ingest.stories`` (and ``copies``); this module keeps one
clusterer for the process, feeds it each poll's matched articles and forgets what left its
window. Only matched articles are clustered: a story matters only where it alerts, and
clustering costs far more than matching. The window is measured on the process's clock
(``bot.clock``), as the poll's own moments are, so a demo or a test that sets the clock sets
which stories are still remembered.

With a second opinion configured (``bot.ingest.semantic``), the pairs the lexical check is
unsure of wait for an embeddings endpoint. The clusterer is synchronous and cheap, so it runs
a poll's articles in a worker thread then, whose question waits on the event loop for the
answer; without one it runs on the loop as it always has. When the memory is rebuilt, those
pairs are answered from the stories the store recorded: what was decided stays decided, and
nothing is asked again.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import CancelledError
from datetime import datetime

from bot.article import Article
from bot.clock import Clock
from bot.config import StoriesConfig
from bot.ingest.semantic import SemanticCheck, embedded_text
from bot.ingest.stories import SecondOpinion, StoryClusterer
from bot.store import AsyncStore, StoredArticle

Stories = dict[str, tuple[int, str]]
"""Article id → (feed id, article id) of the first article of its story, for the articles
that repeat a story; what ``Store.store_poll(stories=)`` takes."""


class StoryGrouping:
    """The articles of a poll that repeat a story; see the module docstring."""

    def __init__(
        self,
        store: AsyncStore,
        config: StoriesConfig,
        *,
        now: Clock,
        semantic: SemanticCheck | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.now = now
        self.semantic = semantic
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
        if self.semantic is None:
            stories = _group(clusterer, feed_id, articles, seen_at)
        else:
            ask = self._asker(self.semantic, feed_id, articles)
            stories = await asyncio.to_thread(_group, clusterer, feed_id, articles, seen_at, ask)
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
            alerted = await self.store.alerted_articles(self.now() - clusterer.window)
            decided = _recorded(alerted) if self.semantic is not None else None
            for stored in alerted:
                _assign(clusterer, stored.feed_id, stored.article, stored.seen_at, decided)
            self._clusterer = clusterer
        return self._clusterer

    def _asker(
        self, semantic: SemanticCheck, feed_id: int, articles: list[Article]
    ) -> SecondOpinion:
        """The second opinion for a poll's articles, asked from the clustering's thread: it
        waits for the answer on the event loop, where the endpoint and the store are."""
        loop = asyncio.get_running_loop()
        poll = {_key(feed_id, article): article for article in articles}

        async def text_of(key: str) -> str | None:
            article = poll.get(key)
            if article is None:  # from an earlier poll, stored by now
                feed, _, guid = key.partition("/")
                stored = await self.store.article_in_feed(int(feed), guid)
                article = stored.article if stored is not None else None
            return embedded_text(article.title, article.text) if article is not None else None

        def ask(earlier: str, later: str) -> bool | None:
            answer = asyncio.run_coroutine_threadsafe(
                semantic.same_story(earlier, later, text_of), loop
            )
            try:
                return answer.result(timeout=semantic.longest)
            except (TimeoutError, CancelledError):  # the loop is stopping: leave it to the words
                answer.cancel()
                return None

        return ask


def _group(
    clusterer: StoryClusterer,
    feed_id: int,
    articles: list[Article],
    seen_at: datetime,
    second_opinion: SecondOpinion | None = None,
) -> Stories:
    """The poll's articles that repeat a story, assigned in order."""
    stories = {}
    for article in articles:
        first = _assign(clusterer, feed_id, article, seen_at, second_opinion)
        if first != (feed_id, article.id):
            stories[article.id] = first
    return stories


def _recorded(alerted: list[StoredArticle]) -> SecondOpinion:
    """The second opinion the store recorded: whether the later article was stored as a copy
    of the earlier one's story (None for an article it does not hold)."""
    by_key = {_key(stored.feed_id, stored.article): stored for stored in alerted}

    def same(earlier: str, later: str) -> bool | None:
        first, copy = by_key.get(earlier), by_key.get(later)
        if first is None or copy is None:
            return None
        return copy.story_id is not None and copy.story_id == (first.story_id or first.rowid)

    return same


def _key(feed_id: int, article: Article) -> str:
    """Articles are keyed by feed and id rather than by row, as they are clustered before
    they are stored; the key's feed id ends at the first "/"."""
    return f"{feed_id}/{article.id}"


def _assign(
    clusterer: StoryClusterer,
    feed_id: int,
    article: Article,
    seen_at: datetime,
    second_opinion: SecondOpinion | None = None,
) -> tuple[int, str]:
    """The (feed id, article id) of the first article of ``article``'s story."""
    story = clusterer.assign(
        _key(feed_id, article),
        article.title,
        article.text,
        article.published or seen_at,
        feed=feed_id,
        link=article.url,
        second_opinion=second_opinion,
    )
    first_feed, _, first_id = story.partition("/")
    return int(first_feed), first_id
