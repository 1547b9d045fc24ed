"""/status shows whether the bot is alive, what waits in the outbox, how today's alerts reached
their chats and how fast the last hour's went."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from telegram import Bot as TelegramBot

import rules
from bot import installed_version
from bot.article import Article
from bot.store import PollOutcome, Store
from tests.support.outbox_env import burst, drain, fast_sender
from tests.support.telegram_app import OPERATOR, Bot, StartBot
from tests.telegram.status_answer import ALIVE, steady

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
    assert steady(answer)[0] == "Storage: ok"
    assert steady(answer)[6:] == [
        "Outbox: 1 waiting, 0 failed, story copies waiting for their first alert: 1",
        "Alerts sent today: 15",
        "• as a message of their own: 2",
        "• in digests: 11",
        '• named as "Also:" on their story\'s first alert: 1',
        "• story copies their first alert could not name, on their own: 1",
        "Alerts sent in the last hour: 15",
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

    assert answer.plain.splitlines()[0] == "Vəziyyət"
    assert steady(answer) == [
        "Yaddaş: qaydasındadır",
        "Lentlər: 2 (1 xətalı)",
        "Çatların öz lentləri: 0 (0 xətalı)",
        "Çatlar: 1",
        "Mövzular: 1 (0 dayandırılıb)",
        "Saxlanılan məqalələr: 0",
        "Növbə: 0 gözləyir, 0 uğursuz",
        "Bu gün göndərilən bildirişlər: 0",
        "Son bir saatda göndərilən bildirişlər: 0",
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

    assert steady(answer)[6:] == [
        "Növbə: 1 gözləyir, 0 uğursuz, ilk bildirişini gözləyən xəbər nüsxələri: 1",
        "Bu gün göndərilən bildirişlər: 15",
        "• ayrıca mesaj kimi: 2",
        "• xülasələrdə: 11",
        "• xəbərinin ilk bildirişində adı çəkilib: 1",
        "• ilk bildirişdə adı çəkilə bilməyən xəbər nüsxələri, ayrıca: 1",
        "Son bir saatda göndərilən bildirişlər: 15",
    ]


async def queue_and_send(bot: Bot, chat: int, count: int) -> list[int]:
    """``count`` alerts for ``chat``, sent through the fake Bot API; their outbox ids."""
    burst(bot.store.sync, [chat], count, tag=f"c{chat}-")
    async with TelegramBot(bot.api.token, base_url=bot.api.base_url) as telegram:
        await drain(fast_sender(telegram, bot.store))
    return [
        i
        for (i,) in bot.store.sync.conn.execute("SELECT id FROM outbox WHERE chat_id = ?", (chat,))
    ]


def took(store: Store, outbox_id: int, *, queued: int, published: int) -> None:
    """The alert was queued ``queued`` seconds, and its article published ``published``
    seconds, before it was sent."""
    (sent_at, article_id) = store.conn.execute(
        "SELECT sent_at, article_id FROM outbox WHERE id = ?", (outbox_id,)
    ).fetchone()
    sent = datetime.fromisoformat(sent_at)
    store.conn.execute(
        "UPDATE outbox SET created_at = ? WHERE id = ?",
        ((sent - timedelta(seconds=queued)).isoformat(), outbox_id),
    )
    store.conn.execute(
        "UPDATE articles SET published_at = ? WHERE id = ?",
        ((sent - timedelta(seconds=published)).isoformat(), article_id),
    )


async def test_status_tells_whether_the_bot_is_alive_and_how_fast_alerts_went(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    store = bot.store.sync
    for n, outbox_id in enumerate(await queue_and_send(bot, NAMED_CHAT, 3), start=1):
        took(store, outbox_id, queued=10 * n, published=60 * n)
    burst(store, [WAITING_CHAT], 1, tag="late")  # due, never sent: Telegram was down
    twenty_minutes_ago = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    store.conn.execute(
        "UPDATE outbox SET created_at = ? WHERE status = 'pending'", (twenty_minutes_ago,)
    )
    feed = store.add_feed("https://w.example/rss", name="World Desk")
    polled = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    store.record_polls([(feed.id, PollOutcome("ok", polled, polled + timedelta(minutes=10)))])
    store.upsert_chat(OPERATOR)
    store.set_chat_timezone(OPERATOR, "Asia/Baku")

    english = (await bot.send(OPERATOR, "/status")).plain.splitlines()
    bot.api.set_user_language(OPERATOR, "ru")
    russian = (await bot.send(OPERATOR, "/status")).plain.splitlines()

    assert re.fullmatch(
        rf"Version {re.escape(installed_version())}, running for \d+ seconds?", english[1]
    )
    assert english[2] == "Last poll: 6 Dec 2026, 12:00 +04"  # in the operator's zone
    assert re.fullmatch(r"Telegram last answered \d+ seconds? ago", english[3])
    assert english[ALIVE:] == [
        "Storage: ok",
        "Feeds: 2 (0 failing)",
        "Chats' own feeds: 0 (0 failing)",
        "Chats: 3",
        "Topics: 2 (0 paused)",
        "Articles stored: 4",
        "Outbox: 1 waiting, 0 failed, the oldest due for 20 minutes",
        "Alerts sent today: 3",
        "• as a message of their own: 3",
        "Alerts sent in the last hour: 3",
        "• queued → sent: p50 20 secs, p95 30 secs",
        "• published → sent: p50 2 mins, p95 3 mins",
    ]
    assert russian[2] == "Последний опрос: 6 дек. 2026\u202fг., 12:00 +04"
    assert russian[3].startswith("С последнего ответа Telegram прошло: ")
    assert russian[ALIVE + 6 :] == [
        "Очередь: 1 в ожидании, не доставлено: 0, самое старое ждёт 20 минут",
        "Оповещений отправлено сегодня: 3",
        "• отдельным сообщением: 3",
        "Оповещений отправлено за последний час: 3",
        "• в очереди → отправлено: p50 20 с, p95 30 с",
        "• опубликовано → отправлено: p50 2 мин, p95 3 мин",
    ]
