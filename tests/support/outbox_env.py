"""What the delivery tests share: a burst of alerts, a sender on a pacer that never waits,
and draining it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial

from telegram import Bot

import rules
from bot.article import Article
from bot.delivery import DeliveryReport, OutboxSender, Pacer, render_outbox_row
from bot.delivery.render import Render
from bot.matching import SubscriptionMatcher
from bot.store import AsyncStore, Store

RULE = "Israel + Azerbaijan"
TEXT = "Israeli President Isaac Herzog landed in Baku. Israel and Azerbaijan signed deals."


def burst(store: Store, chats: Iterable[int], articles: int, *, tag: str = "a") -> list[str]:
    """One feed publishes ``articles`` items that every chat's topic matches; the outbox is
    filled article by article, every chat's row for an article before the next article (as a
    poll leaves it). Long titles with markup characters and an emoji make a 30-line digest
    need two messages. ``tag`` keeps the articles of several bursts apart. Returns the URLs."""
    chats = list(chats)
    feed = store.add_feed("https://caspian.example/rss", name="Caspian <Daily> & Co")
    subs = {chat: _subscription(store, chat) for chat in chats}
    items = [
        Article(
            id=f"{tag}{n}",
            feed_url=feed.url,
            url=f"https://caspian.example/{tag}/{n}?from=rss&lang=en",
            title=f"Story {n}: Israel & Azerbaijan <sign> a deal 🤝 on water, trade and flights "
            "between Baku and Tel Aviv, and further talks planned for next year",
            text=TEXT,
            published=datetime(2023, 5, 28, 15, 5, tzinfo=UTC),
            source="Caspian Daily",
        )
        for n in range(articles)
    ]
    stored = store.add_articles(feed.id, items, seen_at=datetime.now(UTC))
    for article in stored:
        store.enqueue_alerts({(chat, article.rowid): [subs[chat]] for chat in chats})
    return [item.url for item in items]


def _subscription(store: Store, chat: int) -> int:
    for sub in store.list_subscriptions(chat):
        if sub.rule == RULE:
            return sub.id
    return store.add_subscription(chat, rules.compile(RULE)).id


def bot_render(astore: AsyncStore) -> Render:
    """The bot's renderer, explaining matches with the rules a matcher compiled."""
    return partial(render_outbox_row, explain=SubscriptionMatcher(astore).explain)


def fast_sender(bot: Bot, astore: AsyncStore, **options) -> OutboxSender:
    """The real sender and renderer; only the pacing is lifted (the fake enforces no limits)."""
    fast = Pacer(per_second=1000, per_chat_interval=0, per_group_minute=100_000)
    options.setdefault("render", bot_render(astore))
    return OutboxSender(bot, astore, pacer=fast, **options)


async def drain(sender: OutboxSender, *, cycles: int = 100) -> list[DeliveryReport]:
    """Run cycles until one has nothing to do (as ``run_forever`` would, without idling)."""
    reports = []
    for _ in range(cycles):
        reports.append(await sender.deliver_pending())
        if not reports[-1].touched:
            return reports
    raise AssertionError(f"the outbox was still busy after {cycles} cycles: {reports[-1]}")
