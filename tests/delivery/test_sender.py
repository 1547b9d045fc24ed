"""The outbox sender against the fake Bot API over real HTTP and a real SQLite store.

Each test checks what the chat received and what the outbox says afterwards (what /status
shows), for one of Telegram's answers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import rules
from bot.article import Article
from bot.delivery import OutboxSender, Pacer, format_alert
from bot.store import AsyncStore, OutboxRow
from bot.summary import Summary
from tests.support.botapi import utf16_len
from tests.support.outbox_env import fast_sender

CHAT = 1001
OTHER = 1002
SENDER_LOGGER = "bot.delivery.sender"
TEXT = "Israeli President Isaac Herzog landed in Baku. Israel and Azerbaijan signed deals."


def enqueue(
    astore: AsyncStore,
    chat_id: int,
    titles: list[str],
    *,
    rule: str = "Israel + Azerbaijan",
    thread_id: int | None = None,
) -> None:
    """Alerts as the pipeline leaves them: article stored, outbox row pending."""
    store = astore.sync
    store.upsert_chat(chat_id, type="private" if chat_id > 0 else "group")
    subs = [s for s in store.list_subscriptions(chat_id) if s.rule == rule]
    sub = subs[0] if subs else store.add_subscription(chat_id, rules.compile(rule))
    feed = store.add_feed("https://www.jpost.com/rss", name="The Jerusalem Post")
    articles = [
        Article(
            id=f"{chat_id}-{title}",
            feed_url=feed.url,
            url=f"https://www.jpost.com/a/{abs(hash((chat_id, title)))}",
            title=title,
            text=TEXT,
            published=datetime(2023, 5, 28, 15, 5, tzinfo=UTC),
            source="The Jerusalem Post",
        )
        for title in titles
    ]
    stored = store.add_articles(feed.id, articles, seen_at=datetime.now(UTC))
    store.enqueue_alerts(
        {(chat_id, a.rowid): [sub.id] for a in stored}, thread_ids={sub.id: thread_id}
    )


def outbox(astore: AsyncStore) -> list[tuple[str, str | None, int | None]]:
    """(status, last_error, message_id) per row, oldest first: what /status reads."""
    return astore.sync.conn.execute(
        "SELECT status, last_error, message_id FROM outbox ORDER BY id"
    ).fetchall()


sender = fast_sender


async def test_alert_arrives_formatted_and_is_marked_sent(bot, botapi, astore) -> None:
    enqueue(astore, CHAT, ["Herzog visits Azerbaijan"])

    report = await sender(bot, astore).deliver_pending()

    [message] = botapi.messages(CHAT)
    assert message.text.startswith('<b><a href="https://www.jpost.com/a/')
    assert "Herzog visits <b>Azerbaijan</b>" not in message.text  # title is not re-styled
    assert "<b>Israel</b> and <b>Azerbaijan</b>" in message.text
    assert message.plain.splitlines()[:2] == [
        "Herzog visits Azerbaijan",
        "The Jerusalem Post · 28 May 2023, 15:05 UTC",
    ]
    assert "Topic: Israel + Azerbaijan" in message.plain
    assert [data for _, data in message.buttons[0]] == ["mute:1", "unsub:1"]
    assert outbox(astore) == [("sent", None, message.message_id)]
    assert (report.sent, report.failed) == (1, 0)
    assert await sender(bot, astore).deliver_pending() == type(report)()  # never twice


async def test_hostile_title_shows_literally(bot, botapi, astore) -> None:
    hostile = "<script>alert(1)</script> & Co <b>"
    enqueue(astore, CHAT, [hostile])

    await sender(bot, astore).deliver_pending()

    [message] = botapi.messages(CHAT)
    assert message.plain.splitlines()[0] == hostile


async def test_flood_wait_is_honoured_and_the_alert_arrives_once(bot, botapi, astore) -> None:
    enqueue(astore, CHAT, ["Herzog visits Azerbaijan"])
    botapi.inject("sendMessage", retry_after=1, chat_id=CHAT)

    report = await sender(bot, astore).deliver_pending()

    assert len(botapi.messages(CHAT)) == 1
    assert len(botapi.calls("sendMessage")) == 2
    assert (report.sent, report.retried) == (1, 1)
    assert outbox(astore)[0][0] == "sent"


async def test_second_flood_wait_leaves_the_alert_for_the_next_cycle(bot, botapi, astore):
    enqueue(astore, CHAT, ["Herzog visits Azerbaijan"])
    botapi.inject("sendMessage", retry_after=1, chat_id=CHAT, times=2)
    delivery = sender(bot, astore)

    first = await delivery.deliver_pending()
    pending_after_first = outbox(astore)
    second = await delivery.deliver_pending()

    assert (first.sent, first.retried) == (0, 2)
    assert pending_after_first == [("pending", None, None)]
    assert second.sent == 1
    assert len(botapi.messages(CHAT)) == 1


async def test_blocked_chat_is_paused_and_others_still_get_theirs(bot, botapi, astore):
    enqueue(astore, CHAT, ["First", "Second"])
    enqueue(astore, OTHER, ["For the other chat"])
    botapi.inject("sendMessage", status=403, chat_id=CHAT)

    report = await sender(bot, astore).deliver_pending()

    assert botapi.messages(CHAT) == []
    assert len(botapi.messages(OTHER)) == 1
    assert outbox(astore)[0] == ("failed", "blocked by the user", None)
    assert outbox(astore)[1][0] == "pending"  # kept for when the user comes back
    assert not astore.sync.get_chat(CHAT).active
    assert all(s.paused for s in astore.sync.list_subscriptions(CHAT))
    assert (report.sent, report.failed) == (1, 1)


async def test_rejected_message_fails_alone_and_the_next_is_delivered(bot, botapi, astore):
    enqueue(astore, CHAT, ["Rejected", "Delivered"])
    botapi.inject("sendMessage", status=400, description="Bad Request: chat not found")

    await sender(bot, astore).deliver_pending()

    [message] = botapi.messages(CHAT)
    assert message.plain.startswith("Delivered")
    assert [row[:2] for row in outbox(astore)] == [
        ("failed", "Chat not found"),
        ("sent", None),
    ]


async def test_migrated_group_gets_the_alert_at_its_new_id(bot, botapi, astore) -> None:
    enqueue(astore, -5, ["Herzog visits Azerbaijan"])
    botapi.inject("sendMessage", migrate_to_chat_id=-1_000_000_000_005, chat_id=-5)

    await sender(bot, astore).deliver_pending()

    assert len(botapi.messages(-1_000_000_000_005)) == 1
    assert astore.sync.get_chat(-5) is None
    assert [s.chat_id for s in astore.sync.list_subscriptions(-1_000_000_000_005)] == [
        -1_000_000_000_005
    ]
    assert outbox(astore)[0][0] == "sent"


async def test_network_error_keeps_the_alert_for_a_later_try(bot, botapi, astore) -> None:
    enqueue(astore, CHAT, ["Server trouble"])
    botapi.inject("sendMessage", status=502, description="Bad Gateway")

    report = await sender(bot, astore).deliver_pending()

    assert report.retried == 1
    assert outbox(astore) == [("pending", "Bad Gateway", None)]
    assert await sender(bot, astore).deliver_pending() == type(report)()  # backing off
    assert botapi.messages() == []


async def test_network_errors_are_one_line_until_sends_get_through_again(
    bot, botapi, astore, caplog
) -> None:
    caplog.set_level(logging.INFO)
    enqueue(astore, CHAT, ["Server trouble"])
    enqueue(astore, OTHER, ["Server trouble"])
    botapi.inject("sendMessage", status=502, description="Bad Gateway", times=2)
    delivery = sender(bot, astore)

    failed = await delivery.deliver_pending()
    enqueue(astore, CHAT, ["Herzog visits Azerbaijan"])
    back = await delivery.deliver_pending()

    assert (failed.retried, back.sent) == (2, 1)
    told = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == SENDER_LOGGER]
    assert len(told) == 2, told
    assert told[0][0] == "WARNING" and told[0][1].endswith(
        "not sent: Bad Gateway; alerts stay pending and are retried with backoff until sends "
        "get through again"
    )
    assert told[1] == ("INFO", "sends get through again")


async def test_network_errors_give_up_after_max_attempts(bot, botapi, astore) -> None:
    enqueue(astore, CHAT, ["Server trouble"])
    botapi.inject("sendMessage", status=502, description="Bad Gateway")

    report = await sender(bot, astore, max_attempts=1).deliver_pending()

    assert report.failed == 1
    assert outbox(astore) == [("failed", "gave up after 1 attempt: Bad Gateway", None)]
    assert astore.sync.stats().outbox_failed == 1


async def test_longest_summary_still_fits_one_message(bot, botapi, astore) -> None:
    enqueue(astore, CHAT, ["Herzog visits Azerbaijan"])
    endless = Summary(" ".join(["Israel & Azerbaijan <signed> deals 😀"] * 400), ((0, 6),))

    async def render(row: OutboxRow):
        return format_alert(
            row.article.article, endless, topics=["x"], matched="", tz=ZoneInfo("UTC")
        )

    await OutboxSender(bot, astore, pacer=Pacer(), render=render).deliver_pending()

    [message] = botapi.messages(CHAT)
    assert message.plain.splitlines()[3].endswith("…")
    assert utf16_len(message.plain) <= 4096


async def test_pile_up_becomes_one_digest(bot, botapi, astore) -> None:
    enqueue(astore, CHAT, [f"Story {i}" for i in range(12)])
    enqueue(astore, OTHER, ["Just one"])

    report = await sender(bot, astore).deliver_pending()

    [digest] = botapi.messages(CHAT)
    lines = digest.plain.splitlines()
    assert lines[0] == "12 new alerts"
    assert lines[1].startswith("• Story 0 — Israel + Azerbaijan")
    assert digest.text.count("<a href=") == 12
    assert {row for row in outbox(astore)[:12]} == {("sent", None, digest.message_id)}
    assert len(botapi.messages(OTHER)) == 1
    assert (report.sent, report.digests) == (13, 1)


async def test_forum_topic_alerts_go_to_their_thread(bot, botapi, astore) -> None:
    enqueue(astore, -100, ["Herzog visits Azerbaijan"], thread_id=77)

    await sender(bot, astore).deliver_pending()

    [message] = botapi.messages(-100)
    assert message.thread_id == 77


async def test_run_forever_delivers_until_stopped(bot, botapi, astore) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(sender(bot, astore).run_forever(stop, grace=10))
    enqueue(astore, CHAT, ["Herzog visits Azerbaijan"])

    await asyncio.to_thread(botapi.wait_for_messages, CHAT, 1)
    stop.set()
    await asyncio.wait_for(task, 10)

    assert outbox(astore)[0][0] == "sent"
