"""A web page without a feed → Articles, through the CSS selectors its feed row names.

Each element the item selector matches is an article (``bot.sources.PageSelectors`` says
where its title, link and date are); two items with one link are one article, the first. The
selectors are compiled by cssselect into XPath that lxml runs, so no matching is written
here. A page where the item selector matches nothing raises :class:`SelectorMatchedNothing`:
the site changed its layout, and the operator is told as for any failing feed. Runs in the
parse workers, like feedparser.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from bot.article import Article
from bot.feeds.errors import FeedParseError, SelectorMatchedNothing
from bot.feeds.normalize import (
    article_id,
    canonical_url,
    element_text,
    html_root,
    selected,
    words_of,
)
from bot.feeds.parser import ParsedFeed
from bot.i18n import N_, Deferred
from bot.markup import shorten
from bot.sources import PageSelectors

TITLE_CHARS = 200
"""The longest title taken from an item's text when it has no heading."""

_HEADING = "h1, h2, h3, h4, h5, h6"
_LINK = "a[href]"


def parse_page(
    content: bytes,
    url: str,
    selectors: PageSelectors,
    headers: Mapping[str, str] | None = None,
    name: str | None = None,
    first_seen: datetime | None = None,
) -> ParsedFeed:
    """The page's items as Articles (positional, so that a parse worker can be handed them);
    raises SelectorMatchedNothing when the item selector finds none."""
    root = html_root(content, (headers or {}).get("content-type"))
    items = _select(selectors.item, root, url) if root is not None else []
    if root is None or not items:
        raise SelectorMatchedNothing(
            url,
            Deferred(
                N_("the selector matched nothing: the page changed? ({selector})"),
                selector=selectors.item,
            ),
        )
    title = words_of(next(root.iter("title"), None))
    reader = _ItemReader(url, selectors, source=name or title or url, first_seen=first_seen)
    articles: dict[str, Article] = {}
    for item in items:
        article = reader.article(item)
        if article is not None:
            articles.setdefault(article.url or article.id, article)
    return ParsedFeed(title=title, ttl_minutes=None, articles=list(articles.values()))


class _ItemReader:
    """What every item of one page shares when it becomes an Article."""

    def __init__(
        self, url: str, selectors: PageSelectors, *, source: str, first_seen: datetime | None
    ) -> None:
        self.url = url
        self.selectors = selectors
        self.source = source
        self.first_seen = first_seen

    def article(self, item: etree._Element) -> Article | None:
        """The item as an Article, or None for an element with neither words nor a link."""
        text = element_text(item)
        link = self._first(item, self.selectors.link or _LINK, itself=item.tag == "a")
        url = canonical_url(link.get("href") or "", self.url) if link is not None else None
        title = self._title(item, link, text)
        if not (title or url):
            return None
        published = self._published(item)
        return Article(
            id=article_id(None, url, title, published),
            feed_url=self.url,
            url=url,
            title=title,
            text=text,
            published=published,
            source=self.source,
        )

    def _title(self, item: etree._Element, link: etree._Element | None, text: str) -> str:
        """The title selector's text; else the item's first heading, its link's words, or
        its first line."""
        for node in (
            self._first(item, self.selectors.title) if self.selectors.title else None,
            self._first(item, _HEADING),
            link,
        ):
            words = words_of(node)
            if words:
                return shorten(words, TITLE_CHARS)
        return shorten(text.split("\n", 1)[0], TITLE_CHARS)

    def _published(self, item: etree._Element) -> datetime | None:
        if not self.selectors.date:
            return None
        node = self._first(item, self.selectors.date)
        if node is None:
            return None
        published = _date(node.get("datetime") or words_of(node))
        if published and self.first_seen and published > self.first_seen:
            return self.first_seen
        return published

    def _first(
        self, item: etree._Element, selector: str, *, itself: bool = False
    ) -> etree._Element | None:
        """The first element ``selector`` finds inside ``item`` (``item`` itself when
        ``itself``)."""
        if itself:
            return item
        found = _select(selector, item, self.url)
        return found[0] if found else None


def _select(selector: str, root: etree._Element, url: str) -> list[etree._Element]:
    try:
        return selected(_compiled(selector), root)
    except SelectorError as exc:
        # TRANSLATORS: keep: CSS
        unreadable = Deferred(N_("not a CSS selector: {detail}"), detail=f"{selector!r}: {exc}")
        raise FeedParseError(url, unreadable) from None


@lru_cache(maxsize=256)
def _compiled(selector: str) -> CSSSelector:
    """A selector compiled once per worker: a page is polled again and again."""
    return CSSSelector(selector)


def _date(text: str) -> datetime | None:
    """An ISO 8601 or e-mail style date (what ``<time datetime>`` and pages write), in UTC."""
    text = " ".join(text.split())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
