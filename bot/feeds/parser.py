"""Feed bytes → normalized Articles, via feedparser.

feedparser does the hard part (RSS 0.9x/1.0/2.0, Atom, encodings, recovering broken XML);
this module turns its loosely typed entries into Articles with plain text, canonical absolute
URLs and aware UTC times, and drops the empty "phantom" entries broken feeds produce.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.article import Article
from bot.feeds.errors import FeedParseError
from bot.feeds.normalize import article_id, canonical_url, html_to_text, tidy_text

__all__ = ["FeedParseError", "ParsedFeed", "parse_feed"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedFeed:
    """One parse of a feed document."""

    title: str
    link: str | None
    """The site the feed belongs to (absolute), when the feed says."""
    ttl_minutes: int | None
    """RSS <ttl>: how long the publisher says the feed may be cached."""
    articles: list[Article]
    phantoms_dropped: int
    """Entries with no title, no link and no text, which no one could read or match."""
    bozo: bool
    """feedparser had to recover from malformed input; the articles are still usable."""
    bozo_reason: str | None


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
    name, preferred over the feed's own title as the articles' source. With ``first_seen``,
    a publication time later than it (a wrong clock or time zone at the publisher) is
    clamped to it, so an article never looks newer than the moment we first saw it.
    Raises FeedParseError, and nothing else, for bytes that are not a feed at all.
    """
    parsed = _feedparser_parse(content, url, headers)
    feed = parsed.feed
    reason = _bozo_reason(parsed)
    if not parsed.entries and not (feed.get("title") or parsed.get("version")):
        detail = f" ({reason})" if reason else ""
        raise FeedParseError(f"{url}: not an RSS or Atom feed{detail}")
    title = _one_line(_detail_text(feed, "title"))
    link = canonical_url(feed.get("link") or "", url)
    context = _FeedContext(
        feed_url=url,
        base=link or url,
        source=name or title or _host(url),
        language=_language(feed.get("language") or (headers or {}).get("content-language")),
        first_seen=first_seen,
    )
    articles = [article for entry in parsed.entries if (article := context.article(entry))]
    return ParsedFeed(
        title=title,
        link=link,
        ttl_minutes=_ttl(feed.get("ttl")),
        articles=articles,
        phantoms_dropped=len(parsed.entries) - len(articles),
        bozo=bool(parsed.get("bozo")),
        bozo_reason=reason,
    )


def _feedparser_parse(
    content: bytes, url: str, headers: Mapping[str, str] | None
) -> feedparser.FeedParserDict:
    """feedparser.parse on bytes, safely.

    The bytes go in as a stream: given plain bytes, feedparser first tries them as a file
    name and would read a local file whose path a server sent us.
    """
    response_headers = {key.lower(): value for key, value in (headers or {}).items()}
    try:
        return feedparser.parse(io.BytesIO(content), response_headers=response_headers)
    except Exception as exc:  # feedparser is third-party; its crashes must not stop a poll
        raise FeedParseError(f"{url}: feedparser failed on this document: {exc!r}") from exc


@dataclass(frozen=True)
class _FeedContext:
    """What every entry of one feed shares when it becomes an Article."""

    feed_url: str
    base: str
    source: str
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
            source=self.source,
            language=_language(_entry_language(entry)) or self.language,
            authors=_unique(_author_names(entry)),
            tags=_unique(tag.get("term") or tag.get("label") for tag in entry.get("tags") or ()),
        )

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
        return datetime(*parsed[:6], tzinfo=UTC)
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


def _language(value: str | None) -> str | None:
    """A language tag in one spelling ("en-US", "en_us" → "en-us")."""
    tag = (value or "").strip().replace("_", "-").lower()
    return tag or None


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
