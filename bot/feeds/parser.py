"""Feed bytes → normalized Articles, via feedparser.

feedparser does the hard part (RSS 0.9x/1.0/2.0, Atom, encodings, recovering broken XML);
this module turns its loosely typed entries into Articles with plain text, canonical absolute
URLs and aware UTC times, and drops the empty "phantom" entries broken feeds produce.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import feedparser

from bot.article import Article
from bot.feeds.errors import FeedParseError
from bot.feeds.normalize import article_id, canonical_url, html_to_text, tidy_text
from bot.i18n import N_, Deferred
from bot.language_tags import normalized_tag

__all__ = [
    "FeedParseError",
    "FeedParser",
    "InlineParser",
    "ParsePool",
    "ParsedFeed",
    "default_parse_workers",
    "feed_title",
    "make_parser",
    "parse_feed",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ParsedFeed:
    """One parse of a feed document."""

    title: str
    ttl_minutes: int | None
    """RSS <ttl>: how long the publisher says the feed may be cached."""
    articles: list[Article]
    """Its entries, but for those with no title, no link and no text ("phantoms")."""
    before: int | None = None
    """A channel preview's oldest post number: its older posts are at ``?before=`` it
    (``bot.feeds.telegram``); None for a feed, a page, or a channel page that reaches its first
    post."""


def parse_feed(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    name: str | None = None,
    first_seen: datetime | None = None,
) -> ParsedFeed:
    """Parse one fetched feed document into Articles.

    ``headers`` are the HTTP response headers (their charset helps decoding); ``url`` is
    where the feed came from, used for relative links; ``name`` is the configured feed
    name, preferred over the feed's own title as the articles' source (without one, an entry's
    ``<source>``, the outlet an aggregator took it from, comes first). With ``first_seen``,
    a publication time later than it (a wrong clock or time zone at the publisher) is
    clamped to it, so an article never looks newer than the moment we first saw it.
    Raises FeedParseError, and nothing else, for bytes that are not a feed at all.
    """
    parsed = _feedparser_parse(content, url, headers)
    feed = parsed.feed
    if not parsed.entries and not (feed.get("title") or parsed.get("version")):
        reason = _bozo_reason(parsed)
        if reason:
            raise FeedParseError(
                url,
                # TRANSLATORS: keep: RSS
                Deferred(N_("not an RSS or Atom feed ({detail})"), detail=reason),
            )
        # TRANSLATORS: keep: RSS
        raise FeedParseError(url, Deferred(N_("not an RSS or Atom feed")))
    title = _one_line(_detail_text(feed, "title"))
    site = canonical_url(feed.get("link") or "", url)
    context = _FeedContext(
        feed_url=url,
        base=site or url,
        source=name or title or _host(url),
        named=bool(name),
        language=normalized_tag(feed.get("language") or (headers or {}).get("content-language")),
        first_seen=first_seen,
    )
    articles = [article for entry in parsed.entries if (article := context.article(entry))]
    return ParsedFeed(title=title, ttl_minutes=_ttl(feed.get("ttl")), articles=articles)


def feed_title(content: bytes, url: str, headers: Mapping[str, str] | None = None) -> str:
    """The feed's own title, after parse_feed checked it is a feed (FeedParseError if not).

    What /addfeed needs; run in a worker, it sends back one string, not every Article.
    """
    return parse_feed(content, url=url, headers=headers).title


def default_parse_workers() -> int:
    """One parse worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class InlineParser:
    """``await parser.parse(...)``: parse_feed on the event loop's own thread, no processes."""

    async def parse(
        self,
        content: bytes,
        *,
        url: str,
        headers: Mapping[str, str] | None = None,
        name: str | None = None,
        first_seen: datetime | None = None,
    ) -> ParsedFeed:
        return parse_feed(content, url=url, headers=headers, name=name, first_seen=first_seen)

    async def call(self, function: Callable[..., T], *args: Any, url: str) -> T:
        """``function(*args)``, here; ``url`` is what it works on (ParsePool names it)."""
        return function(*args)

    def close(self) -> None:
        pass


class FeedParser(Protocol):
    """Turns fetched bytes into a ParsedFeed (``parse_feed``'s arguments), somewhere.

    ``ParsePool`` parses in worker processes, ``InlineParser`` on the
    event loop's thread; tests may pass their own.
    """

    async def parse(
        self,
        content: bytes,
        *,
        url: str,
        headers: Mapping[str, str] | None = None,
        name: str | None = None,
        first_seen: datetime | None = None,
    ) -> ParsedFeed: ...

    async def call(self, function: Callable[..., T], *args: Any, url: str) -> T:
        """``function(*args)`` where the parsing runs (a channel preview, a page)."""
        ...

    def close(self) -> None: ...


