"""Digests are decided per chat, whatever the number of chats, and list everything they settle.

Issue 15: a burst queued article by article to 50 chats came out as 1,500 single messages
(the sender's batch of rows held at most 10 per chat), and a 30-alert digest listed 21 and
said "… and N more" while marking all 30 sent. Here every chat's messages are read back from
the fake Bot API: every article's link exactly once, in messages Telegram accepts.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

import rules
from bot.article import Article
from bot.delivery import OutboxSender, Pacer
from bot.store import AsyncStore, Store
from tests.support.botapi import hrefs, utf16_len
from tests.support.outbox_env import bot_render, burst, drain, fast_sender

ARTICLES = 30


def settled_by_message(astore: AsyncStore) -> dict[tuple[int, int], set[str]]:
    """(chat, message id) → the URLs of the outbox rows that message settled."""
    rows = astore.sync.conn.execute(
        """SELECT chat_id, message_id, articles.url FROM outbox
           JOIN articles ON articles.id = article_id WHERE status = 'sent'"""
    )
    settled: dict[tuple[int, int], set[str]] = {}
    for chat, message_id, url in rows:
        settled.setdefault((chat, message_id), set()).add(url)
    return settled


@pytest.mark.parametrize("chats", [50, 300])
async def test_a_burst_to_many_chats_gives_each_chat_its_digest_listing_every_article(
    bot, botapi, astore, chats
) -> None:
    urls = burst(astore.sync, range(1, chats + 1), ARTICLES)

    await drain(fast_sender(bot, astore))

    settled = settled_by_message(astore)
    for chat in range(1, chats + 1):
        messages = botapi.messages(chat)
        assert botapi.links(chat) == Counter(urls), f"chat {chat}"
        assert [m.plain.splitlines()[0] for m in messages] == [
            "30 new alerts (1/2)",
            "30 new alerts (2/2)",
        ]
        for message in messages:
            assert utf16_len(message.text) <= 4096
            assert "… and" not in message.plain
            assert settled[(chat, message.message_id)] == set(hrefs(message.text))
    assert len(botapi.messages()) == 2 * chats
    stats = astore.sync.stats()
    assert (stats.outbox_pending, stats.digested_today) == (0, chats * ARTICLES)


async def test_whether_a_chat_gets_a_digest_does_not_depend_on_the_batch(
    bot, botapi, astore
) -> None:
    """A batch of 40 rows is smaller than one chat's backlog: the chat still gets its digest,
    and a chat with few alerts still gets them one by one."""
    urls = burst(astore.sync, range(1, 6), ARTICLES)
    few = burst_for_one_chat(astore.sync, chat=99, articles=3)

    await drain(fast_sender(bot, astore, batch_size=40))

    for chat in range(1, 6):
        assert botapi.links(chat) == Counter(urls)
        assert all(m.plain.startswith("30 new alerts") for m in botapi.messages(chat))
    singles = botapi.messages(99)
    assert len(singles) == 3
    assert botapi.links(99) == Counter(few)


async def test_a_burst_gives_every_chat_its_first_page_before_any_chat_its_second(
    bot, botapi, astore
) -> None:
    """Issue 28: the sender read whole chats a batch at a time and waited out each chat's
    one-message-a-second pages before reading the next, so the last of 50 chats waited
    minutes while Telegram would have taken 30 messages a second. Here each read holds one
    chat (``batch_size``), and a chat's pages are two seconds apart: every chat must still
    have its first page before any chat gets its second."""
    chats = range(1, 13)
    burst(astore.sync, chats, ARTICLES)
    paced = Pacer(per_second=1000, per_chat_interval=2.0, per_group_minute=100_000)
    sender = OutboxSender(bot, astore, pacer=paced, render=bot_render(astore), batch_size=30)

    await drain(sender)

    pages = [(m.chat_id, m.plain.splitlines()[0]) for m in botapi.messages()]
    firsts = [chat for chat, heading in pages if heading == "30 new alerts (1/2)"]
    assert sorted(firsts) == list(chats)
    assert pages[: len(chats)] == [(chat, "30 new alerts (1/2)") for chat in firsts]
    assert len(pages) == 2 * len(chats)


def burst_for_one_chat(store: Store, *, chat: int, articles: int) -> list[str]:
    feed = store.add_feed("https://other.example/rss", name="Other")
    sub = store.add_subscription(chat, rules.compile("Baku")).id
    items = [
        Article(
            id=f"o{n}",
            feed_url=feed.url,
            url=f"https://other.example/{n}",
            title=f"Baku item {n}",
            text="Baku",
            published=None,
            source="Other",
        )
        for n in range(articles)
    ]
    stored = store.add_articles(feed.id, items, seen_at=datetime.now(UTC))
    store.enqueue_alerts({(chat, article.rowid): [sub] for article in stored})
    return [item.url for item in items]


async def test_a_refused_page_fails_only_the_rows_it_lists(bot, botapi, astore) -> None:
    urls = burst(astore.sync, range(1, 2), ARTICLES)
    botapi.inject("sendMessage", status=400, description="Bad Request: injected")

    await drain(fast_sender(bot, astore))

    [second_page] = botapi.messages(1)
    shown = hrefs(second_page.text)
    assert second_page.plain.startswith("30 new alerts (2/2)")
    statuses = astore.sync.conn.execute(
        """SELECT articles.url, status FROM outbox JOIN articles ON articles.id = article_id"""
    ).fetchall()
    assert {url for url, status in statuses if status == "sent"} == set(shown)
    assert {url for url, status in statuses if status == "failed"} == set(urls) - set(shown)
