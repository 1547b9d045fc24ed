"""HTTP for feeds and article pages: conditional, bounded, polite.

One Fetcher per process owns the connection pools (one per host, see ``_Host``) and the
concurrency limits, so that however many feeds the scheduler fires at once, no host gets more
than ``per_host`` requests and the process never holds more than ``max_concurrency``.
Every failure surfaces as a FetchError subclass whose message a person can act on.
Connections go only to public addresses unless the limits allow more (``bot.feeds.addresses``),
and finding the feed behind a web page is parsing, done where feeds are parsed (``parser``).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import urllib.request
import zlib
from collections import OrderedDict
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from bot.feeds.addresses import (
    AddressGuard,
    AddressPolicy,
    InternalAddress,
    Resolver,
    system_resolver,
)
from bot.feeds.body import ACCEPT_ENCODING, BodyTooLarge, UnsupportedEncoding, read_limited
from bot.feeds.discovery import find_feed_links, looks_like_html
from bot.feeds.errors import (
    AddressNotAllowed,
    FeedGone,
    FeedUnreachable,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotAFeed,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
    UnsupportedURL,
)
from bot.feeds.headers import parse_max_age, parse_retry_after
from bot.feeds.parser import InlineParser, ParsePool
from bot.i18n import N_, Deferred

__all__ = [
    "AddressNotAllowed",
    "FeedGone",
    "FeedUnreachable",
    "FetchError",
    "FetchLimits",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "HTTPStatusError",
    "NotAFeed",
    "RateLimited",
    "ResponseTooLarge",
    "TooManyRedirects",
    "UnsupportedURL",
]

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_DRAIN_BYTES = 64 * 1024
"""Most of a 304's or redirect's body read so its connection can be reused; past it, the
connection is dropped instead (the body is never used)."""
_HOSTS_KEPT = 64
"""Idle hosts whose pool is kept; past this the least recently used idle one is closed. Its
connections would have expired after httpx's 5 s keep-alive anyway: this only bounds what a
bot that has fetched pages from thousands of hosts over months keeps in memory."""


@dataclass(frozen=True)
class FetchLimits:
    """Per-process HTTP limits; the defaults suit a small self-hosted bot."""

    timeout: float = 20
    """Seconds for one whole exchange (connect, headers and body) with one server."""
    max_bytes: int = 10_000_000
    """Largest body accepted, counted after decompression."""
    max_concurrency: int = 20
    per_host: int = 2
    max_redirects: int = 5
    allow_private: bool = False
    """Connect to internal addresses too (loopback, private, link-local, …)."""
    allow_hosts: frozenset[str] = frozenset()
    """Hosts connected to whatever they resolve to."""
    user_agent: str = (
        "topic-alert/0.1 (+https://github.com/topic-alert/topic-alert; self-hosted news alert bot)"
    )


@dataclass(frozen=True)
class FetchResult:
    """What one fetch returned; ``content`` is the decoded body (b'' on 304)."""

    url: str
    """The URL that was asked for."""
    final_url: str
    """Where the content came from after redirects (and autodiscovery, for fetch_feed)."""
    permanent_url: str | None
    """Set when the server (or the page's feed link) says the feed now lives elsewhere for
    good: every redirect hop was 301/308. The caller should store this URL instead."""
    status: int
    not_modified: bool
    content: bytes
    headers: dict[str, str]
    """Response headers of the final hop, lower-case keys."""
    etag: str | None
    last_modified: str | None
    max_age: int | None
    """Cache-Control max-age in seconds: how long the server says the content stays fresh."""


class Fetcher:
    """The process's HTTP client for feeds and pages; use as ``async with Fetcher() as f``."""

    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        parser: InlineParser | ParsePool | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        """``parser`` runs autodiscovery's HTML parsing (give it the pool feeds are parsed
        in); ``resolver`` replaces the system's name lookup (tests)."""
        self.limits = limits or FetchLimits()
        self._parser = parser or InlineParser()
        policy = AddressPolicy(self.limits.allow_private, self.limits.allow_hosts)
        self._guard = AddressGuard(policy, resolver or system_resolver)
        self._tls = httpx.create_ssl_context()
        """One TLS context for every host's pool: building one loads the CA bundle."""
        self._slots = asyncio.Semaphore(self.limits.max_concurrency)
        self._headers = {"User-Agent": self.limits.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
        self._timeouts = httpx.Timeout(self.limits.timeout).as_dict()
        self._hosts: OrderedDict[str, _Host] = OrderedDict()
        """Host → its slots and pool, least recently used first."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        hosts, self._hosts = list(self._hosts.values()), OrderedDict()
        for host in hosts:
            await host.transport.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` conditionally: with the validators of the last fetch, an unchanged
        feed costs the server a 304 and us no parsing (``not_modified``)."""
        return await self._get(url, {"Accept": FEED_ACCEPT, **_conditional(etag, last_modified)})

    async def fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Like fetch, but when ``url`` is a web page, fetch the feed the page links to.

        ``final_url`` is then the feed's address and ``permanent_url`` is set so the caller
        stores the feed itself and does not fetch the page on every poll.
        """
        result = await self.fetch(url, etag=etag, last_modified=last_modified)
        if result.not_modified or not looks_like_html(
            result.content, result.headers.get("content-type")
        ):
            return result
        links = await self._parser.call(
            find_feed_links, result.content, result.final_url, url=result.final_url
        )
        if not links:
            raise NotAFeed(
                url,
                # TRANSLATORS: keep: HTML, RSS, URL
                Deferred(N_("not a feed (an HTML page with no RSS/Atom link); use the feed's URL")),
            )
        logger.info("%s: HTML page, using the feed it links to: %s", url, links[0])
        feed = await self.fetch(links[0], etag=etag, last_modified=last_modified)
        if not feed.not_modified and looks_like_html(
            feed.content, feed.headers.get("content-type")
        ):
            raise NotAFeed(
                url,
                # TRANSLATORS: keep: HTML
                Deferred(N_("not a feed (its feed link {link} is an HTML page)"), link=links[0]),
            )
        return replace(feed, url=url, permanent_url=feed.permanent_url or links[0])

    async def fetch_page(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET a web page (an article's, for full text; a page read with selectors), under
        the same limits as feeds, conditionally when given validators."""
        return await self._get(url, {"Accept": PAGE_ACCEPT, **_conditional(etag, last_modified)})

    async def locate(self, url: str) -> str:
        """Where ``url`` leads after its redirects (a search service's link to an article),
        under the same limits; the page itself is not read."""
        return (await self._get(url, {"Accept": PAGE_ACCEPT}, body=False)).final_url

    async def _get(self, url: str, headers: dict[str, str], *, body: bool = True) -> FetchResult:
        """Follow redirects by hand, so each hop gets its own host's slot and is counted;
        ``body=False`` stops at the answer's headers (its ``content`` is then empty)."""
        hop_url, all_permanent, seen = url, True, {url}
        for _ in range(self.limits.max_redirects + 1):
            response, content = await self._exchange(hop_url, headers, body)
            status, location = response.status_code, response.headers.get("location")
            if response.is_success or status == 304:
                moved = all_permanent and hop_url != url
                return _result(url, hop_url, moved, response, content)
            if status not in _REDIRECTS or not location:
                raise _status_error(hop_url, response)
            all_permanent &= status in _PERMANENT_REDIRECTS
            hop_url = _redirect_target(url, hop_url, location)
            if hop_url in seen:
                raise TooManyRedirects(url, Deferred(N_("redirect loop via {url}"), url=hop_url))
            seen.add(hop_url)
        raise TooManyRedirects(
            url,
            Deferred(
                N_("too many redirects (more than {limit}); last to {url}"),
                limit=self.limits.max_redirects,
                url=hop_url,
            ),
        )

    async def _exchange(
        self, url: str, headers: dict[str, str], body: bool = True
    ) -> tuple[httpx.Response, bytes]:
        """One request/response with one server, bounded in time and size as a whole.

        It waits for a slot of the host's first and then for one of the process's, so
        requests queued behind a busy host do not hold process slots other hosts could use.
        The timeout wraps headers AND body, so a server trickling one byte a second cannot
        hold a slot forever (httpx's own timeouts only bound each read).
        """
        host = self._host(url)
        host.users += 1  # before closing idle hosts, so this one is never among them
        try:
            if len(self._hosts) > _HOSTS_KEPT:
                await self._close_idle_hosts()
            async with host.slots, self._slots:
                return await self._timed_request(host, url, headers, body)
        finally:
            host.users -= 1

    async def _timed_request(
        self, host: _Host, url: str, headers: dict[str, str], body: bool
    ) -> tuple[httpx.Response, bytes]:
        try:
            self._guard.refuse_internal_literal(urlsplit(url).hostname or "")
            async with asyncio.timeout(self.limits.timeout):
                if host.proxied:
                    await self._check_proxied(url)
                return await self._request(host.transport, url, headers, body)
        except InternalAddress as exc:
            raise AddressNotAllowed(url, exc.reason) from None
        except (TimeoutError, httpx.TimeoutException) as exc:
            within = Deferred(
                N_("no complete answer within {seconds} s"), seconds=f"{self.limits.timeout:g}"
            )
            raise FetchTimeout(url, within) from exc
        except httpx.InvalidURL as exc:
            raise UnsupportedURL(
                url,
                # TRANSLATORS: keep: URL
                Deferred(N_("not a usable URL: {detail}"), detail=str(exc)),
            ) from exc
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise FeedUnreachable(
                url, Deferred(N_("network error: {detail}"), detail=reason)
            ) from exc

    def _host(self, url: str) -> _Host:
        """The URL's host's slots and pool, now its most recently used."""
        key = _host_of(url)
        host = self._hosts.get(key) or self._add_host(key)
        self._hosts.move_to_end(key)
        return host

    def _add_host(self, key: str) -> _Host:
        scheme, _, netloc = key.partition("://")
        proxy = _environment_proxy(scheme, netloc)
        limits = httpx.Limits(
            max_connections=self.limits.per_host, max_keepalive_connections=self.limits.per_host
        )
        if proxy or self.limits.allow_private:
            transport = httpx.AsyncHTTPTransport(verify=self._tls, limits=limits, proxy=proxy)
        else:
            transport = _GuardedTransport(self._guard, self._tls, limits)
        host = _Host(asyncio.Semaphore(self.limits.per_host), transport, proxied=bool(proxy))
        self._hosts[key] = host
        return host

    async def _check_proxied(self, url: str) -> None:
        """Through a proxy the proxy connects, so the address cannot be pinned; the target is
        still refused when it is internal as far as this machine can tell."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if self._guard.policy.trusts(host):
            return
        try:
            await self._guard.public_addresses(host, parts.port or _PORTS[parts.scheme])
        except httpcore.ConnectError:
            return  # no local answer: only the proxy can resolve the name

    async def _close_idle_hosts(self) -> None:
        while len(self._hosts) > _HOSTS_KEPT:
            idle = next((key for key, host in self._hosts.items() if not host.users), None)
            if idle is None:
                return
            await self._hosts.pop(idle).transport.aclose()

    async def _request(
        self, transport: httpx.AsyncHTTPTransport, url: str, headers: dict[str, str], body: bool
    ) -> tuple[httpx.Response, bytes]:
        request = httpx.Request(
            "GET",
            url,
            headers={**self._headers, **headers},
            extensions={"timeout": self._timeouts},
        )
        response = await transport.handle_async_request(request)
        try:
            if response.status_code >= 400:
                raise _status_error(url, response)
            if not (response.is_success and body):
                await _drain(response)
                return response, b""
            return response, await self._read_body(url, response)
        finally:
            await response.aclose()

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
        limit = self.limits.max_bytes
        encoding = response.headers.get("content-encoding")
        too_large = ResponseTooLarge(
            url,
            Deferred(
                N_(
                    "response larger than {limit} bytes (after decompression); the rest was not "
                    "read — raise the fetch size limit if this feed really is that big"
                ),
                limit=limit,
            ),
        )
        declared = response.headers.get("content-length", "")
        if not encoding and declared.isdigit() and int(declared) > limit:
            raise too_large
        try:
            return await read_limited(response.aiter_raw(), encoding, limit)
        except BodyTooLarge:
            raise too_large from None
        except (zlib.error, UnsupportedEncoding) as exc:
            undecoded = Deferred(
                N_("body could not be decoded (Content-Encoding {encoding}): {detail}"),
                encoding=encoding or "",
                detail=str(exc),
            )
            raise FeedUnreachable(url, undecoded) from exc


@dataclass
class _Host:
    """One host's share of the fetcher: its request slots and its own connection pool.

    A pool per host rather than one for the process: httpcore's pool looks at every one of its
    connections (a system call each) when a request starts and again when its response ends,
    so in a shared pool each request costs in proportion to all connections open
    (docs/benchmarks.md, "Ingestion", has the measurement).

    The pool is httpx's transport, used without an ``AsyncClient`` in front: the fetcher does
    its own redirects, decompression and timeouts, keeps no cookies, and the client's layers
    (merging its defaults into each request, auth and redirect hooks, cookie jars) cost a
    third of a conditional GET's CPU.
    """

    slots: asyncio.Semaphore
    transport: httpx.AsyncHTTPTransport
    proxied: bool = False
    """Requests go through an HTTP proxy from the environment, which opens the connections."""
    users: int = 0
    """Exchanges using or waiting for the pool; a pool is closed only when it has none."""


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with every connection opened by an :class:`AddressGuard`.

    httpx does not take a network backend, so the connection pool it builds is replaced by
    the same pool (httpcore's, with the same limits) built with the guard as its backend.
    """

    def __init__(self, guard: AddressGuard, tls: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=tls, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=guard,
        )


async def _drain(response: httpx.Response) -> None:
    """Read a body we do not use (304, redirect), so httpcore keeps the connection for the
    next request instead of closing it (a new TCP connection for every 304 poll otherwise).
    A large or broken body just costs the connection, as before."""
    read = 0
    try:
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read > _DRAIN_BYTES:
                return
    except httpx.TransportError:
        return


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers that make a GET conditional on the validators of the last fetch."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _host_of(url: str) -> str:
    """``scheme://host[:port]``: what shares a pool and the per-host slots."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        # TRANSLATORS: keep: URL
        raise UnsupportedURL(url, Deferred(N_("not an http(s) URL, so it cannot be fetched")))
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _environment_proxy(scheme: str, netloc: str) -> str | None:
    """The proxy the environment names for this scheme and host (``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``ALL_PROXY``, less ``NO_PROXY``), as httpx's client would use it."""
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(scheme) or proxies.get("all")
    # Undocumented in the standard library, hence missing from typeshed's stubs.
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if not proxy or bypass(netloc, proxies):
        return None
    return proxy


def _redirect_target(url: str, hop_url: str, location: str) -> str:
    try:
        return urljoin(hop_url, location.strip())
    except ValueError:
        unusable = Deferred(
            N_("redirected to an unusable location {location}"), location=repr(location)
        )
        raise UnsupportedURL(url, unusable) from None


def _status_error(url: str, response: httpx.Response) -> HTTPStatusError:
    """The FetchError for a status we cannot use; its class drives the caller's policy."""
    status = response.status_code
    if status == 410:
        # TRANSLATORS: keep: HTTP
        gone = N_("HTTP 410 Gone — the server says this feed was removed; it is disabled")
        return FeedGone(url, Deferred(gone), status)
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None:
            asks = Deferred(
                # TRANSLATORS: keep: HTTP
                N_("HTTP {status} — the server asks to retry later"),
                status=str(status),
            )
        else:
            asks = Deferred(
                # TRANSLATORS: keep: HTTP
                N_("HTTP {status} — the server asks to retry in {seconds} s"),
                status=str(status),
                seconds=f"{retry_after:g}",
            )
        return RateLimited(url, asks, status, retry_after)
    return HTTPStatusError(url, f"{url}: HTTP {status} {response.reason_phrase}".rstrip(), status)


def _result(
    url: str, final_url: str, moved: bool, response: httpx.Response, content: bytes
) -> FetchResult:
    headers = {key.lower(): value for key, value in response.headers.items()}
    return FetchResult(
        url=url,
        final_url=final_url,
        permanent_url=final_url if moved else None,
        status=response.status_code,
        not_modified=response.status_code == 304,
        content=content,
        headers=headers,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        max_age=parse_max_age(headers.get("cache-control")),
    )