def make_parser(workers: int) -> InlineParser | ParsePool:
    """The parser ``[polling] parse_workers`` asks for: N worker processes, 0 one per core,
    -1 (any negative number) none: parse on the event loop's thread."""
    return InlineParser() if workers < 0 else ParsePool(workers or None)


class ParsePool:
    """``await pool.parse(...)``: parse_feed in worker processes, off the event loop.

    Parsing is CPU work under the GIL; in worker processes it uses the other cores while the
    event loop fetches, matches and stores, and a 10 MB feed no longer stalls the bot. The
    workers start on the first parse and live until :meth:`close` (or interpreter exit).
    A worker that dies (a crash in a C parser, the kernel's OOM killer) breaks every parse
    then in flight; each of those is retried alone in a fresh process, so only the document
    that kills its worker again fails, with FeedParseError, and the pool is renewed.
    """

    def __init__(
        self, workers: int | None = None, *, target: Callable[..., ParsedFeed] | None = None
    ) -> None:
        """``workers`` processes (default: one per core); ``target`` replaces parse_feed
        (tests; it must be importable by name in a fresh interpreter)."""
        self.workers = workers or default_parse_workers()
        self._target = target or parse_feed
        self._pool: ProcessPoolExecutor | None = None

    async def parse(
        self,
        content: bytes,
        *,
        url: str,
        headers: Mapping[str, str] | None = None,
        name: str | None = None,
        first_seen: datetime | None = None,
    ) -> ParsedFeed:
        """parse_feed's result for these arguments, computed in a worker process."""
        call = functools.partial(
            self._target, content, url=url, headers=headers, name=name, first_seen=first_seen
        )
        return await self.call(call, url=url)

    async def call(self, function: Callable[..., T], *args: Any, url: str) -> T:
        """``function(*args)`` computed in a worker process: any parsing of what ``url``
        served (a feed, a page's feed links) that must not stall the event loop.

        ``function`` and its arguments must pickle (a module-level function does).
        """
        call = functools.partial(function, *args)
        pool = self._pool or self._start()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, call)
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False)
        logger.warning("%s: a parse worker died; parsing this document again on its own", url)
        alone = _process_pool(1)
        try:
            return await asyncio.get_running_loop().run_in_executor(alone, call)
        except BrokenProcessPool:
            crashed = N_("the feed parser crashed on this document (its worker process died)")
            raise FeedParseError(url, Deferred(crashed)) from None
        finally:
            alone.shutdown(wait=False)

    def close(self) -> None:
        """Stop the workers (a later parse starts new ones)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _start(self) -> ProcessPoolExecutor:
        self._pool = _process_pool(self.workers)
        return self._pool


_CONTEXT = multiprocessing.get_context(
    "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
)
"""Workers come from a clean server process (forkserver), never forked from the bot itself:
a fork of a process with threads may copy a lock some other thread holds."""
_lifeline: tuple[Connection, Connection] | None = None
"""A pipe whose write end only this process holds: workers exit when it closes."""


def _process_pool(workers: int) -> ProcessPoolExecutor:
    global _lifeline
    if _lifeline is None:
        _lifeline = _CONTEXT.Pipe(duplex=False)
        if _CONTEXT.get_start_method() == "forkserver":
            _CONTEXT.set_forkserver_preload([__name__])  # workers start with feedparser loaded
    return ProcessPoolExecutor(
        workers, mp_context=_CONTEXT, initializer=_worker_init, initargs=(_lifeline[0],)
    )


_WORKER_NICENESS = 10
"""How much lower than the bot's the workers' CPU priority is. Parsing is batch work; the
event loop answers users and carries every parsed feed through the store and the matcher, so
on a small box it goes first. The workers still get every core the loop leaves idle
(docs/benchmarks.md, "Ingestion", has the measurement)."""


def _worker_init(lifeline: Connection) -> None:
    """Ctrl-C reaches the whole process group, but the bot stops its workers itself; and a
    worker must not outlive a bot that was killed outright (SIGKILL, OOM), which would leave
    it waiting for work forever: it exits when the bot's end of ``lifeline`` closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _yield_to_the_bot()

    def watch() -> None:
        with contextlib.suppress(OSError):
            lifeline.poll(None)  # returns on EOF: the bot is gone
        os._exit(0)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def _yield_to_the_bot() -> None:
    """Lower this worker's CPU priority by _WORKER_NICENESS, where the system lets it.

    A sandbox may refuse the call (systemd's ``SystemCallFilter=~@resources`` with
    ``SystemCallErrorNumber=EPERM``, a container's seccomp profile): the worker then parses at
    the bot's own priority, which costs the event loop some CPU on a busy box but loses no
    feed. The shipped unit allows ``setpriority`` so that the preference holds there too.
    Nothing is logged: a worker process has no logging set up, so the line would go nowhere.
    """
    if hasattr(os, "nice"):  # not on Windows
        with contextlib.suppress(PermissionError):
            os.nice(_WORKER_NICENESS)


