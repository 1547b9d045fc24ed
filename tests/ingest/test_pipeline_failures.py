"""One broken feed never stops the others: each failure is recorded on its own feed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.store import Store
from tests.support.pipeline_env import (
    FeedServer,
    PipelineEnv,
    close_env,
    item,
    make_config,
    open_env,
)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[PipelineEnv]:
    env, fetcher = await open_env(make_config(tmp_path / "bot.db", timeout=0.5))
    yield env
    await close_env(env, fetcher)


@pytest.fixture
def httpserver(threaded_server: HTTPServer) -> HTTPServer:
    """Threaded, so that a slow feed does not hold up the others' requests."""
    return threaded_server


@pytest.fixture
def broken_feeds(httpserver: HTTPServer) -> dict[str, str]:
    """name → URL of a feed that fails in one way each."""
    httpserver.expect_request("/500").respond_with_data("oops", status=500)
    httpserver.expect_request("/garbage").respond_with_data(
        bytes(range(256)) * 4, content_type="application/octet-stream"
    )

    def too_slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response("<rss/>")

    httpserver.expect_request("/slow").respond_with_handler(too_slow)
    return {name: httpserver.url_for(f"/{name}") for name in ("500", "garbage", "slow")}


async def test_failing_feeds_are_recorded_while_the_others_go_on(
    env, httpserver, broken_feeds, tmp_path
) -> None:
    env.subscribe(1, "Baku")
    good = FeedServer(httpserver).publish("/good", [item("a1", "Talks in Baku")])
    feeds = [env.store.add_feed(url) for url in [*broken_feeds.values(), good]]

    results = await env.pipeline.poll_all(feeds)

    assert [r.status for r in results] == ["error", "error", "error", "ok"]
    assert results[-1].new_articles == 1
    store = Store.open(tmp_path / "bot.db")
    for name, url in broken_feeds.items():
        feed = store.feed_by_url(url)
        assert feed is not None
        assert (feed.last_status, feed.error_count, feed.enabled) == ("error", 1, True), name
        assert url in (feed.last_error or ""), name
    assert "HTTP 500" in store.feed_by_url(broken_feeds["500"]).last_error
    assert "not an RSS or Atom feed" in store.feed_by_url(broken_feeds["garbage"]).last_error
    assert "no complete answer" in store.feed_by_url(broken_feeds["slow"]).last_error
    assert store.feed_by_url(good).articles == 1
    store.close()


async def test_errors_accumulate_and_back_off_then_reset_on_success(env, httpserver) -> None:
    httpserver.expect_request("/flaky").respond_with_data("oops", status=500)
    url = httpserver.url_for("/flaky")
    first = await env.poll(url)
    second = await env.poll(url)
    assert env.feed(url).error_count == 2
    gap_first = first.next_poll_at - env.feed(url).last_polled_at
    assert second.next_poll_at > first.next_poll_at
    assert gap_first.total_seconds() > 0

    httpserver.clear()
    FeedServer(httpserver).publish("/flaky", [item("a1", "Back")])
    result = await env.poll(url)

    feed = env.feed(url)
    assert (result.status, feed.error_count, feed.last_error) == ("ok", 0, None)


async def test_a_url_that_cannot_be_fetched_is_an_error_of_that_feed(env) -> None:
    result = await env.poll("ftp://example.org/feed.xml")

    assert result.status == "error"
    assert "ftp://example.org/feed.xml" in (result.error or "")
    assert env.feed("ftp://example.org/feed.xml").error_count == 1
