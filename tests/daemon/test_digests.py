"""The whole daemon through a day and a restart, the clock moved with ``time-machine``.

Everything is real but the network and the wall clock: commands and messages go through the
fake Bot API, the feed is a local HTTP server, the database a file. The clock runs on from
where the test puts it (``tick=True``) and jumps ahead with ``shift``; the event loop's own
timers run on the monotonic clock, which time-machine leaves alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from pytest_httpserver import HTTPServer

from tests.support.botapi import FakeBotAPI, SentMessage, hrefs
from tests.support.daemon_env import Feed, daemon_config
from tests.support.waiting import until

CHAT = 5002


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Thursday 3 Dec 2026, 10:00 UTC, and running."""
    with time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=UTC), tick=True) as traveller:
        yield traveller


def move_to(clock: time_machine.Traveller, moment: datetime) -> None:
    clock.shift(moment - datetime.now(UTC))


async def command(botapi: FakeBotAPI, text: str) -> SentMessage:
    before = len(botapi.messages(CHAT))
    botapi.user_sends(CHAT, text)
    return (await asyncio.to_thread(botapi.wait_for_messages, CHAT, before + 1))[before]


async def polled(feed: Feed, times: int = 2) -> None:
    """The daemon fetched the feed ``times`` more times. Two are enough for what it holds to
    be stored: the first fetch after a publish serves it, and a feed's polls never overlap,
    so the second begins only once the first stored its articles."""
    polls = feed.polls
    await until(lambda: feed.polls >= polls + times, f"{times} more polls")


async def settled(botapi: FakeBotAPI, feed: Feed) -> list[SentMessage]:
    """What the chat holds once the feed was polled and the sender had time to go round: for
    the moments when nothing new may arrive."""
    await polled(feed)
    await asyncio.sleep(2.5)  # longer than the sender's idle pause
    return botapi.messages(CHAT)


async def arrived(botapi: FakeBotAPI, feed: Feed, count: int) -> list[SentMessage]:
    """What the chat holds once the feed was polled and the chat got its ``count``-th message
    (one more, sent late, would still fail the count at the end)."""
    await polled(feed)
    await until(lambda: len(botapi.messages(CHAT)) >= count, f"message {count} in the chat")
    return botapi.messages(CHAT)


async def test_a_day_of_digests_quiet_hours_and_a_restart(
    botapi: FakeBotAPI,
    httpserver: HTTPServer,
    tmp_path,
    running,
    clock,
) -> None:
    feed = Feed(httpserver, "/news.xml")
    config = daemon_config(tmp_path / "bot.db", botapi, feed)
    halt = await running(config)
    await command(botapi, "/subscribe Azerbaijan @daily 08:00")
    await command(botapi, "/subscribe Baku")
    await command(botapi, "/quiet 22:00-07:00")
    replies = len(botapi.messages(CHAT))

    feed.publish("Azerbaijan plans a pipeline", "https://news.example/1", "Azerbaijan")
    feed.publish("Baku hosts a summit", "https://news.example/2", "Baku")
    [alert] = (await arrived(botapi, feed, replies + 1))[replies:]
    assert hrefs(alert.text)[0] == "https://news.example/2"  # realtime, daytime: at once

    move_to(clock, datetime(2026, 12, 3, 22, 30, tzinfo=UTC))
    feed.publish("Baku at night", "https://news.example/3", "Baku")
    feed.publish("Azerbaijan at night", "https://news.example/4", "Azerbaijan")
    assert len(await settled(botapi, feed)) == replies + 1, "nothing during quiet hours"

    move_to(clock, datetime(2026, 12, 4, 7, 0, 5, tzinfo=UTC))
    [quiet_digest] = (await arrived(botapi, feed, replies + 2))[replies + 1 :]
    assert quiet_digest.plain.splitlines()[0] == "Digest · 3 Dec 22:00 – 4 Dec 07:00 UTC"
    assert hrefs(quiet_digest.text) == ["https://news.example/3"]

    move_to(clock, datetime(2026, 12, 4, 8, 0, 5, tzinfo=UTC))
    [morning] = (await arrived(botapi, feed, replies + 3))[replies + 2 :]
    assert morning.plain.splitlines()[:2] == [
        "Digest · 3 Dec 08:00 – 4 Dec 08:00 UTC",
        "#1 Azerbaijan",
    ]
    assert hrefs(morning.text) == ["https://news.example/4", "https://news.example/1"]

    move_to(clock, datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    feed.publish("Azerbaijan before the stop", "https://news.example/5", "Azerbaijan")
    await settled(botapi, feed)
    await halt()
    move_to(clock, datetime(2026, 12, 5, 9, 30, tzinfo=UTC))  # off across 08:00
    await running(config)
    [late] = (await arrived(botapi, feed, replies + 4))[replies + 3 :]
    assert late.plain.splitlines()[0] == "Digest · 4 Dec 08:00 – 5 Dec 08:00 UTC · sent late"
    assert hrefs(late.text) == ["https://news.example/5"]

    await polled(feed)
    assert len(botapi.messages(CHAT)) == replies + 4, "each digest exactly once"
