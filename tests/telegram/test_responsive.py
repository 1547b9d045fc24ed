"""Nothing blocks the event loop: while an operator adds a feed that hangs or has 50,000
entries, other people's commands are answered at once.

The /addfeed check fetches on the event loop (waiting costs nothing) and parses in the worker
processes that parse polled feeds; updates are handled concurrently, so /help does not queue
behind it. Each test prints how long /help took.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from functools import partial

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.feeds.fetcher import Fetcher, FetchLimits
from bot.feeds.parser import ParsePool
from bot.feeds.probe import probe_feed
from bot.telegram.services import FeedValidator
from tests.support.feeds_samples import rss
from tests.support.local_hosts import local_limits
from tests.support.telegram_app import OPERATOR, USER, StartBot

HUGE = 50_000


@pytest.fixture
async def pool() -> AsyncIterator[ParsePool]:
    pool = ParsePool(1)
    yield pool
    pool.close()


async def help_during_addfeed(
    start_bot: StartBot, validate: FeedValidator, url: str
) -> tuple[str, float]:
    """Send /addfeed URL, then /help from someone else while it runs; returns the /addfeed
    answer and the seconds /help took, after checking /help came first."""
    bot = await start_bot(validate_feed=validate)
    bot.api.user_sends(OPERATOR, f"/addfeed {url}")
    await asyncio.sleep(0.5)  # the check is under way

    asked = time.monotonic()
    help_answer = await bot.send(USER, "/help")
    [added] = await asyncio.to_thread(bot.api.wait_for_messages, OPERATOR, 1, 180)

    assert help_answer.plain.startswith("I watch news feeds")
    assert help_answer.sent_at < added.sent_at  # answered before the /addfeed finished
    return added.plain, help_answer.sent_at - asked


async def test_help_is_answered_while_a_huge_feed_is_checked(
    start_bot: StartBot, httpserver: HTTPServer, pool: ParsePool
) -> None:
    entries = [{"title": f"Story {n}", "link": f"https://e.org/{n}"} for n in range(HUGE)]
    httpserver.expect_request("/huge").respond_with_data(
        rss(entries, title="Huge"), content_type="application/rss+xml"
    )
    async with Fetcher(local_limits()) as fetcher:
        started = time.monotonic()
        added, latency = await help_during_addfeed(
            start_bot, partial(probe_feed, fetcher, pool), httpserver.url_for("/huge")
        )
        took = time.monotonic() - started

    assert added == "Added Huge. /feeds lists all sources."
    print(
        f"\n/help during /addfeed of {HUGE:,} entries ({took:.1f} s): answered in {latency:.2f} s"
    )


async def test_help_is_answered_while_a_hanging_feed_is_checked(
    start_bot: StartBot, threaded_server: HTTPServer, pool: ParsePool
) -> None:
    def hang(request: Request) -> Response:
        time.sleep(4)
        return Response(rss([]), content_type="application/rss+xml")

    threaded_server.expect_request("/hang").respond_with_handler(hang)
    async with Fetcher(local_limits(FetchLimits(timeout=3))) as fetcher:
        added, latency = await help_during_addfeed(
            start_bot, partial(probe_feed, fetcher, pool), threaded_server.url_for("/hang")
        )

    assert "no complete answer within 3 s" in added
    print(f"\n/help during /addfeed of a feed that hangs: answered in {latency:.2f} s")
