"""Alerts queued as a poll queues them, the state every delivery test starts from: a chat's
subscriptions, articles published now (or one story from several sources), their outbox rows,
and the clock moved to a moment with the sender run until it has nothing left to do."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import time_machine

import rules
from bot.article import Article
from bot.store import Store
from tests.support.outbox_env import drain

CHAT = 7001
"""The chat of the schedule and language tests."""

_serials = itertools.count()


def follow(store: Store, rule: str, frequency: str | None, *, chat: int = CHAT) -> int:
    """``chat`` follows ``rule`` at ``frequency`` (None: at once); the subscription's id."""
    return store.add_subscription(chat, rules.compile(rule), frequency=frequency).id


def publish(store: Store, subs: list[int], titles: list[str], *, chat: int = CHAT) -> list[str]:
    """Articles published now and matched by ``subs``, queued as a poll queues them."""
    feed = store.feed_by_url("https://wire.example/rss") or store.add_feed(
        "https://wire.example/rss", name="Wire"
    )
    now = datetime.now(UTC)
    items = [
        Article(
            id=f"{n}",
            feed_url=feed.url,
            url=f"https://wire.example/{n}",
            title=title,
            text=title,
            published=now,
            source="Wire",
        )
        for n, title in zip(_serials, titles, strict=False)
    ]
    stored = store.add_articles(feed.id, items, seen_at=now)
    store.enqueue_alerts({(chat, article.rowid): subs for article in stored})
    return [item.url for item in items]


async def at(clock: time_machine.Traveller, moment: datetime, sender) -> None:
    """The clock jumps to ``moment`` and the sender runs as the daemon's loop would then."""
    clock.move_to(moment)
    await drain(sender)


STORY_CHAT = 2001
"""The chat of the story tests: one alert per story, never a copy it cannot see."""
STORY_TEXT = (
    "Israeli President Isaac Herzog will travel to Azerbaijan to strengthen ties with Israel."
)
FIRST = "https://world.example/herzog"


def store_article(
    store: Store, source: str, url: str | None, title: str = "Herzog to visit Azerbaijan"
) -> int:
    """The story as ``source`` published it at ``url`` (None: a feed item without a link)."""
    feed = store.add_feed(f"https://{source.lower().replace(' ', '-')}.example/rss", name=source)
    article = Article(
        id=url or title,
        feed_url=feed.url,
        url=url,
        title=title,
        text=STORY_TEXT,
        published=datetime(2023, 5, 28, 15, 5, tzinfo=UTC),
        source=source,
    )
    [stored] = store.add_articles(feed.id, [article], seen_at=datetime.now(UTC))
    return stored.rowid


def follow_story(store: Store) -> int:
    """The story chat follows the story's topic; the subscription's id."""
    return store.add_subscription(STORY_CHAT, rules.compile("Israel + Azerbaijan")).id
