"""Files through the fake Bot API: an OPML document brings its feeds as the chat's own, /export
sends them back as OPML, and /export topics writes the file /import follows in another chat."""

from __future__ import annotations

import asyncio
import tomllib

from bot.feeds.opml import OpmlFeed, read_opml, write_opml
from bot.store import FeedOrigin
from tests.support.botapi import SentDocument, SentMessage
from tests.support.feeds_samples import html_page
from tests.support.local_hosts import validate_locally
from tests.support.pipeline_env import FeedServer, item
from tests.support.telegram_app import USER, Bot, StartBot

OTHER = 1002


async def send_file(
    bot: Bot, chat_id: int, name: str, content: bytes, caption: str | None = None
) -> list[SentMessage]:
    """Send a document as a user; the messages the chat gets back (one reply, maybe split)."""
    before = len(bot.api.messages(chat_id))
    bot.api.user_sends_document(chat_id, name, content, caption=caption)
    received = await asyncio.to_thread(bot.api.wait_for_messages, chat_id, before + 1)
    return received[before:]


async def export(bot: Bot, chat_id: int, command: str) -> SentDocument:
    before = len(bot.api.documents(chat_id))
    bot.api.user_sends(chat_id, command)
    sent = await asyncio.to_thread(bot.api.wait_for_documents, chat_id, before + 1)
    return sent[before]


async def test_an_opml_document_is_imported_within_the_quota_and_exported_back(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally, feeds_per_chat=3)
    urls = [
        server.publish(f"/{n}.xml", [item(f"i{n}", "Hello")], title=f"Feed {n}") for n in "abcd"
    ]
    server.httpserver.expect_request("/page").respond_with_data(
        html_page(), content_type="text/html"
    )
    page = server.httpserver.url_for("/page")
    shared = "https://shared.example.org/rss"
    await bot.store.add_feed(shared, name="Shared", origin=FeedOrigin.CHAT)
    await bot.send(USER, f"/addfeed {urls[0]}")
    listed = [
        OpmlFeed(urls[0], "Feed a"),  # the chat's already
        OpmlFeed(shared, "Shared"),  # every chat's already
        OpmlFeed(page, "Not a feed"),
        OpmlFeed(urls[1], "My B"),
        OpmlFeed(urls[2], "My C"),
        OpmlFeed(urls[3], "My D"),  # past the quota of 3
    ]

    [answer] = await send_file(bot, USER, "subscriptions.opml", write_opml(listed).encode())

    assert answer.plain.splitlines() == [
        "Added 2 feeds to this chat's own feeds.",
        "2 were there already.",
        "2 refused:",
        f"• {page}: not a feed (an HTML page with no RSS/Atom link); use the feed's URL",
        f"• {urls[3]}: this chat has the most feeds of its own it may have (3)",
    ]
    assert [f.name for f in await bot.store.chat_feeds(USER)] == ["Feed a", "My B", "My C"]

    document = await export(bot, USER, "/export")

    assert document.file_name == "feeds.opml"
    assert read_opml(document.content) == [
        OpmlFeed(urls[0], "Feed a"),
        OpmlFeed(urls[1], "My B"),
        OpmlFeed(urls[2], "My C"),
    ]
    assert document.caption == "This chat's own feeds, as OPML: any feed reader imports the file."


async def test_a_broken_or_oversized_file_is_refused_with_a_reason(start_bot: StartBot) -> None:
    bot = await start_bot(validate_feed=validate_locally)

    [broken] = await send_file(bot, USER, "list.opml", b"<opml><body><outline")
    [large] = await send_file(bot, USER, "list.opml", b" " * 1_000_001)
    [other] = await send_file(bot, USER, "photo.jpg", b"\xff\xd8")

    assert broken.plain == "This file is no OPML feed list I can read."
    assert large.plain == "This file is too large to import: the most is 1,000 KB."
    assert other.plain.startswith("Send me an OPML file (.opml)")
    assert await bot.store.chat_feeds(USER) == []


async def test_topics_exported_from_one_chat_are_imported_into_another(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await bot.send(USER, '/subscribe (Israel | Azerbaijan) -football "gas deal"')
    await bot.send(USER, "/subscribe Baku @daily 08:00")
    await bot.send(USER, "/subscribe Caspian")
    await bot.send(USER, "/pause 3")
    await bot.send(OTHER, "/subscribe Baku")

    document = await export(bot, USER, "/export topics")
    topics = tomllib.loads(document.content.decode())["topics"]
    [answer] = await send_file(bot, OTHER, document.file_name, document.content, "/import")

    assert document.file_name == "topics.toml"
    assert topics == [
        {"rule": '(Israel | Azerbaijan) + "gas deal" -football'},
        {"rule": "Baku", "frequency": "daily 08:00"},
        {"rule": "Caspian", "paused": True},
    ]
    assert answer.plain.splitlines() == ["Added 2 topics.", "1 was there already."]
    theirs = await bot.store.list_subscriptions(OTHER)
    assert [(s.rule, s.frequency, s.paused) for s in theirs] == [
        ("Baku", None, False),
        ('(Israel | Azerbaijan) + "gas deal" -football', None, False),
        ("Caspian", None, True),
    ]


async def test_import_answering_a_file_reads_it_and_refuses_what_is_not_a_rule(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    content = "\n".join(
        [
            "[[topics]]",
            'rule = "Baku +"',
            "[[topics]]",
            'rule = "Aktau"',
            'frequency = "weekly mon 09:00"',
        ]
    )
    message_id = bot.api.user_sends_document(OTHER, "topics.toml", content.encode())
    [hint] = await asyncio.to_thread(bot.api.wait_for_messages, OTHER, 1)
    before = 1

    bot.api.user_sends(OTHER, "/import", reply_to=message_id)
    [answer] = (await asyncio.to_thread(bot.api.wait_for_messages, OTHER, before + 1))[before:]
    usage = await bot.send(OTHER, "/import")

    lines = answer.plain.splitlines()
    assert "with /import as its caption" in hint.plain
    assert lines[:2] == ["Added 1 topic.", "1 refused:"]
    assert lines[2].startswith("• Baku +: ")
    [sub] = await bot.store.list_subscriptions(OTHER)
    assert (sub.rule, sub.frequency) == ("Aktau", "weekly Mon 09:00")
    assert usage.plain.startswith("Answer a file of /export topics with /import")
