"""The doctor's feed check: each enabled feed read once, as the daemon reads it, stored nowhere.

The fetch and parse are :func:`bot.feeds.probe.read_feed` on the fetcher and parser of
``bot.wiring.build``, so the limits, the address guard and the parse workers are the daemon's.
A row tells what an operator wants to know before waiting for alerts: did it answer, how many
entries, how fresh, in which language, and whether the bot will fetch each entry's page
because the feed sends teasers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.article import Article
from bot.config import FeedSpec
from bot.doctor.report import Row, Status
from bot.feeds.errors import (
    AddressNotAllowed,
    FeedGone,
    FeedParseError,
    FeedUnreachable,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotAChannel,
    NotAFeed,
    RateLimited,
    ResponseTooLarge,
    SelectorMatchedNothing,
    TooManyRedirects,
    UnsupportedURL,
)
from bot.feeds.probe import FeedRead, read_feed
from bot.ingest.fulltext import needs_full_text
from bot.languages import article_language
from bot.markup import counted, shorten
from bot.sources import FeedKind, Source
from bot.store import FeedOrigin, FeedRow
from bot.wiring import Services

STALE = timedelta(days=30)
"""A feed whose newest entry is older than this has probably moved or stopped."""
_NAME_CHARS = 40

_ADVICE: tuple[tuple[type[Exception], str], ...] = (
    (AddressNotAllowed, "a feed on your own network: add its host to [fetch] allow_hosts"),
    (FeedGone, "the publisher removed it: remove the feed (/removefeed, or its [[feeds]])"),
    (RateLimited, "the server asks the bot to come back later; polls back off by themselves"),
    (FetchTimeout, "the server is slow or unreachable; try later, or raise [polling] timeout"),
    (FeedUnreachable, "check the host name, and that this machine reaches it"),
    (TooManyRedirects, "open the URL in a browser and use the address it ends at"),
    (ResponseTooLarge, "raise [polling] max_bytes if the feed is really that large"),
    (NotAFeed, "use the feed's own URL (its RSS or Atom link)"),
    (UnsupportedURL, "use an http:// or https:// URL"),
    (NotAChannel, "only public channels have a preview: check the name at t.me/s/NAME"),
    (SelectorMatchedNothing, "open the page and fix the selector ([[feeds]] items)"),
    (FeedParseError, "not RSS or Atom: check the URL, or tell the publisher the feed is broken"),
)
"""What to do about a feed that fails, by the first class its error is an instance of."""


_KIND_WORDS = {FeedKind.FEED: "feed", FeedKind.TELEGRAM: "channel", FeedKind.PAGE: "page"}
"""How the CHECK cell names each kind of source."""


@dataclass(frozen=True)
class FeedToCheck:
    """A feed the daemon would poll: what to read, its configured name, its ``full_text``."""

    source: Source
    name: str | None
    full_text: bool
    kind: str = "feed"
    """How the row names it: ``feed``, ``channel``, ``page``, or ``news search`` for a topic's
    search (``bot.news_search``), whose name is its query."""

    @property
    def url(self) -> str:
        return self.source.url


def feeds_to_check(configured: Sequence[FeedSpec], stored: Sequence[FeedRow]) -> list[FeedToCheck]:
    """The config file's feeds, then the database's enabled ones that the file does not list:
    what the daemon polls once it has merged the two (``sync_config_feeds``)."""
    feeds = [
        FeedToCheck(spec.source, spec.name, spec.full_text, _KIND_WORDS[spec.source.kind])
        for spec in configured
    ]
    listed = {feed.url for feed in feeds}
    feeds += [
        FeedToCheck(row.source, row.name or row.title, row.full_text, _kind(row))
        for row in stored
        if row.url not in listed
    ]
    return feeds


async def check_feed(services: Services, feed: FeedToCheck) -> Row:
    """One fetch and parse of ``feed``: its status, entries, newest date, language, teasers."""
    try:
        read = await read_feed(
            services.fetcher,
            services.parser,
            feed.source,
            telegram_preview=services.config.sources.telegram_preview,
        )
    except (FetchError, FeedParseError) as exc:
        return Row(_label(feed, feed.name or feed.url), Status.FAILED, str(exc), _advice(exc))
    check = _label(feed, feed.name or read.parsed.title or feed.url)
    articles = read.parsed.articles
    if not articles:
        return Row(check, Status.WARNING, f"{_answer(read)}, no entries", "check the URL")
    newest = max((a.published for a in articles if a.published), default=None)
    threshold = services.config.polling.full_text_threshold
    facts = [
        f"{_answer(read)}, {counted(len(articles), 'entry', 'entries')}",
        f"newest {newest:%Y-%m-%d %H:%M} UTC" if newest else "entries undated",
        _languages(articles),
        _full_text(articles, feed.full_text, threshold),
    ]
    result = ", ".join(facts)
    if newest and newest < datetime.now(UTC) - STALE:
        return Row(
            check,
            Status.WARNING,
            result,
            f"nothing new in {STALE.days} days: the feed may have moved; check its site",
        )
    return Row(check, Status.OK, result)


def _kind(row: FeedRow) -> str:
    """How the CHECK cell names a stored source: a search's name is its query."""
    return "news search" if row.origin is FeedOrigin.SEARCH else _KIND_WORDS[row.source.kind]


def _label(feed: FeedToCheck, name: str) -> str:
    """The CHECK cell of a feed: its kind and name (a search's query), shortened."""
    return f"{feed.kind} {shorten(name, _NAME_CHARS)}"


def _answer(read: FeedRead) -> str:
    """ "HTTP 200", and where from when the feed is elsewhere for good (a permanent redirect,
    or the feed a web page links to): the daemon moves the feed there at its first poll."""
    fetched = read.fetched
    moved = f" from {fetched.permanent_url}" if fetched.permanent_url else ""
    return f"HTTP {fetched.status}{moved}"


def _advice(exc: Exception) -> str:
    for kind, advice in _ADVICE:
        if isinstance(exc, kind):
            return advice
    if isinstance(exc, HTTPStatusError) and exc.status in (401, 403):
        return "the server refuses the bot (a login, or it blocks bots); ask the publisher"
    if isinstance(exc, HTTPStatusError) and exc.status >= 500:
        return "the server fails; if it lasts, tell the publisher"
    return "open the URL in a browser: the feed may have moved"


def _languages(articles: Sequence[Article]) -> str:
    """ "language en", or the two most common with their counts, or "language unknown"."""
    counts = Counter(article_language(article) or "unknown" for article in articles)
    if len(counts) == 1:
        return f"language {next(iter(counts))}"
    common = ", ".join(f"{code} {count}" for code, count in counts.most_common(2))
    return f"languages {common}{', …' if len(counts) > 2 else ''}"


def _full_text(articles: Sequence[Article], forced: bool, threshold: int) -> str:
    """Whether the bot fetches entries' pages to match them: all (``full_text = true``), the
    teasers (shorter than ``[polling] full_text_threshold``), or none."""
    if forced:
        return "full text: every entry's page (full_text = true)"
    teasers = sum(needs_full_text(article.text, False, threshold) for article in articles)
    if not teasers:
        return "full text: not needed"
    return (
        f"full text: {teasers} of {len(articles)} entries are teasers (under {threshold} "
        "characters), their pages are fetched"
    )
