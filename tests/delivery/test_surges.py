"""Surge alerts end to end: a chat follows a topic through the fake Bot API, feeds on a local
server publish a quiet week and then a burst, the real pipeline polls them and the real sender
delivers, every stage on one clock the test moves (the wall clock is years away, so a stage
reading it would miss the week). What is checked is what the chat receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import parse_config
from bot.delivery import OutboxSender
from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import make_parser
from bot.ingest.pipeline import Pipeline, fetch_limits
from bot.matching import SubscriptionMatcher
from tests.support.botapi import SentMessage, hrefs
from tests.support.local_hosts import LOCAL_HOSTS
from tests.support.outbox_env import drain, fast_sender
from tests.support.pipeline_env import FeedServer, burst
from tests.support.set_clock import SetClock
from tests.support.telegram_app import USER, Bot, StartBot

START = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)
"""When the chat follows the topic."""
BURST = START + timedelta(days=7, hours=2)
"""A week (and the hour the rate leaves out) after: the topic's whole week is history."""
WIRE, CASPIAN, BAKU = "/wire.xml", "/caspian.xml", "/baku.xml"
SOURCES = {WIRE: "World Wire", CASPIAN: "Caspian Post", BAKU: "Baku Daily"}


@dataclass
class Newsroom:
    """The bot, three feeds, the pipeline that polls them and the sender, on one clock."""

    bot: Bot
    clock: SetClock
    pipeline: Pipeline
    sender: OutboxSender
    server: FeedServer

    async def poll(self, path: str, items: list[dict[str, str]]) -> None:
        """The feed at ``path`` now serves ``items``; poll it once."""
        url = self.server.publish(path, items, title=SOURCES[path])
        feed = await self.bot.store.feed_by_url(url) or await self.bot.store.add_feed(url)
        await self.pipeline.poll_feed(feed)

    async def at(self, moment: datetime) -> None:
        """The clock reaches ``moment`` and the sender delivers what is due then."""
        self.clock.moment = moment
        await drain(self.sender)

    def surges(self) -> list[SentMessage]:
        return [m for m in self.bot.api.messages(USER) if m.plain.startswith("📈 Surge")]


@pytest.fixture
async def newsroom(start_bot: StartBot, server: FeedServer) -> AsyncIterator[Newsroom]:
    """A bot on a clock at :data:`START`, its feeds polled once (a first poll never alerts)."""
    clock = SetClock(START)
    bot = await start_bot(now=clock)
    config = parse_config(
        {"polling": {"parse_workers": -1}, "fetch": {"allow_hosts": list(LOCAL_HOSTS)}}
    )
    fetcher = Fetcher(fetch_limits(config))
    parser = make_parser(config.polling.parse_workers)
    matcher = SubscriptionMatcher(bot.store)
    pipeline = Pipeline(bot.store, fetcher, config, matcher, parser=parser, now=clock)
    sender = fast_sender(bot.application.bot, bot.store, now=clock)
    room = Newsroom(bot, clock, pipeline, sender, server)
    for path in SOURCES:
        await room.poll(path, [])
    yield room
    await fetcher.aclose()
    parser.close()


async def quiet_days(room: Newsroom, days: int) -> None:
    """One story about the topic on each of the ``days`` days after :data:`START`, at noon."""
    for day in range(1, days + 1):
        room.clock.moment = START + timedelta(days=day)
        await room.poll(WIRE, burst(1, "Azerbaijan", tag=f"day{day}", age=None))
        await room.at(room.clock.moment)


def copy(story: dict[str, str], path: str) -> dict[str, str]:
    """``story`` as the feed at ``path`` publishes it: the same text under its own link."""
    guid = f"{path.strip('/')}-{story['guid']}"
    return story | {"guid": guid, "link": f"https://news.example.org/{guid}"}


async def big_news(room: Newsroom, at: datetime, *, tag: str = "big") -> list[str]:
    """14 stories about the topic within minutes of ``at``: a lead story from three outlets,
    another from two, and 12 from the wire alone. Returns the titles of the first two."""
    lead, second = burst(2, "Azerbaijan", tag=f"{tag}-lead", age=None)
    room.clock.moment = at
    await room.poll(BAKU, [lead])
    await room.poll(CASPIAN, [copy(lead, CASPIAN), second])
    others = burst(12, "Azerbaijan", tag=tag, age=None)
    await room.poll(WIRE, [copy(lead, WIRE), copy(second, WIRE), *others])
    return [lead["title"], second["title"]]


async def test_a_burst_after_a_quiet_week_is_one_surge_with_its_figures_and_top_stories(
    newsroom: Newsroom,
) -> None:
    answer = await newsroom.bot.send(USER, "/subscribe Azerbaijan @surge")
    await quiet_days(newsroom, 6)
    lead, second = await big_news(newsroom, BURST)
    await newsroom.at(BURST + timedelta(minutes=1))

    assert answer.plain.splitlines()[-1] == (
        "Surge alerts on: one message when its stories of the last hour reach 3× its usual "
        "rate and at least 5 stories, then none for 6 hours."
    )
    [surge] = newsroom.surges()
    heading, *stories = surge.plain.splitlines()
    # 6 stories in the week before the last hour: 14 / (6 / 168 h) = 392 times the usual rate
    assert heading == "📈 Surge: #1 Azerbaijan — 14 stories in the last hour, 392× usual"
    assert stories[:2] == [f"• {lead} — 3 outlets", f"• {second} — 2 outlets"]
    assert len(stories) == 5
    assert all(line.endswith("— 1 outlet") for line in stories[2:])
    assert hrefs(surge.text)[0] == "https://news.example.org/big-lead-0", "the first outlet's"


