"""/status shows what waits in the outbox and how today's alerts reached their chats."""

from __future__ import annotations

from datetime import UTC, datetime

from outbox_env import burst, drain, fast_sender
from telegram import Bot as TelegramBot
from test_telegram_harness import OPERATOR, StartBot, start_bot_fixture  # noqa: F401

import rules
from bot.article import Article
from bot.store import Store

DIGEST_CHAT, NAMED_CHAT, ALONE_CHAT, WAITING_CHAT = 7, 8, 9, 10


def story(store: Store, chat: int) -> None:
    """A first alert and one copy from another source, queued together."""
    sub = store.add_subscription(chat, rules.compile("Herzog")).id
    rowids = []
    for source in ("World Desk", "Regional News"):
        feed = store.add_feed(f"https://{source[0]}.example/rss", name=source)
        article = Article(
            id=f"{chat}-{source}",
            feed_url=feed.url,
            url=f"https://{source[0]}.example/{chat}",
            title="Herzog to visit Azerbaijan",
            text="Herzog",
            published=None,
            source=source,
        )
        [stored] = store.add_articles(feed.id, [article], seen_at=datetime.now(UTC))
        rowids.append(stored.rowid)
    first, copy = rowids
    store.enqueue_alerts({(chat, r): [sub] for r in rowids}, stories={copy: first})


async def test_status_tells_how_alerts_and_story_copies_were_shown(start_bot: StartBot) -> None:
    bot = await start_bot()
    store = bot.store.sync
    burst(store, [DIGEST_CHAT], 11)
    for chat in (NAMED_CHAT, ALONE_CHAT, WAITING_CHAT):
        story(store, chat)
    bot.api.inject("editMessageText", chat_id=ALONE_CHAT, description="Bad Request: no")
    bot.api.inject("sendMessage", status=502, chat_id=WAITING_CHAT)
    async with TelegramBot(bot.api.token, base_url=bot.api.base_url) as telegram:
        await drain(fast_sender(telegram, bot.store))

    answer = await bot.send(OPERATOR, "/status")

    assert [len(bot.api.messages(c)) for c in (DIGEST_CHAT, NAMED_CHAT, ALONE_CHAT)] == [1, 1, 2]
    assert "Also: Regional News" in bot.api.messages(NAMED_CHAT)[0].plain
    assert answer.plain.splitlines()[5:] == [
        "Outbox: 1 waiting, 0 failed, story copies waiting for their first alert: 1",
        "Alerts sent today: 15",
        "• as a message of their own: 2",
        "• in digests: 11",
        '• named as "Also:" on their story\'s first alert: 1',
        "• story copies their first alert could not name, on their own: 1",
        "Storage: ok",
    ]


async def test_status_tells_which_waiting_alerts_wait_for_a_digest(start_bot: StartBot) -> None:
    """An alert of a daily topic waits for its digest: /status says so rather than counting
    it among the alerts that could not go out yet; the chat has received nothing."""
    bot = await start_bot()
    store = bot.store.sync
    daily = store.add_subscription(WAITING_CHAT, rules.compile("Herzog"), frequency="daily 08:00")
    feed = store.add_feed("https://w.example/rss", name="World Desk")
    article = Article(
        id="digest-1",
        feed_url=feed.url,
        url="https://w.example/digest-1",
        title="Herzog to visit Azerbaijan",
        text="President Herzog will travel to Baku.",
        published=None,
        source="World Desk",
    )
    [stored] = store.add_articles(feed.id, [article], seen_at=datetime.now(UTC))
    store.enqueue_alerts({(WAITING_CHAT, stored.rowid): [daily.id]})
    async with TelegramBot(bot.api.token, base_url=bot.api.base_url) as telegram:
        await drain(fast_sender(telegram, bot.store))

    answer = await bot.send(OPERATOR, "/status")

    assert bot.api.messages(WAITING_CHAT) == []
    assert "Outbox: 1 waiting (1 of them for a digest not due yet), 0 failed" in answer.plain
