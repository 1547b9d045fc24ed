"""Parsing in worker processes: same Articles as inline, and a crash fails one feed only."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from bot.config import ConfigError, parse_config
from bot.feeds.discovery import find_feed_links
from bot.feeds.parser import (
    FeedParseError,
    InlineParser,
    ParsedFeed,
    ParsePool,
    make_parser,
    parse_feed,
)
from tests.support.feeds_samples import html_page, rss

CRASH = b"<!-- crash the worker -->"


def crash_or_parse(content: bytes, **kwargs: Any) -> ParsedFeed:
    """parse_feed, except that a document carrying CRASH kills its worker process."""
    if CRASH in content:
        os._exit(1)
    return parse_feed(content, **kwargs)


def report_niceness(content: bytes, **kwargs: Any) -> int:
    """Stands in for parse_feed: the worker's CPU priority (``nice`` value)."""
    return os.nice(0)


def feed(n: int) -> bytes:
    return rss([{"guid": f"g{n}", "title": f"Story {n}", "link": f"https://e.org/{n}"}])


@pytest.fixture
def pool():
    pool = ParsePool(2, target=crash_or_parse)
    yield pool
    pool.close()


async def test_pool_returns_what_parse_feed_returns(pool: ParsePool) -> None:
    got = await pool.parse(feed(1), url="https://e.org/feed", name="E")
    assert got == parse_feed(feed(1), url="https://e.org/feed", name="E")
    assert got.articles[0].title == "Story 1"


async def test_a_parse_error_is_the_feeds_own(pool: ParsePool) -> None:
    with pytest.raises(FeedParseError, match="not an RSS or Atom feed"):
        await pool.parse(b"\x00\x01 not a feed", url="https://e.org/bad")
    assert (await pool.parse(feed(2), url="https://e.org/feed")).articles


async def test_a_worker_crash_fails_only_the_feed_that_caused_it(pool: ParsePool) -> None:
    documents = [feed(n) for n in range(6)]
    documents[3] = documents[3] + CRASH
    results = await asyncio.gather(
        *(pool.parse(doc, url=f"https://e.org/{n}") for n, doc in enumerate(documents)),
        return_exceptions=True,
    )
    assert isinstance(results[3], FeedParseError)
    assert "crashed" in str(results[3])
    for n, result in enumerate(results):
        if n != 3:
            assert isinstance(result, ParsedFeed), result
            assert result.articles[0].title == f"Story {n}"
    # the pool was renewed: later feeds parse as usual
    assert (await pool.parse(feed(9), url="https://e.org/9")).articles[0].title == "Story 9"


def test_parse_workers_setting_picks_the_parser() -> None:
    assert isinstance(make_parser(-1), InlineParser)
    assert make_parser(3).workers == 3  # type: ignore[union-attr]
    assert make_parser(0).workers >= 1  # type: ignore[union-attr]
    assert parse_config({"polling": {"parse_workers": -1}}).polling.parse_workers == -1
    assert parse_config({}).polling.parse_workers == 0
    with pytest.raises(ConfigError, match="parse_workers"):
        parse_config({"polling": {"parse_workers": -2}})


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
async def test_workers_yield_the_cpu_to_the_bot() -> None:
    """The event loop, which answers users, goes first; parsing takes what it leaves."""
    pool = ParsePool(1, target=report_niceness)  # type: ignore[arg-type]
    try:
        worker = await pool.parse(feed(1), url="https://e.org/feed")
    finally:
        pool.close()
    assert worker == min(os.nice(0) + 10, 19)


async def test_feed_links_are_found_in_a_worker_as_they_are_inline(pool: ParsePool) -> None:
    page = html_page('<link rel="alternate" type="application/rss+xml" href="/rss">')

    found = await pool.call(find_feed_links, page, "https://e.org/", url="https://e.org/")

    assert found == find_feed_links(page, "https://e.org/") == ["https://e.org/rss"]
