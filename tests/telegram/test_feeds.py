"""Sources: everyone may list them; only the operators add, remove and check on them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer

from bot.config import Config
from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import InlineParser
from bot.ingest.pipeline import Pipeline
from bot.matching import SubscriptionMatcher
from bot.store import PollOutcome
from tests.support.botapi import utf16_len
from tests.support.feeds_samples import html_page, rss
from tests.support.local_hosts import validate_as_deployed
from tests.support.local_hosts import validate_locally as validate_feed
from tests.support.telegram_app import OPERATOR, USER, StartBot
from tests.telegram.status_answer import steady


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    """A site whose home page links to its RSS feed."""
    feed_link = (
        f'<link rel="alternate" type="application/rss+xml" href="{httpserver.url_for("/rss")}">'
    )
    httpserver.expect_request("/").respond_with_data(html_page(feed_link), content_type="text/html")
    httpserver.expect_request("/rss").respond_with_data(
        rss([{"title": "Hello", "link": "https://news.example.org/hello"}], title="Caspian <News>"),
        content_type="application/rss+xml",
    )
    yield httpserver


async def test_operator_adds_a_feed_found_by_autodiscovery(
    start_bot: StartBot, site: HTTPServer
) -> None:
    bot = await start_bot(validate_feed=validate_feed)

    answer = await bot.send(OPERATOR, f"/addfeed {site.url_for('/')}")
    listed = await bot.send(USER, "/feeds")

    assert answer.plain == "Added Caspian <News>. /feeds lists all sources."
    [feed] = await bot.store.list_feeds()
    assert feed.url == site.url_for("/rss")
    assert f'<a href="{feed.url}">Caspian &lt;News&gt;</a>' in listed.text
    assert listed.plain.splitlines() == ["Sources (1)", "1. Caspian <News>"]


async def test_addfeed_of_a_feed_already_watched_says_so(
    start_bot: StartBot, site: HTTPServer
) -> None:
    bot = await start_bot(validate_feed=validate_feed)
    await bot.send(OPERATOR, f"/addfeed {site.url_for('/')}")

    same_site = await bot.send(OPERATOR, f"/addfeed {site.url_for('/')}")
    same_feed = await bot.send(OPERATOR, f"/addfeed {site.url_for('/rss')}")

    already = "Caspian <News> is already watched. /feeds lists all sources."
    assert (same_site.plain, same_feed.plain) == (already, already)
    assert len(await bot.store.list_feeds()) == 1


async def test_addfeed_reports_a_url_that_is_not_a_feed(
    start_bot: StartBot, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/").respond_with_data(html_page(), content_type="text/html")
    bot = await start_bot(validate_feed=validate_feed)

    answer = await bot.send(OPERATOR, f"/addfeed {httpserver.url_for('/')}")

    assert answer.plain.startswith(f"I could not use {httpserver.url_for('/')} as a feed:")
    assert "not a feed" in answer.plain
    assert await bot.store.list_feeds() == []


async def test_feed_commands_are_for_operators_only_when_chat_feeds_say_admins(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(validate_feed=validate_feed, chat_feeds="admins")

    for command in ("/addfeed https://example.org/", "/removefeed 1", "/status"):
        answer = await bot.send(USER, command)
        assert answer.plain == "Only the operators of this bot can do that."
    assert await bot.store.list_feeds() == []


async def test_a_long_list_is_split_between_lines_within_telegrams_limit(
    start_bot: StartBot,
) -> None:
    """Emoji count twice towards Telegram's limit (UTF-16 units), so a list of emoji-named
    feeds needs more messages than its length in characters suggests; none may be refused."""
    bot = await start_bot()
    for n in range(60):
        await bot.store.add_feed(f"https://f{n}.example.org/rss", name=f"Feed {n} " + "🛰" * 60)
    before = len(bot.api.messages(USER))
    bot.api.user_sends(USER, "/feeds")

    count, lines = before + 2, []
    while len(lines) < 61:  # the heading and one line a feed, over however many messages
        received = await asyncio.to_thread(bot.api.wait_for_messages, USER, count)
        lines = [line for message in received[before:] for line in message.plain.splitlines()]
        count += 1
    assert lines == ["Sources (60)"] + [f"{n + 1}. Feed {n} " + "🛰" * 60 for n in range(60)]
    assert all(utf16_len(message.text) <= 4096 for message in received[before:])


async def test_operator_removes_a_feed_by_number(start_bot: StartBot) -> None:
    bot = await start_bot()
    await bot.store.add_feed("https://a.example.org/rss", name="A")
    await bot.store.add_feed("https://b.example.org/rss", name="B")

    answer = await bot.send(OPERATOR, "/removefeed 2")
    bad = await bot.send(OPERATOR, "/removefeed 9")

    assert answer.plain == "Removed B."
    assert bad.plain == "Give a number from /feeds, 1 to 1."
    assert [feed.name for feed in await bot.store.list_feeds()] == ["A"]


async def test_status_counts_and_names_failing_feeds(start_bot: StartBot) -> None:
    bot = await start_bot()
    first = await bot.store.add_feed("https://a.example.org/rss", name="A")
    broken = await bot.store.add_feed("https://b.example.org/rss", name="B")
    now = datetime.now(UTC)
    outcome = PollOutcome("error", now, now + timedelta(minutes=10), error="HTTP 503 <busy>")
    teasers = PollOutcome("ok", now, now + timedelta(minutes=10), fulltext_failures=3)
    await bot.store.record_polls([(broken.id, outcome), (first.id, teasers)])
    await bot.send(USER, "/subscribe Baku")

    answer = await bot.send(OPERATOR, "/status")

    assert steady(answer) == [
        "Storage: ok",
        "Feeds: 2 (1 failing)",
        "Chats' own feeds: 0 (0 failing)",
        "Chats: 1",
        "Topics: 1 (0 paused)",
        "Articles stored: 0",
        "Outbox: 0 waiting, 0 failed",
        "Alerts sent today: 0",
        "Alerts sent in the last hour: 0",
        "Failing feeds",
        "• B — failing: HTTP 503 <busy> (1 in a row)",
        "Article pages that could not be read (feed text used instead)",
        "• A: 3",
    ]


async def test_addfeed_and_status_name_an_internal_address_refused(
    start_bot: StartBot, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss([{"title": "Router", "link": "https://news.example.org/r"}])
    )
    bot = await start_bot(validate_feed=validate_as_deployed)
    url = f"http://2130706433:{httpserver.port}/feed"

    answer = await bot.send(OPERATOR, f"/addfeed {url}")

    assert answer.plain.startswith(
        f"I could not use {url} as a feed: refused: 2130706433 is 127.0.0.1, "
        "a loopback address; the bot does not fetch from internal addresses"
    )
    assert await bot.store.list_feeds() == []

    listed = await bot.store.add_feed(f"http://127.1:{httpserver.port}/feed", name="Router")
    async with Fetcher() as fetcher:
        pipeline = Pipeline(
            bot.store, fetcher, Config(), SubscriptionMatcher(bot.store), parser=InlineParser()
        )
        await pipeline.poll_feed(listed)
    status = await bot.send(OPERATOR, "/status")

    assert "• Router — failing: " in status.plain
    assert "refused: 127.1 is 127.0.0.1, a loopback address" in status.plain
    assert httpserver.log == []


async def test_a_ukrainian_operator_reads_why_a_feed_was_refused_in_ukrainian(
    start_bot: StartBot, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/").respond_with_data(html_page(), content_type="text/html")
    bot = await start_bot(validate_feed=validate_feed)
    bot.api.set_user_language(OPERATOR, "uk")
    url = httpserver.url_for("/")

    answer = await bot.send(OPERATOR, f"/addfeed {url}")
    usage = await bot.send(OPERATOR, "/addfeed")

    assert answer.plain == (
        f"Не вдалося використати {url} як стрічку: це не стрічка (HTML-сторінка без "
        "посилання на RSS/Atom); вкажіть адресу самої стрічки"
    )
    assert usage.plain == "Вкажіть адресу стрічки або сайту: /addfeed https://…"
    assert await bot.store.list_feeds() == []


async def test_an_arabic_operator_reads_an_internal_address_refused_in_arabic_in_order(
    start_bot: StartBot,
) -> None:
    """The reason is made of translated parts (the kind of address inside the sentence), and
    the address typed and the ones it stands for stay whole runs in the right-to-left text."""
    bot = await start_bot(validate_feed=validate_as_deployed)
    bot.api.set_user_language(OPERATOR, "ar")
    url = "http://2130706433:8080/feed"

    answer = await bot.send(OPERATOR, f"/addfeed {url}")

    assert answer.plain == (
        f"تعذّر استخدام \u2068{url}\u2069 كخلاصة: مرفوض: \u20682130706433\u2069 هو "
        "\u2068127.0.0.1\u2069، عنوان استرجاع (loopback)؛ لا يجلب البوت شيئًا من العناوين "
        "الداخلية (يمكن للمشغّل السماح بها عبر [fetch] allow_hosts أو allow_private)"
    )


async def test_a_spanish_user_gets_the_list_of_sources_in_spanish(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "es")
    empty = await bot.send(USER, "/feeds")
    await bot.store.add_feed("https://a.example.org/rss", name="El País")
    broken = await bot.store.add_feed("https://b.example.org/rss", name="Diario <Sur>")
    now = datetime.now(UTC)
    outcome = PollOutcome("error", now, now + timedelta(minutes=10), error="HTTP 503 <busy>")
    await bot.store.record_polls([(broken.id, outcome)])

    listed = await bot.send(USER, "/feeds")

    assert empty.plain == "Aún no hay fuentes configuradas."
    assert listed.plain.splitlines() == [
        "Fuentes (2)",
        "1. El País",
        "2. Diario <Sur> — falla: HTTP 503 <busy>",
    ]
    assert '<a href="https://b.example.org/rss">Diario &lt;Sur&gt;</a>' in listed.text