def _feedparser_parse(
    content: bytes, url: str, headers: Mapping[str, str] | None
) -> feedparser.FeedParserDict:
    """feedparser.parse on bytes, safely.

    The bytes go in as a stream: given plain bytes, feedparser first tries them as a file
    name and would read a local file whose path a server sent us. feedparser's HTML
    sanitizer and its rewriting of links inside markup are off: every text construct becomes
    plain text here (``html_to_text`` drops scripts and styles itself), so the markup they
    would clean is thrown away anyway, and they were a large part of feedparser's time.
    """
    response_headers = {key.lower(): value for key, value in (headers or {}).items()}
    try:
        return feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser is third-party; its crashes must not stop a poll
        failed = Deferred(N_("feedparser failed on this document: {detail}"), detail=repr(exc))
        raise FeedParseError(url, failed) from exc


@dataclass(frozen=True)
class _FeedContext:
    """What every entry of one feed shares when it becomes an Article."""

    feed_url: str
    base: str
    source: str
    named: bool
    """The feed has a configured name, which every entry's source is."""
    language: str | None
    first_seen: datetime | None

    def article(self, entry: Mapping[str, Any]) -> Article | None:
        """The entry as an Article, or None for a phantom nobody could read."""
        title = _one_line(_detail_text(entry, "title"))
        link = entry.get("feedburner_origlink") or entry.get("link") or ""
        url = canonical_url(link, self.base)
        text = _entry_text(entry)
        if not (title or url or text):
            return None
        published = _published(entry)
        return Article(
            id=article_id(entry.get("id"), url, title, published),
            feed_url=self.feed_url,
            url=url,
            title=title,
            text=text,
            published=self._clamped(published),
            source=self._source(entry),
            language=normalized_tag(_entry_language(entry)) or self.language,
            authors=_unique(_author_names(entry)),
            tags=_unique(tag.get("term") or tag.get("label") for tag in entry.get("tags") or ()),
        )

    def _source(self, entry: Mapping[str, Any]) -> str:
        """The feed's name, else the outlet the entry's ``<source>`` names (a news search's
        results come from many), else the feed's title."""
        if self.named:
            return self.source
        outlet = entry.get("source") or {}
        return _one_line(str(outlet.get("title") or "")) or self.source

    def _clamped(self, published: datetime | None) -> datetime | None:
        if published and self.first_seen and published > self.first_seen:
            return self.first_seen
        return published


def _detail_text(holder: Mapping[str, Any], key: str) -> str:
    """Plain text of a feedparser text construct (title, summary), whatever its type."""
    detail = holder.get(f"{key}_detail") or {}
    return _construct_text(holder.get(key) or "", detail.get("type"))


def _construct_text(value: str, content_type: str | None) -> str:
    """feedparser has already decoded entities in text/plain values; only markup needs parsing."""
    return tidy_text(value if content_type == "text/plain" else html_to_text(value))


def _entry_text(entry: Mapping[str, Any]) -> str:
    """The fullest text the entry carries: its content when longer than its summary."""
    candidates = [_detail_text(entry, "summary")]
    candidates += [
        _construct_text(item.get("value") or "", item.get("type"))
        for item in entry.get("content") or ()
    ]
    return max(candidates, key=len)


def _published(entry: Mapping[str, Any]) -> datetime | None:
    """Aware UTC publication time: published, else updated (feedparser gives UTC tuples)."""
    parsed = entry.get("published_parsed")
    if not parsed and "updated_parsed" in entry:  # `in` avoids feedparser's deprecated alias
        parsed = entry["updated_parsed"]
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6]).replace(tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _author_names(entry: Mapping[str, Any]) -> Iterable[str | None]:
    authors = entry.get("authors") or ()
    if not authors:
        return [entry.get("author")]
    return [author.get("name") or author.get("email") for author in authors]


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    """Atom's xml:lang on the entry, which feedparser reports on its text constructs."""
    return (entry.get("title_detail") or {}).get("language")


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """Non-empty, single-line, de-duplicated values in their original order."""
    cleaned = (_one_line(value) for value in values if value)
    return tuple(dict.fromkeys(value for value in cleaned if value))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _ttl(value: str | None) -> int | None:
    if not value:
        return None
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return minutes if minutes > 0 else None


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.") or url


def _bozo_reason(parsed: feedparser.FeedParserDict) -> str | None:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if parsed.get("bozo") and exc else None
