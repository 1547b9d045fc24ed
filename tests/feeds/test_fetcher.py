"""The fetcher against a real local HTTP server: conditional GETs, redirects, error statuses,
limits on time and size, and autodiscovery. Nothing here touches the internet."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.feeds.fetcher import (
    FeedGone,
    FeedUnreachable,
    Fetcher,
    FetchError,
    FetchLimits,
    FetchTimeout,
    HTTPStatusError,
    NotAFeed,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
    UnsupportedURL,
)
from tests.support.feeds_samples import html_page, rss
from tests.support.local_hosts import local_limits

FEED = rss([{"title": "Hello", "link": "https://news.example.org/hello"}])
MB = 1_000_000


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(local_limits()) as fetcher:
        yield fetcher


def conditional_server(httpserver: HTTPServer, versions: list[tuple[str, bytes]]) -> None:
    """/feed behaves like a real server with an ETag: 304 while the client's ETag is current.

    Each request moves to the next version in ``versions`` (the last one stays).
    """
    served = iter(versions)
    current = next(served)

    def handler(request: Request) -> Response:
        nonlocal current
        etag, body = current
        current = next(served, current)
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag}, content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(handler)


async def test_etag_round_trip_gives_304_then_new_content(httpserver, fetcher) -> None:
    new_feed = rss([{"title": "Second"}])
    conditional_server(httpserver, [('"v1"', FEED), ('"v1"', FEED), ('"v2"', new_feed)])
    url = httpserver.url_for("/feed")

    first = await fetcher.fetch(url)
    assert (first.status, first.content, first.etag, first.not_modified) == (
        200,
        FEED,
        '"v1"',
        False,
    )
    second = await fetcher.fetch(url, etag=first.etag)
    assert second.not_modified and second.status == 304 and second.content == b""
    third = await fetcher.fetch(url, etag=first.etag)
    assert not third.not_modified and third.content == new_feed and third.etag == '"v2"'


async def test_last_modified_round_trip(httpserver, fetcher) -> None:
    stamp = "Wed, 01 May 2024 10:00:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        return Response(FEED, headers={"Last-Modified": stamp})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    first = await fetcher.fetch(httpserver.url_for("/feed"))
    assert first.last_modified == stamp and first.etag is None
    again = await fetcher.fetch(httpserver.url_for("/feed"), last_modified=first.last_modified)
    assert again.not_modified


async def test_sends_user_agent_and_reports_headers_and_max_age(httpserver, fetcher) -> None:
    httpserver.expect_request(
        "/feed", headers={"User-Agent": FetchLimits().user_agent}
    ).respond_with_data(FEED, headers={"Cache-Control": "public, max-age=900", "X-Thing": "1"})
    result = await fetcher.fetch(httpserver.url_for("/feed"))
    assert result.max_age == 900
    assert result.headers["x-thing"] == "1"
    assert result.permanent_url is None


@pytest.mark.parametrize(
    ("statuses", "permanent"),
    [((301,), True), ((308,), True), ((301, 308, 301), True), ((302,), False), ((301, 307), False)],
)
async def test_redirects_report_a_permanent_move_only_when_every_hop_is_permanent(
    httpserver, fetcher, statuses: tuple[int, ...], permanent: bool
) -> None:
    for hop, status in enumerate(statuses):
        httpserver.expect_request(f"/hop{hop}").respond_with_data(
            status=status, headers={"Location": f"/hop{hop + 1}"}
        )
    httpserver.expect_request(f"/hop{len(statuses)}").respond_with_data(FEED)
    final = httpserver.url_for(f"/hop{len(statuses)}")

    result = await fetcher.fetch(httpserver.url_for("/hop0"))
    assert (result.content, result.final_url, result.url) == (
        FEED,
        final,
        httpserver.url_for("/hop0"),
    )
    assert result.permanent_url == (final if permanent else None)


async def test_redirect_loop_and_long_chain_raise_too_many_redirects(httpserver, fetcher) -> None:
    httpserver.expect_request("/a").respond_with_data(status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data(status=302, headers={"Location": "/a"})
    for hop in range(10):
        httpserver.expect_request(f"/chain{hop}").respond_with_data(
            status=301, headers={"Location": f"/chain{hop + 1}"}
        )
    with pytest.raises(TooManyRedirects, match="loop"):
        await fetcher.fetch(httpserver.url_for("/a"))
    with pytest.raises(TooManyRedirects, match=r"too many redirects \(more than 5\)"):
        await fetcher.fetch(httpserver.url_for("/chain0"))


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, HTTPStatusError), (500, HTTPStatusError), (410, FeedGone), (300, HTTPStatusError)],
)
async def test_error_statuses(httpserver, fetcher, status: int, error: type[FetchError]) -> None:
    httpserver.expect_request("/feed").respond_with_data("nope", status=status)
    url = httpserver.url_for("/feed")
    with pytest.raises(error) as caught:
        await fetcher.fetch(url)
    assert caught.value.status == status
    assert caught.value.url == url
    assert str(caught.value).startswith(f"{url}: HTTP {status}")


async def test_gone_says_what_it_means(httpserver, fetcher) -> None:
    httpserver.expect_request("/feed").respond_with_data(status=410)
    with pytest.raises(FeedGone, match="removed; it is disabled"):
        await fetcher.fetch(httpserver.url_for("/feed"))


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [(429, "120", 120.0), (503, "Wed, 21 Oct 2015 07:28:00 GMT", 0.0), (429, "soon", None)],
)
async def test_rate_limited_carries_retry_after(
    httpserver, fetcher, status: int, retry_after: str, expected: float | None
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        status=status, headers={"Retry-After": retry_after}
    )
    with pytest.raises(RateLimited) as caught:
        await fetcher.fetch(httpserver.url_for("/feed"))
    assert caught.value.status == status
    assert caught.value.retry_after == expected


async def test_a_trickling_server_hits_the_total_timeout(httpserver) -> None:
    """Each byte arrives well within any per-read timeout; only a total limit stops this."""

    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(60):
                time.sleep(0.05)
                yield b" "

        return Response(body(), content_type="application/rss+xml")

    httpserver.expect_request("/slow").respond_with_handler(trickle)
    async with Fetcher(local_limits(FetchLimits(timeout=0.5))) as fetcher:
        with pytest.raises(FetchTimeout, match=r"no complete answer within 0\.5 s"):
            await fetcher.fetch(httpserver.url_for("/slow"))


def stream(total: int, chunk: bytes) -> Iterator[bytes]:
    """``total`` bytes made of ``chunk`` repeats, sent without a Content-Length."""
    for _ in range(total // len(chunk)):
        yield chunk


async def test_declared_oversized_body_is_refused(httpserver, fetcher) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * (30 * MB))
    with pytest.raises(ResponseTooLarge, match="larger than 10,000,000 bytes"):
        await fetcher.fetch(httpserver.url_for("/big"))


async def test_undeclared_oversized_body_is_cut_off_while_streaming(httpserver, fetcher) -> None:
    httpserver.expect_request("/big").respond_with_response(Response(stream(30 * MB, b"x" * MB)))
    with pytest.raises(ResponseTooLarge):
        await fetcher.fetch(httpserver.url_for("/big"))


def gzip_of_zeros(size: int) -> bytes:
    """A gzip bomb built in slices, so the test itself never holds ``size`` bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MB)
    parts = [compressor.compress(zeros) for _ in range(size // MB)]
    return b"".join([*parts, compressor.flush()])


async def test_gzip_bomb_is_cut_off_at_max_bytes_with_bounded_memory(httpserver, fetcher) -> None:
    bomb = gzip_of_zeros(50 * MB)
    assert len(bomb) < MB // 10
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml"
    )
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge):
            await fetcher.fetch(httpserver.url_for("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The limit itself is 10 MB; inflating the whole bomb would need 50 MB.
    assert peak < 20 * MB


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS | 16, zlib.MAX_WBITS, -zlib.MAX_WBITS])
async def test_compressed_bodies_are_decoded(httpserver, fetcher, wbits: int) -> None:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = compressor.compress(FEED) + compressor.flush()
    encoding = "gzip" if wbits > zlib.MAX_WBITS else "deflate"  # raw deflate: a common misuse
    httpserver.expect_request("/feed").respond_with_data(
        body, headers={"Content-Encoding": encoding}
    )
    assert (await fetcher.fetch(httpserver.url_for("/feed"))).content == FEED


