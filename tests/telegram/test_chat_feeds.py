"""Feeds that chats bring with /addfeed: theirs alone to read, within quotas, approved by an
operator when the bot says so; the operators' own /addfeed still adds shared feeds."""

from __future__ import annotations

import asyncio

from pytest_httpserver import HTTPServer

from bot.store import FeedOrigin
from tests.support.feeds_samples import rss
from tests.support.local_hosts import validate_as_deployed, validate_locally
from tests.support.pipeline_env import FeedServer, item
from tests.support.telegram_app import OPERATOR, USER, Bot, StartBot, poll_and_deliver

OTHER = 1002
"""A second private chat, following the same topic as USER."""
GROUP = -4005
ADMIN, MEMBER = 701, 702


async def start_with_topics(start_bot: StartBot, **options: object) -> Bot:
    bot = await start_bot(validate_feed=validate_locally, **options)
    for chat in (USER, OTHER):
        await bot.send(chat, "/subscribe Baku")
    return bot


def received(bot: Bot, chat_id: int, words: str) -> list[str]:
    """The messages the chat received that contain ``words``."""
    return [m.plain for m in bot.api.messages(chat_id) if words in m.plain]


async def test_a_chats_feed_reaches_that_chat_and_no_other(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_with_topics(start_bot)
    own = server.publish("/own.xml", [item("o1", "Old Baku harbour story")], title="Own Baku")
    shared = server.publish("/shared.xml", [item("s1", "Old Baku shared story")])
    await bot.store.add_feed(shared, name="Shared Baku", origin=FeedOrigin.CHAT)

    added = await bot.send(USER, f"/addfeed {own}")
    for url in (own, shared):  # the first poll stores the backlog, alerting nothing
        await poll_and_deliver(bot, url)
    scoop = "A ferry line from Baku to Aktau opens in spring, the port says."
    server.publish("/own.xml", [item("o2", "Baku private scoop", text=scoop)], title="Own Baku")
    server.publish("/shared.xml", [item("s2", "Baku shared news", text="Baku hosts a fair.")])
    for url in (own, shared):
        await poll_and_deliver(bot, url)

    assert added.plain == (
        "Added Own Baku to this chat's own feeds: its articles are matched against this chat's "
        "topics only. /feeds lists them."
    )
    assert len(received(bot, USER, "Baku private scoop")) == 1
    assert received(bot, OTHER, "Baku private scoop") == []
    assert len(received(bot, OTHER, "Baku shared news")) == 1  # shared feeds reach everyone
    assert len(received(bot, USER, "Baku shared news")) == 1

    for command in ("/search Baku", "/preview Baku"):
        theirs = await bot.send(OTHER, command)
        mine = await bot.send(USER, command)
        assert "Baku shared news" in theirs.plain
        assert "scoop" not in theirs.plain and "harbour" not in theirs.plain
        assert "Baku private scoop" in mine.plain
    assert "Own Baku" not in (await bot.send(OTHER, "/feeds")).plain
    evidence = await bot.send(OTHER, "/subscribe harbour")
    assert "It would have matched 0 stored articles in the last 7 days." in evidence.plain
    answers = []
    for person in (OTHER, USER):
        bot.api.user_inline_query(person, "scoop")
        calls = await asyncio.to_thread(bot._wait_for_calls, "answerInlineQuery", len(answers) + 1)
        answers.append([result["title"] for result in calls[-1]["results"]])
    assert answers == [[], ["Baku private scoop"]]


async def test_source_names_a_chats_feed_in_a_rule(start_bot: StartBot, server: FeedServer) -> None:
    bot = await start_bot(validate_feed=validate_locally)
    url = server.publish("/caspian.xml", [item("c1", "Old news")], title="Caspian Wire")
    await bot.send(USER, f"/addfeed {url}")
    await bot.send(USER, "/subscribe source:caspian")
    await poll_and_deliver(bot, url)
    server.publish("/caspian.xml", [item("c2", "Ferry timetable")], title="Caspian Wire")

    await poll_and_deliver(bot, url)

    assert len(received(bot, USER, "Ferry timetable")) == 1


async def test_feeds_lists_the_chats_own_beside_the_shared_and_removefeed_takes_only_its_own(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally)
    await bot.store.add_feed("https://shared.example.org/rss", name="Shared")
    url = server.publish("/mine.xml", [item("m1", "Hello")], title="Mine")
    await bot.send(USER, f"/addfeed {url}")
    await bot.send(OTHER, f"/addfeed {url}")

    listed = await bot.send(USER, "/feeds")
    shared = await bot.send(USER, "/removefeed 2")
    removed = await bot.send(USER, "/removefeed 1")

    assert listed.plain.splitlines() == [
        "This chat's feeds (1 of 20)",
        "1. Mine",
        "Sources (1)",
        "2. Shared",
    ]
    assert shared.plain == "Give a number from /feeds, 1 to 1."
    assert removed.plain == "Removed Mine from this chat's feeds."
    feed = await bot.store.feed_by_url(url)
    assert feed is not None and feed.enabled  # OTHER still reads it: one row, polled once
    assert [f.url for f in await bot.store.chat_feeds(OTHER)] == [url]

    await bot.send(OTHER, "/removefeed 1")
    feed = await bot.store.feed_by_url(url)
    assert feed is not None and not feed.enabled  # nobody reads it: no longer polled


async def test_a_feed_already_shared_is_already_watched_and_an_operator_shares_a_chats_feed(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally)
    shared = server.publish("/shared.xml", [item("s1", "Hello")], title="Shared")
    mine = server.publish("/mine.xml", [item("m1", "Hello")], title="Mine")
    await bot.send(OPERATOR, f"/addfeed {shared}")
    await bot.send(USER, f"/addfeed {mine}")

    again = await bot.send(USER, f"/addfeed {shared}")
    twice = await bot.send(USER, f"/addfeed {mine}")
    operator = await bot.send(OPERATOR, f"/addfeed {mine}")

    assert again.plain == "Shared is already watched. /feeds lists all sources."
    assert twice.plain == "Mine is already one of this chat's feeds. /feeds lists them."
    assert operator.plain == "Added Mine. /feeds lists all sources."
    assert [f.name for f in await bot.store.shared_feeds()] == ["Shared", "Mine"]
    assert await bot.store.chat_feeds(USER) == []


async def test_an_operator_adds_a_feed_of_their_own_chat_with_private(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally)
    url = server.publish("/op.xml", [item("p1", "Hello")], title="Operator's own")

    answer = await bot.send(OPERATOR, f"/addfeed private {url}")

    assert answer.plain.startswith("Added Operator's own to this chat's own feeds")
    assert [f.url for f in await bot.store.chat_feeds(OPERATOR)] == [url]
    assert await bot.store.shared_feeds() == []


async def test_the_quota_of_feeds_per_chat_is_named_when_reached(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally, feeds_per_chat=1)
    first = server.publish("/1.xml", [item("a", "Hello")], title="One")
    second = server.publish("/2.xml", [item("b", "Hello")], title="Two")
    await bot.send(USER, f"/addfeed {first}")
    requests = len(server.requests)

    refused = await bot.send(USER, f"/addfeed {second}")

    assert refused.plain == (
        "This chat has 1 feed of its own, the most one chat may have on this bot. "
        "/removefeed removes one."
    )
    assert len(server.requests) == requests  # refused before fetching anything
    assert [f.name for f in await bot.store.chat_feeds(USER)] == ["One"]


async def test_a_chats_feed_is_polled_no_more_often_than_chat_feed_interval(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally)
    url = server.publish("/slow.xml", [item("a", "Hello")])

    await bot.send(USER, f"/addfeed {url}")

    feed = await bot.store.feed_by_url(url)
    assert feed is not None and feed.interval == 900  # [access] chat_feed_interval's default


async def test_in_a_group_only_its_administrators_bring_feeds(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally)
    bot.api.set_admins(GROUP, [ADMIN])
    url = server.publish("/g.xml", [item("a", "Hello")], title="Group feed")

    member = await bot.send(GROUP, f"/addfeed {url}", user_id=MEMBER, chat_type="group")
    admin = await bot.send(GROUP, f"/addfeed {url}", user_id=ADMIN, chat_type="group")

    assert member.plain == "Only this group's administrators can change what it follows."
    assert admin.plain.startswith("Added Group feed to this chat's own feeds")
    assert [f.name for f in await bot.store.chat_feeds(GROUP)] == ["Group feed"]


async def test_a_chats_internal_address_is_refused_as_an_operators_is(
    start_bot: StartBot, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss([{"title": "Router"}]))
    bot = await start_bot(validate_feed=validate_as_deployed)
    url = f"http://127.0.0.1:{httpserver.port}/feed"

    chat = await bot.send(USER, f"/addfeed {url}")
    operator = await bot.send(OPERATOR, f"/addfeed {url}")

    assert chat.plain.startswith(
        f"I could not use {url} as a feed: refused: 127.0.0.1 is a loopback address"
    )
    assert chat.plain == operator.plain
    assert httpserver.log == []
    assert await bot.store.list_feeds() == []


async def wait_for_message(bot: Bot, chat_id: int, count: int) -> list:
    return await asyncio.to_thread(bot.api.wait_for_messages, chat_id, count)


async def test_with_approval_an_operator_approves_and_refuses_requests(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally, chat_feeds="approval")
    await bot.send(OPERATOR, "/start")
    wanted = server.publish("/wanted.xml", [item("a", "Hello")], title="Wanted")
    unwanted = server.publish("/unwanted.xml", [item("b", "Hello")], title="Unwanted")
    asked = len(bot.api.messages(OPERATOR))

    answer = await bot.send(USER, f"/addfeed {wanted}")
    [request] = (await wait_for_message(bot, OPERATOR, asked + 1))[asked:]
    approve, refuse = request.buttons[0]
    told = len(bot.api.messages(USER))
    await bot.press(OPERATOR, request.message_id, approve[1])
    [approved] = (await wait_for_message(bot, USER, told + 1))[told:]

    assert answer.plain == (
        f"I asked the operators to approve {wanted}; this chat will be told their answer."
    )
    assert request.plain == f"The chat {USER} asks to add the feed Wanted as its own."
    assert (approve[0], refuse[0]) == ("✅ Approve", "✖ Refuse")
    assert approved.plain.startswith("The operators approved Wanted.\nAdded Wanted")
    assert [f.name for f in await bot.store.chat_feeds(USER)] == ["Wanted"]
    assert bot.api.messages(OPERATOR)[asked].plain == f"✅ Approved: Wanted for the chat {USER}."

    await bot.send(USER, f"/addfeed {unwanted}")
    [request] = (await wait_for_message(bot, OPERATOR, asked + 2))[asked + 1 :]
    told = len(bot.api.messages(USER))
    await bot.press(OPERATOR, request.message_id, request.buttons[0][1][1])
    [refused] = (await wait_for_message(bot, USER, told + 1))[told:]
    late = await bot.press(OPERATOR, request.message_id, request.buttons[0][0][1])

    assert refused.plain == "The operators refused to add Unwanted to this chat's feeds."
    assert [f.name for f in await bot.store.chat_feeds(USER)] == ["Wanted"]
    assert late == "This request was answered already."
    assert await bot.store.feed_by_url(unwanted) is None


async def test_approval_without_operators_to_ask_keeps_feeds_to_the_operators(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally, chat_feeds="approval", admins=[])
    url = server.publish("/wanted.xml", [item("a", "Hello")], title="Wanted")

    answer = await bot.send(USER, f"/addfeed {url}")

    assert answer.plain == "Only the operators of this bot can do that."
    assert await bot.store.chat_feeds(USER) == []


async def test_a_person_cannot_answer_a_request_by_forging_the_button(
    start_bot: StartBot, server: FeedServer
) -> None:
    bot = await start_bot(validate_feed=validate_locally, chat_feeds="approval")
    url = server.publish("/wanted.xml", [item("a", "Hello")], title="Wanted")
    await bot.send(USER, f"/addfeed {url}")

    forged = await bot.press(USER, 1, "approve:1")

    assert forged == "Only the operators of this bot can do that."
    assert await bot.store.chat_feeds(USER) == []