async def test_a_surge_needs_at_least_min_stories_however_quiet_the_topic_was(
    newsroom: Newsroom,
) -> None:
    await newsroom.bot.send(USER, "/subscribe Azerbaijan @surge")
    await quiet_days(newsroom, 6)
    newsroom.clock.moment = BURST
    await newsroom.poll(WIRE, burst(4, "Azerbaijan", tag="four", age=None))
    await newsroom.at(BURST)
    assert newsroom.surges() == [], "4 stories: 112 times the usual rate, but fewer than 5"

    newsroom.clock.moment = BURST + timedelta(minutes=20)
    await newsroom.poll(WIRE, burst(1, "Azerbaijan", tag="fifth", age=None))
    await newsroom.at(newsroom.clock.moment)

    [surge] = newsroom.surges()
    assert surge.plain.startswith("📈 Surge: #1 Azerbaijan — 5 stories in the last hour, 140×")


async def test_a_topic_surges_again_only_after_its_cool_down(newsroom: Newsroom) -> None:
    await newsroom.bot.send(USER, "/subscribe Azerbaijan @surge")
    await quiet_days(newsroom, 6)
    await big_news(newsroom, BURST)
    await newsroom.at(BURST + timedelta(minutes=1))

    newsroom.clock.moment = BURST + timedelta(minutes=30)
    await newsroom.poll(WIRE, burst(8, "Azerbaijan", tag="more", age=None))
    await newsroom.at(newsroom.clock.moment)
    assert len(newsroom.surges()) == 1, "22 stories in the hour, but within the cool-down"

    later = BURST + timedelta(hours=7)
    newsroom.clock.moment = later
    await newsroom.poll(WIRE, burst(12, "Azerbaijan", tag="again", age=None))
    await newsroom.at(later)

    _first, second = newsroom.surges()
    # the week before: 6 quiet stories, 14 and 8 of the first burst: 12 / (28 / 168 h) = 72
    assert second.plain.splitlines()[0] == (
        "📈 Surge: #1 Azerbaijan — 12 stories in the last hour, 72× usual"
    )


async def test_quiet_hours_hold_a_surge_and_the_digest_after_them_marks_the_topic(
    newsroom: Newsroom,
) -> None:
    await newsroom.bot.send(USER, "/subscribe Azerbaijan @surge")
    await newsroom.bot.send(USER, "/quiet 13:00-15:00")
    await quiet_days(newsroom, 6)
    await big_news(newsroom, BURST)  # at 14:00

    await newsroom.at(BURST)
    await newsroom.at(BURST + timedelta(minutes=59))
    assert newsroom.surges() == []
    await newsroom.at(BURST + timedelta(hours=1))  # 15:00: quiet hours end

    [surge] = newsroom.surges()
    assert surge.plain.startswith("📈 Surge: #1 Azerbaijan — 14 stories in the last hour")
    [digest] = [m for m in newsroom.bot.api.messages(USER) if m.plain.startswith("Digest · ")]
    assert "#1 Azerbaijan · 📈 surged" in digest.plain.splitlines()


async def test_a_topic_followed_for_two_days_compares_with_them_and_says_so(
    newsroom: Newsroom,
) -> None:
    await newsroom.bot.send(USER, "/subscribe Azerbaijan @surge")
    await quiet_days(newsroom, 1)
    burst_at = START + timedelta(days=2, hours=2)
    await big_news(newsroom, burst_at)
    await newsroom.at(burst_at)

    [surge] = newsroom.surges()
    heading, note, *_stories = surge.plain.splitlines()
    # 1 story in the 49 hours before the last hour: 14 / (1 / 49 h) = 686
    assert heading == "📈 Surge: #1 Azerbaijan — 14 stories in the last hour, 686× usual"
    assert note == "Usual rate from the 2 days this topic has been followed: less than a week."


async def test_surge_off_sends_no_surge_and_surge_shows_and_switches_it(
    newsroom: Newsroom,
) -> None:
    bot = newsroom.bot
    await bot.send(USER, "/subscribe Azerbaijan")
    shown = await bot.send(USER, "/surge 1")
    on = await bot.send(USER, "/surge 1 on")
    listed = await bot.send(USER, "/list")
    off = await bot.send(USER, "/surge 1 off")
    wrong = await bot.send(USER, "/surge 1 maybe")
    await quiet_days(newsroom, 6)
    await big_news(newsroom, BURST)
    await newsroom.at(BURST)

    assert shown.plain.startswith("#1: Azerbaijan — Surge alerts off.\nSay which topic, and on")
    assert on.plain.startswith("#1: Azerbaijan — Surge alerts on: one message when")
    assert listed.plain.splitlines()[1] == "1. Azerbaijan — active, 0 alerts, 📈 surge alerts"
    assert off.plain == "#1: Azerbaijan — Surge alerts off."
    assert wrong.plain.startswith("'maybe' is neither on nor off.\nSay which topic, and on")
    assert newsroom.surges() == []
    assert any("14 new alerts" in m.plain for m in bot.api.messages(USER)), "alerts still come"