async def test_corrupt_gzip_is_a_network_error(httpserver, fetcher) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"\x1f\x8b\x08garbage", headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FeedUnreachable, match="could not be decoded"):
        await fetcher.fetch(httpserver.url_for("/feed"))


async def test_fetch_feed_follows_the_feed_link_of_an_html_page(httpserver, fetcher) -> None:
    head = '<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">'
    httpserver.expect_request("/").respond_with_data(html_page(head), content_type="text/html")
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="text/xml")

    result = await fetcher.fetch_feed(httpserver.url_for("/"))
    assert result.content == FEED
    assert result.url == httpserver.url_for("/")
    assert result.final_url == result.permanent_url == httpserver.url_for("/feed.xml")


async def test_fetch_feed_returns_a_feed_as_is(httpserver, fetcher) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="text/html")
    result = await fetcher.fetch_feed(httpserver.url_for("/feed"))
    assert result.content == FEED and result.permanent_url is None


async def test_fetch_feed_on_a_page_without_feed_link_raises_not_a_feed(
    httpserver, fetcher
) -> None:
    httpserver.expect_request("/").respond_with_data(html_page(), content_type="text/html")
    with pytest.raises(NotAFeed, match="an HTML page with no RSS/Atom link"):
        await fetcher.fetch_feed(httpserver.url_for("/"))


