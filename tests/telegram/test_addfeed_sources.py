"""/addfeed takes a public Telegram channel (``@NAME``, ``t.me/NAME``, ``t.me/s/NAME``) and a
page with CSS selectors (``URL css:ITEMS title:… link:… date:…``); it refuses, with the
reason, a name without a public channel, a selector that matches nothing on the page, and an
argument that is not written as it should be. /feeds and /status name each kind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import InlineParser
from bot.feeds.probe import probe_feed
from bot.sources import FeedKind, PageSelectors, Source
from bot.store import PollOutcome
from bot.telegram.services import FeedValidator
from tests.support.channel_preview import ChannelServer, news_page, post
from tests.support.local_hosts import local_limits
from tests.support.telegram_app import OPERATOR, USER, StartBot


@pytest.fixture
def channels(httpserver: HTTPServer) -> ChannelServer:
    channels = ChannelServer(httpserver)
    channels.publish("caspian_wire", "Caspian Wire", [post(1, "The port of Baku reopens")])
    channels.without_channel("hidden_group")
    httpserver.expect_request("/news").respond_with_data(
        news_page([("/port", "The port of Baku reopens", "Ships return.")]),
        content_type="text/html; charset=utf-8",
    )
    return channels


@pytest.fixture
def validate(channels: ChannelServer) -> FeedValidator:
    """What the daemon wires in, reading channels' previews on the local server."""

    async def validate(source: Source) -> tuple[str, str | None]:
        async with Fetcher(local_limits()) as fetcher:
            return await probe_feed(
                fetcher, InlineParser(), source, telegram_preview=channels.preview_base
            )

    return validate


@pytest.mark.parametrize(
    "typed", ["@caspian_wire", "https://t.me/caspian_wire", "t.me/s/caspian_wire"]
)
async def test_an_operator_adds_a_public_channel_in_any_spelling(
    start_bot: StartBot, validate: FeedValidator, typed: str
) -> None:
    bot = await start_bot(validate_feed=validate)

    answer = await bot.send(OPERATOR, f"/addfeed {typed}")
    listed = await bot.send(USER, "/feeds")

    assert answer.plain == "Added Caspian Wire. /feeds lists all sources."
    [feed] = await bot.store.list_feeds()
    assert (feed.url, feed.kind) == ("https://t.me/s/caspian_wire", FeedKind.TELEGRAM)
    assert listed.plain.splitlines() == ["Sources (1)", "1. Caspian Wire (Telegram channel)"]


async def test_a_name_without_a_public_channel_is_refused(
    start_bot: StartBot, validate: FeedValidator
) -> None:
    bot = await start_bot(validate_feed=validate)

    answer = await bot.send(OPERATOR, "/addfeed https://t.me/hidden_group")

    assert answer.plain == (
        "I could not use https://t.me/s/hidden_group as a feed: no public channel there: "
        "Telegram shows no posts for it (a private channel, a group, a person, or no such name)"
    )
    assert await bot.store.list_feeds() == []


async def test_an_operator_adds_a_page_with_selectors(
    start_bot: StartBot, validate: FeedValidator, httpserver: HTTPServer
) -> None:
    bot = await start_bot(validate_feed=validate)
    url = httpserver.url_for("/news")

    answer = await bot.send(OPERATOR, f"/addfeed {url} css:main > article.story link:h2 a")
    listed = await bot.send(USER, "/feeds")

    assert answer.plain == "Added Caspian Courier. /feeds lists all sources."
    [feed] = await bot.store.list_feeds()
    assert (feed.url, feed.kind) == (url, FeedKind.PAGE)
    assert feed.selectors == PageSelectors("main > article.story", link="h2 a")
    assert listed.plain.splitlines()[1] == "1. Caspian Courier (web page)"


async def test_a_selector_that_matches_nothing_is_refused(
    start_bot: StartBot, validate: FeedValidator, httpserver: HTTPServer
) -> None:
    bot = await start_bot(validate_feed=validate)
    url = httpserver.url_for("/news")

    answer = await bot.send(OPERATOR, f"/addfeed {url} css:div.teaser")

    assert answer.plain == (
        f"I could not use {url} as a feed: the selector matched nothing: the page changed? "
        "(div.teaser)"
    )
    assert await bot.store.list_feeds() == []


@pytest.mark.parametrize(
    ("argument", "answer"),
    [
        (
            "https://courier.example/news title:h2",
            "Write the page's address, then css: and the selector of its articles, once each: "
            "/addfeed https://example.org/news css:article.item title:h2 link:a date:time "
            "(title:, link: and date: are optional).",
        ),
        (
            "https://courier.example/news css:article css:div",
            "Write the page's address, then css: and the selector of its articles, once each: "
            "/addfeed https://example.org/news css:article.item title:h2 link:a date:time "
            "(title:, link: and date: are optional).",
        ),
        (
            "https://courier.example/news css:article title:h2[",
            "That is not a CSS selector: 'h2[': Expected ident or '*', got <EOF at 3>",
        ),
        ("@no", "Give the address of a feed or a site: /addfeed https://…"),
    ],
)
async def test_a_misspelled_argument_is_answered_with_how_to_write_it(
    start_bot: StartBot, validate: FeedValidator, argument: str, answer: str
) -> None:
    bot = await start_bot(validate_feed=validate)

    reply = await bot.send(OPERATOR, f"/addfeed {argument}")

    assert reply.plain == answer
    assert await bot.store.list_feeds() == []


async def test_status_names_a_failing_page_with_its_kind(start_bot: StartBot) -> None:
    bot = await start_bot()
    page = await bot.store.add_feed(
        "https://courier.example/news",
        name="Courier",
        kind=FeedKind.PAGE,
        selectors=PageSelectors("article.story"),
    )
    error = "the selector matched nothing: the page changed? (article.story)"
    now = datetime.now(UTC)
    outcome = PollOutcome("error", now, now, error=f"{page.url}: {error}")
    await bot.store.record_polls([(page.id, outcome)])

    status = await bot.send(OPERATOR, "/status")

    assert f"• Courier (web page) — failing: {error} (1 in a row)" in status.plain
