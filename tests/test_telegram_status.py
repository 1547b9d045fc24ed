"""/status shows what waits in the outbox and how today's alerts reached their chats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outbox_env import burst, drain, fast_sender
from telegram import Bot as TelegramBot
from test_telegram_harness import OPERATOR, Bot, StartBot, start_bot_fixture  # noqa: F401

import rules
from bot.article import Article
from bot.store import PollOutcome, Store

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


async def send_every_way(bot: Bot) -> None:
    """A digest, a story named on its first alert, one whose copy went alone, and one whose
    copy still waits: every way /status counts."""
    store = bot.store.sync
    burst(store, [DIGEST_CHAT], 11)
    for chat in (NAMED_CHAT, ALONE_CHAT, WAITING_CHAT):
        story(store, chat)
    bot.api.inject("editMessageText", chat_id=ALONE_CHAT, description="Bad Request: no")
    bot.api.inject("sendMessage", status=502, chat_id=WAITING_CHAT)
    async with TelegramBot(bot.api.token, base_url=bot.api.base_url) as telegram:
        await drain(fast_sender(telegram, bot.store))


async def test_status_tells_how_alerts_and_story_copies_were_shown(start_bot: StartBot) -> None:
    bot = await start_bot()
    await send_every_way(bot)

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


async def test_an_operator_with_an_azerbaijani_telegram_app_reads_status_in_azerbaijani(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    store = bot.store.sync
    store.add_feed("https://a.example/rss", name="Report.az")
    broken = store.add_feed("https://b.example/rss", name="Caspian <News>")
    now = datetime.now(UTC)
    failed = PollOutcome("error", now, now + timedelta(minutes=10), error="HTTP 503 <busy>")
    for _poll in range(2):
        store.record_polls([(broken.id, failed)])
    store.add_subscription(WAITING_CHAT, rules.compile("Herzog"))
    bot.api.set_user_language(OPERATOR, "az")

    answer = await bot.send(OPERATOR, "/status")

    assert answer.plain.splitlines() == [
        "Vəziyyət",
        "Lentlər: 2 (1 xətalı)",
        "Çatlar: 1",
        "Mövzular: 1 (0 dayandırılıb)",
        "Saxlanılan məqalələr: 0",
        "Növbə: 0 gözləyir, 0 uğursuz",
        "Bu gün göndərilən bildirişlər: 0",
        "Yaddaş: qaydasındadır",
        "Xətalı lentlər",
        "• Caspian <News> — xəta: HTTP 503 <busy> (ardıcıl 2 dəfə)",
    ]


async def test_status_counts_the_ways_alerts_were_shown_in_the_operators_language(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await send_every_way(bot)
    bot.api.set_user_language(OPERATOR, "az")

    answer = await bot.send(OPERATOR, "/status")

    assert answer.plain.splitlines()[5:] == [
        "Növbə: 1 gözləyir, 0 uğursuz, ilk bildirişini gözləyən xəbər nüsxələri: 1",
        "Bu gün göndərilən bildirişlər: 15",
        "• ayrıca mesaj kimi: 2",
        "• xülasələrdə: 11",
        "• xəbərinin ilk bildirişində adı çəkilib: 1",
        "• ilk bildirişdə adı çəkilə bilməyən xəbər nüsxələri, ayrıca: 1",
        "Yaddaş: qaydasındadır",
    ]
