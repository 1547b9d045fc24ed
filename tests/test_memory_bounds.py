"""What the bot keeps per article stays bounded on a long run: the story memory holds only
the articles of its window, measured on the process's clock; the matcher's documents are
capped in entries and in characters; above ``[storage] memory_mb`` the caches are shed with
one line in the log. (How much memory that is over days: bench/bench_soak.py.)"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import rules
from bot.matching import MATCHED_DOCUMENT_CHARS, MATCHED_DOCUMENTS, SubscriptionMatcher
from bot.runtime import MemoryCeiling
from bot.store import AsyncStore
from tests.support.pipeline_env import (
    FeedServer,
    PipelineEnv,
    burst,
    close_env,
    item,
    make_config,
    numbered_article,
    open_env,
)

WINDOW = timedelta(hours=48)
"""The story window (``bot.ingest.stories.DEFAULT_WINDOW``)."""


class Clock:
    """The process's clock, moved by the test."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def process_clock() -> Clock:
    return Clock()


@pytest.fixture
async def env(tmp_path: Path, process_clock: Clock) -> AsyncIterator[PipelineEnv]:
    env, fetcher = await open_env(make_config(tmp_path / "bot.db"), now=process_clock)
    yield env
    await close_env(env, fetcher)


@pytest.fixture
async def matcher(astore: AsyncStore) -> SubscriptionMatcher:
    await astore.add_subscription(1, rules.compile("Baku"))
    matcher = SubscriptionMatcher(astore)
    await matcher.refresh()
    return matcher


async def test_the_story_memory_lets_articles_go_once_the_clock_passes_its_window(
    env: PipelineEnv, httpserver: HTTPServer, process_clock: Clock
) -> None:
    server = FeedServer(httpserver)
    env.subscribe(1, "Baku")
    url = server.publish("/feed.xml", [])
    await env.poll(url)  # a feed's first poll alerts nothing
    server.publish("/feed.xml", burst(3))
    await env.poll(url)
    assert env.pipeline.stories.remembered == 3

    process_clock.moment += WINDOW + timedelta(hours=1)
    later = datetime.now(UTC) - process_clock.moment  # published a minute before the clock's now
    fresh = item("after", "Baku report after two days", age=later + timedelta(minutes=1))
    server.publish("/feed.xml", [fresh])
    result = await env.poll(url)

    assert result.alerts == 1
    assert env.pipeline.stories.remembered == 1


async def test_the_matchers_documents_are_capped_in_number(matcher: SubscriptionMatcher) -> None:
    matcher.match(numbered_article(n) for n in range(MATCHED_DOCUMENTS + 20))
    assert matcher.cached == MATCHED_DOCUMENTS


async def test_the_matchers_documents_are_capped_in_characters(
    matcher: SubscriptionMatcher,
) -> None:
    """Five full pages of a quarter of the cap each: the three latest stay."""
    page = "Baku " * (MATCHED_DOCUMENT_CHARS // 20)
    matcher.match(replace(numbered_article(n), text=page) for n in range(5))
    assert matcher.cached == 3


async def test_above_the_ceiling_the_caches_are_shed_with_one_line(
    matcher: SubscriptionMatcher, caplog: pytest.LogCaptureFixture
) -> None:
    sizes = iter([150.0, 160.0, 90.0, 150.0])
    ceiling = MemoryCeiling(100, [matcher.shed], measure=lambda: next(sizes))
    with caplog.at_level(logging.WARNING, logger="bot.runtime"):
        matcher.match([numbered_article(1)])
        assert ceiling.check()
        assert matcher.cached == 0

        matcher.match([numbered_article(2)])
        assert ceiling.check()  # still above: shed again, said once
        assert matcher.cached == 0

        matcher.match([numbered_article(3)])
        assert not ceiling.check()  # below: kept
        assert matcher.cached == 1

        assert ceiling.check()  # crossed again: said again
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "resident memory 150 MB is above [storage] memory_mb = 100: dropped 1 cached entries "
        "(each is made again when needed)",
        "resident memory 150 MB is above [storage] memory_mb = 100: dropped 1 cached entries "
        "(each is made again when needed)",
    ]


async def test_no_ceiling_sheds_nothing(matcher: SubscriptionMatcher) -> None:
    ceiling = MemoryCeiling(0, [matcher.shed], measure=lambda: 10_000.0)
    matcher.match([numbered_article(1)])
    assert not ceiling.check()
    assert matcher.cached == 1


async def test_the_configured_ceiling_is_checked_after_each_poll(
    tmp_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """1 MB: any process is above it from its first poll on, so the documents of the second
    poll's matches are shed, and the crossing was said once."""
    config = make_config(tmp_path / "bot.db")
    config = replace(config, storage=replace(config.storage, memory_mb=1))
    env, fetcher = await open_env(config)
    try:
        server = FeedServer(httpserver)
        env.subscribe(1, "Baku")
        url = server.publish("/feed.xml", [])
        with caplog.at_level(logging.WARNING, logger="bot.runtime"):
            await env.poll(url)
            server.publish("/feed.xml", burst(3))
            result = await env.poll(url)
    finally:
        await close_env(env, fetcher)
    assert result.alerts == 3
    assert env.pipeline.matcher.cached == 0
    assert [r.name for r in caplog.records] == ["bot.runtime"]
    assert "is above [storage] memory_mb = 1:" in caplog.records[0].getMessage()
