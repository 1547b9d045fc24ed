"""Full article text from the article's web page, for feeds that send only a teaser.

Matching a two-line teaser misses terms that occur only in the story body, so for feeds
configured with ``full_text = true``, and for entries shorter than ``[polling]
full_text_threshold``, the page is fetched and its main text extracted before matching.
:func:`with_full_text` decides which entries need it; extraction is offline: the HTML comes
from the caller's fetcher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from bot.article import Article
from bot.feeds.errors import FetchError
from bot.language_tags import primary_subtag

logger = logging.getLogger(__name__)

MIN_PAGE_TEXT = 200
"""Less extracted text than this is a menu, a paywall notice or an error page, not a story."""


class FullTextError(Exception):
    """The page could not be fetched or yielded no article text; use the feed text instead."""


class PageResult(Protocol):
    """The part of a fetch result this module reads (``bot.feeds.fetcher.FetchResult``)."""

    @property
    def content(self) -> bytes: ...


class PageFetcher(Protocol):
    """Anything that fetches a page; the real one is ``bot.feeds.fetcher.Fetcher``.

    Failures must be raised as ``bot.feeds.errors.FetchError``.
    """

    async def fetch_page(self, url: str) -> PageResult: ...


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """The main text of a page and the metadata found with it."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    """As the page states it, normalised by trafilatura to ``YYYY-MM-DD``."""
    language: str | None = None


def needs_full_text(text: str, forced: bool, threshold: int) -> bool:
    """Whether to fetch the page: forced by the feed's settings, or the entry is a teaser
    (less text than ``threshold`` characters, ``[polling] full_text_threshold``)."""
    return forced or len(text.strip()) < threshold


def extract_page(html: bytes | str, url: str) -> ExtractedPage | None:
    """The story text and metadata of an article page, or None when it has none.

    Precision is favoured over recall: a missing paragraph costs less than a cookie banner or
    a list of related links in the summary, and comments and tables are left out for the same
    reason.
    """
    tree = load_html(html)
    if tree is None:
        logger.info("%s is not an HTML page", url)
        return None
    language = _declared_language(tree)
    found = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_links=False,
        include_images=False,
        with_metadata=True,
    )
    # A dict comes back only with the deprecated ``as_dict=True``, which is not passed.
    document = found if isinstance(found, Document) else None
    text = (document.text or "").strip() if document is not None else ""
    if document is None or len(text) < MIN_PAGE_TEXT:
        logger.info("no article text found in %s (%d characters extracted)", url, len(text))
        return None
    return ExtractedPage(
        text=text,
        title=document.title or None,
        author=document.author or None,
        date=document.date or None,
        language=document.language or language,
    )


def _declared_language(tree: HtmlElement) -> str | None:
    """The page's declared language as a primary subtag ("en" for ``lang="en-GB"``)."""
    declared = tree.get("lang") or next(
        iter(
            tree.xpath("//meta[@http-equiv='content-language' or @property='og:locale']/@content")
        ),
        "",
    )
    return primary_subtag(declared)


async def with_full_text(
    fetcher: PageFetcher, articles: Sequence[Article], *, forced: bool, threshold: int
) -> tuple[list[Article], int]:
    """The articles with their pages' text where the feed sends only teasers (or ``forced``).

    Returns the articles in order and how many page fetches failed; a failed one keeps its
    feed text, since a teaser still matches on its title.
    """

    async def one(article: Article) -> tuple[Article, bool]:
        try:
            return await fetch_full_text(fetcher, article), True
        except FullTextError as exc:
            reason = str(exc).removeprefix(f"{article.url}: ")  # named once, at the start
            logger.info("%s: full text unavailable, using the feed text: %s", article.url, reason)
            return article, False

    # Only teasers become tasks: the full articles of a poll (nearly all) cost none.
    teasers = [
        i for i, article in enumerate(articles) if needs_full_text(article.text, forced, threshold)
    ]
    done = await asyncio.gather(*(one(articles[i]) for i in teasers))
    result = list(articles)
    for i, (article, _) in zip(teasers, done, strict=True):
        result[i] = article
    return result, sum(not ok for _, ok in done)


async def fetch_full_text(fetcher: PageFetcher, article: Article) -> Article:
    """``article`` with its page's text (whether it needs it is :func:`with_full_text`'s call).

    Raises FullTextError when the page cannot be had, so that the caller can count the failure
    per feed and keep the feed text.
    """
    if not article.url:
        raise FullTextError(f"article {article.id!r} has no link to fetch")
    try:
        result = await fetcher.fetch_page(article.url)
    except FetchError as exc:
        raise FullTextError(f"fetching {article.url} failed: {exc}") from exc
    page = extract_page(result.content, article.url)
    if page is None:
        raise FullTextError(f"no article text in {article.url}")
    return replace(
        article,
        text=page.text,
        title=article.title or page.title or "",
        language=article.language or page.language,
        authors=article.authors or ((page.author,) if page.author else ()),
    )
