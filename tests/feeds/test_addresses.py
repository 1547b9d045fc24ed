"""No request to where it should not go: internal addresses in every spelling are refused,
after redirects, for article pages, and against DNS answers that change (SSRF).

The local test server is the "internal" service an attacker would aim at: each test checks
what the server saw (nothing), not only the error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpcore
import pytest
from pytest_httpserver import HTTPServer

from bot.cli import main
from bot.config import FetchConfig
from bot.feeds.addresses import (
    AddressGuard,
    AddressPolicy,
    InternalAddress,
    IPAddress,
    literal_address,
    why_internal,
)
from bot.feeds.fetcher import AddressNotAllowed, Fetcher, FetchLimits
from bot.store import Store
from tests.support.feeds_samples import rss
from tests.support.pipeline_env import FeedServer, close_env, item, make_config, open_env

FEED = rss([{"title": "Hello", "link": "https://news.example.org/hello"}])
LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "2130706433",
    "0x7f.1",
    "0177.0.0.1",
    "127.1",
    "0x7f000001",
    "017700000001",
    "127.000.000.001",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "localhost",
    "LOCALHOST",
]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("0.0.0.0", "the unspecified address (this machine)"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata services
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("100.64.0.1", "a carrier-grade NAT address"),
        ("fc00::1", "a private address"),
        ("240.0.0.1", "a private address"),
        ("255.255.255.255", "a private address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", "a private address"),  # NAT64 of 10.0.0.1
        ("192.0.2.1", "a private address"),  # documentation
    ],
)
def test_internal_addresses_are_named(address: str, kind: str) -> None:
    assert why_internal(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert why_internal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("fe80::1%eth0", "fe80::1%eth0"),
    ],
)
def test_every_spelling_of_an_ip_literal_is_read(host: str, address: str) -> None:
    assert literal_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.org", "1e100.net", "deadbeef", "127.0.0.1.nip.io"])
def test_names_are_not_mistaken_for_addresses(host: str) -> None:
    assert literal_address(host) is None


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher() as default:  # what the bot runs with: nothing internal allowed
        yield default


@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
async def test_the_default_fetcher_refuses_loopback_in_every_spelling(
    fetcher: Fetcher, httpserver: HTTPServer, spelling: str
) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)
    url = f"http://{spelling}:{httpserver.port}/feed"

    with pytest.raises(AddressNotAllowed, match="a loopback address") as refused:
        await fetcher.fetch_feed(url)

    assert str(refused.value).startswith(f"{url}: refused: ")
    assert "[fetch] allow_hosts or allow_private" in str(refused.value)
    assert httpserver.log == []


async def test_a_redirect_to_an_internal_address_is_refused(httpserver: HTTPServer) -> None:
    """The feed's host is allowed; where it redirects to is checked again."""
    secret = f"http://0x7f.1:{httpserver.port}/admin"
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": secret}
    )
    httpserver.expect_request("/admin").respond_with_data("router password: hunter2")

    async with Fetcher(FetchLimits(allow_hosts=frozenset({"localhost"}))) as fetcher:
        with pytest.raises(AddressNotAllowed) as refused:
            await fetcher.fetch_feed(httpserver.url_for("/feed"))

    assert str(refused.value).startswith(f"{secret}: refused: 0x7f.1 is 127.0.0.1, a loopback")
    assert [request.path for request, _ in httpserver.log] == ["/feed"]


async def test_allowed_hosts_and_allow_private_open_the_local_network(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)
    url = f"http://127.0.0.1:{httpserver.port}/feed"
    for limits in (FetchLimits(allow_private=True), FetchLimits(allow_hosts={"127.0.0.1"})):
        async with Fetcher(limits) as fetcher:
            assert (await fetcher.fetch(url)).content == FEED
    assert len(httpserver.log) == 2


class Recorder(httpcore.AsyncNetworkBackend):
    """Stands where the sockets are: records every address connected to."""

    def __init__(self) -> None:
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: object, **kwargs: object):
        self.connected.append(host)
        return httpcore.AsyncMockStream([])