async def test_fetch_page_asks_for_html(httpserver, fetcher) -> None:
    httpserver.expect_request("/article").respond_with_handler(
        lambda request: Response(request.headers["Accept"], content_type="text/html")
    )
    page = await fetcher.fetch_page(httpserver.url_for("/article"))
    assert page.content.startswith(b"text/html")


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_a_network_error(fetcher) -> None:
    url = f"http://127.0.0.1:{unused_port()}/feed"
    with pytest.raises(FeedUnreachable) as caught:
        await fetcher.fetch(url)
    assert caught.value.url == url


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/f", "not a url", ""])
async def test_only_http_urls_are_fetched(fetcher, url: str) -> None:
    with pytest.raises(UnsupportedURL, match="not an http"):
        await fetcher.fetch(url)


@pytest.mark.parametrize(
    "limits", [FetchLimits(per_host=2), FetchLimits(max_concurrency=2, per_host=10)]
)
async def test_concurrency_limits_allow_exactly_that_many_requests_at_once(
    threaded_server, limits: FetchLimits
) -> None:
    """Requests meet in pairs at a barrier: with a limit of 2 every pair releases; a third
    concurrent request would show up in the count."""
    barrier = threading.Barrier(2, timeout=10)
    lock = threading.Lock()
    active = peak = 0

    def handler(request: Request) -> Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        barrier.wait()
        with lock:
            active -= 1
        return Response(FEED)

    threaded_server.expect_request("/feed").respond_with_handler(handler)
    async with Fetcher(local_limits(limits)) as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(threaded_server.url_for("/feed")) for _ in range(6))
        )
    assert [r.content for r in results] == [FEED] * 6
    assert peak == 2


class KeepAliveServer:
    """A bare HTTP/1.1 server answering 304 (302 to /feed for /old) on keep-alive
    connections, counting the connections clients open."""

    def __init__(self) -> None:
        self.connections = 0
        self.base = ""

    async def __aenter__(self) -> KeepAliveServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while request := await reader.readuntil(b"\r\n\r\n"):
                if request.startswith(b"GET /old "):
                    writer.write(
                        b"HTTP/1.1 302 Found\r\nLocation: /feed\r\nContent-Length: 5\r\n\r\nmoved"
                    )
                else:
                    writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
                await writer.drain()


async def test_304s_and_redirects_keep_their_connection_for_the_next_request(fetcher) -> None:
    """A 304 (and a redirect) is read to its end, so a cycle of unchanged feeds reuses one
    keep-alive connection instead of opening a new one per feed."""
    async with KeepAliveServer() as server:
        for path in ("feed", "feed", "old", "feed"):
            result = await fetcher.fetch(f"{server.base}/{path}", etag='"v1"')
            assert result.not_modified and result.content == b""
            assert result.final_url == f"{server.base}/feed"
    assert server.connections == 1


async def test_idle_hosts_beyond_the_kept_number_lose_their_connections(
    fetcher, monkeypatch
) -> None:
    """Each host keeps its own connections, but only for the most recently used hosts: a
    bot that has fetched from thousands of sites does not hold a pool for each."""
    monkeypatch.setattr("bot.feeds.fetcher._HOSTS_KEPT", 2)
    async with KeepAliveServer() as a, KeepAliveServer() as b, KeepAliveServer() as c:
        for server in (a, b, a, c, a, b):  # c's first fetch closes b's pool, a's stays recent
            result = await fetcher.fetch(f"{server.base}/feed", etag='"v1"')
            assert result.not_modified
    assert (a.connections, b.connections, c.connections) == (1, 2, 1)


async def test_the_environments_proxy_is_used_except_for_no_proxy_hosts(
    httpserver, monkeypatch
) -> None:
    """As httpx's client would: HTTP_PROXY for http:// URLs, NO_PROXY hosts reached directly."""
    httpserver.expect_request("/rss").respond_with_data(FEED, content_type="application/rss+xml")
    proxy = httpserver.url_for("/").rstrip("/")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    async with Fetcher() as fetcher:
        proxied = await fetcher.fetch("http://feeds.invalid/rss")
    assert proxied.content == FEED
    [(request, _)] = httpserver.log
    assert request.headers["Host"] == "feeds.invalid"

    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{unused_port()}")  # would fail if used
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    async with Fetcher(local_limits()) as fetcher:
        direct = await fetcher.fetch(httpserver.url_for("/rss"))
    assert direct.content == FEED
