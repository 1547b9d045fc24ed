"""One alert per story: a later copy from another source edits the first alert instead."""

from __future__ import annotations

from datetime import UTC, datetime

from botapi import FakeBotAPI
from telegram import Bot

import rules
from bot.article import Article
from bot.delivery import OutboxSender, Pacer, render_outbox_row
from bot.store import AsyncStore, Store

CHAT = 2001
TEXT = "Israeli President Isaac Herzog will travel to Azerbaijan to strengthen ties with Israel."


def store_copy(store: Store, source: str, url: str) -> int:
    feed = store.add_feed(f"https://{source.lower().replace(' ', '-')}.example/rss", name=source)
    article = Article(
        id=url,
        feed_url=feed.url,
        url=url,
        title="Herzog to visit Azerbaijan",
        text=TEXT,
        published=datetime(2023, 5, 28, 15, 5, tzinfo=UTC),
        source=source,
    )
    [stored] = store.add_articles(feed.id, [article], seen_at=datetime.now(UTC))
    return stored.rowid


async def test_a_second_source_is_added_to_the_first_alert(
    botapi: FakeBotAPI, astore: AsyncStore
) -> None:
    store = astore.sync
    sub = store.add_subscription(CHAT, rules.compile("Israel + Azerbaijan"))
    first = store_copy(store, "World Desk", "https://world.example/herzog")
    assert store.enqueue_alerts({(CHAT, first): [sub.id]}) == 1
    async with Bot(botapi.token, base_url=botapi.base_url) as bot:
        sender = OutboxSender(
            bot, astore, pacer=Pacer(per_chat_interval=0), render=render_outbox_row
        )
        await sender.deliver_pending()
        [alert] = botapi.messages(CHAT)
        assert "Also:" not in alert.plain

        for source in ("Regional News", "Wire Service"):
            copy = store_copy(store, source, f"https://{source[0]}.example/herzog")
            queued = store.enqueue_alerts({(CHAT, copy): [sub.id]}, stories={copy: first})
            assert queued == 0, "a copy of a story already alerted queues no new message"
        report = await sender.deliver_pending()

    [alert] = botapi.messages(CHAT)
    assert alert.plain.count("Herzog to visit Azerbaijan") == 1
    assert "Also: Regional News, Wire Service" in alert.plain
    assert report.merged == 2
    statuses = store.conn.execute("SELECT status FROM outbox ORDER BY id").fetchall()
    assert statuses == [("sent",), ("sent",), ("sent",)]


async def test_a_copy_alerts_normally_where_the_first_did_not(astore: AsyncStore) -> None:
    """A chat that never saw the first copy (its rule did not match it) gets this one."""
    store = astore.sync
    sub = store.add_subscription(CHAT, rules.compile("Herzog"))
    first = store_copy(store, "World Desk", "https://world.example/herzog")
    copy = store_copy(store, "Regional News", "https://regional.example/herzog")
    assert store.enqueue_alerts({(CHAT, copy): [sub.id]}, stories={copy: first}) == 1
    [pending] = store.pending_alerts()
    assert pending.article.article.source == "Regional News"