class Rebinding:
    """A resolver whose answer changes on every lookup: public, then loopback, then public…"""

    def __init__(self) -> None:
        self.lookups = 0

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.lookups += 1
        answer = "93.184.216.34" if self.lookups % 2 else "127.0.0.1"
        return [ipaddress.ip_address(answer)]


async def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """Each connection resolves once and connects to that answer, so an answer that changes
    between a check and the connect cannot exist: the public answer is where it connects,
    the loopback answer is refused without connecting."""
    resolver, network = Rebinding(), Recorder()
    guard = AddressGuard(AddressPolicy(), resolver, network)

    await guard.connect_tcp("rebind.example", 80)
    with pytest.raises(InternalAddress, match=r"rebind\.example is 127\.0\.0\.1, a loopback"):
        await guard.connect_tcp("rebind.example", 80)
    await guard.connect_tcp("rebind.example", 80)

    assert network.connected == ["93.184.216.34", "93.184.216.34"]
    assert resolver.lookups == 3


async def test_only_the_public_addresses_of_a_mixed_answer_are_used() -> None:
    network = Recorder()

    async def mixed(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(a) for a in ("127.0.0.1", "10.0.0.7", "93.184.216.34")]

    await AddressGuard(AddressPolicy(), mixed, network).connect_tcp("mixed.example", 443)

    assert network.connected == ["93.184.216.34"]


async def test_the_fetcher_asks_its_resolver_and_refuses_what_it_answers(
    httpserver: HTTPServer,
) -> None:
    async def intranet(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    httpserver.expect_request("/feed").respond_with_data(FEED)
    url = f"http://feeds.intranet.example:{httpserver.port}/feed"
    async with Fetcher(resolver=intranet) as fetcher:
        with pytest.raises(AddressNotAllowed, match=r"feeds\.intranet\.example is 127\.0\.0\.1"):
            await fetcher.fetch(url)
    assert httpserver.log == []


async def test_an_item_link_to_an_internal_page_is_never_fetched_for_full_text(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """The feed's own host is allowed; a teaser's link into the network is not followed."""
    httpserver.expect_request("/admin").respond_with_data(
        "<html><body><article><p>" + "Router admin password: hunter2. " * 20 + "</p></article>"
    )
    secret = f"http://2130706433:{httpserver.port}/admin"
    server = FeedServer(httpserver)
    config = make_config(tmp_path / "bot.db")
    config = replace(config, fetch=FetchConfig(allow_hosts=["localhost"]))
    env, fetcher = await open_env(config)
    try:
        env.subscribe(1, "router")
        url = server.publish("/feed", [item("old", "Old news")])
        await env.poll(url)
        teaser = item("t1", "Router news", link=secret, text="Read more.")
        server.publish("/feed", [teaser, item("old", "Old news")])
        result = await env.poll(url)
    finally:
        await close_env(env, fetcher)

    assert result.alerts == 1
    store = Store.open(tmp_path / "bot.db")
    [alert] = store.pending_alerts()
    assert alert.article.article.text == "Read more."
    assert store.feed_by_url(url).fulltext_failures == 1
    store.close()
    assert "/admin" not in [request.path for request, _ in httpserver.log]


def test_the_cli_names_a_refused_feed(httpserver: HTTPServer, capsys) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)
    url = f"http://127.1:{httpserver.port}/feed"

    status = main(["check", "Hello", "--feed", url])

    err = capsys.readouterr().err
    assert status == 2
    assert f"topic-alert: {url}: refused: 127.1 is 127.0.0.1, a loopback address" in err
    assert httpserver.log == []


async def test_through_a_proxy_an_internal_target_is_still_refused(
    httpserver: HTTPServer, monkeypatch
) -> None:
    """The proxy opens the connection, so it cannot be pinned; what this machine can tell
    is internal is refused before the proxy is asked."""
    httpserver.expect_request("/rss").respond_with_data(FEED)
    monkeypatch.setenv("HTTP_PROXY", httpserver.url_for("/").rstrip("/"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    async with Fetcher() as fetcher:
        for url in ("http://10.0.0.1/rss", "http://localhost/rss"):
            with pytest.raises(AddressNotAllowed, match=r"a (private|loopback) address"):
                await fetcher.fetch(url)
    assert httpserver.log == []
