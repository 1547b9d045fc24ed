"""A local news-search service in the shape of Google News' search RSS, for the news-search
tests (``bot.news_search``).

Its search answers only the query the bot is expected to send (``/rss/search?q=…&hl=…&gl=…
&ceid=…``; any other gets pytest-httpserver's 500), with items whose links point back at the
service (``/rss/articles/ID``), each redirecting (302) to the article's page on another server,
as a search service's own links send a reader on. ``redirects=False`` answers those links with
a page of their own instead, as Google News' do today (a script sends the reader on).

A pytest plugin (tests/conftest.py loads it): a test asks for the ``news_search`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from bot.config import SourcesConfig
from tests.support.feeds_samples import html_page

TEMPLATE = "/rss/search?q={query}&hl={language}&gl={region}&ceid={region}:{language}"
"""The default ``search_url``'s path and parameters, on the local service."""


@dataclass(frozen=True)
class Result:
    """One search result: its id on the service, headline, outlet and page path."""

    id: str
    title: str
    outlet: str
    path: str
    text: str


@dataclass
class NewsSearchService:
    """The search service (``service``) and the outlets' pages (``outlets``), two servers."""

    service: HTTPServer
    outlets: HTTPServer
    redirects: bool = True
    results: dict[str, list[Result]] = field(default_factory=dict)
    """Query → its results, newest first, as the search answers it now."""

    def sources(self, **options: object) -> SourcesConfig:
        """``[sources]`` with news search on, searching this service."""
        url = self.service.url_for("/").rstrip("/") + TEMPLATE
        return SourcesConfig(news_search=True, search_url=url, **options)  # type: ignore[arg-type]

    def answer(self, query: str, *, language: str = "en", region: str = "US") -> None:
        """From now on, answer the search for ``query`` (with no results until some are
        published)."""
        self.results.setdefault(query, [])
        parameters = {"q": query, "hl": language, "gl": region, "ceid": f"{region}:{language}"}
        self.service.expect_request("/rss/search", query_string=parameters).respond_with_handler(
            lambda request: self._feed(query)
        )

    def publish(self, query: str, result: Result) -> None:
        """The search finds ``result`` for ``query``; its link and page are served."""
        self.results[query].insert(0, result)
        link = f"/rss/articles/{result.id}"
        if self.redirects:
            target = self.outlets.url_for(result.path)
            self.service.expect_request(link).respond_with_data(
                "", status=302, headers={"Location": target}
            )
        else:
            self.service.expect_request(link).respond_with_data(
                html_page(body="<script>location = '…'</script>"), content_type="text/html"
            )
        page = html_page(body=f"<article><h1>{escape(result.title)}</h1><p>{result.text}</p>")
        self.outlets.expect_request(result.path).respond_with_data(page, content_type="text/html")

    def link(self, result: Result) -> str:
        """The result's link in the search's RSS."""
        return self.service.url_for(f"/rss/articles/{result.id}") + "?oc=5"

    def page(self, result: Result) -> str:
        """The article's own address."""
        return self.outlets.url_for(result.path)

    def _feed(self, query: str) -> Response:
        items = "".join(self._item(result) for result in self.results[query])
        document = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>&quot;{escape(query)}&quot; - Google News</title>"
            f"<link>{self.service.url_for('/')}</link>{items}</channel></rss>"
        )
        return Response(document.encode(), content_type="application/rss+xml")

    def _item(self, result: Result) -> str:
        headline = f"{result.title} - {result.outlet}"
        return (
            f"<item><title>{escape(headline)}</title><link>{escape(self.link(result))}</link>"
            f'<guid isPermaLink="false">{result.id}</guid>'
            f"<pubDate>{format_datetime(datetime.now(UTC))}</pubDate>"
            f"<description>{escape(headline)}</description>"
            f'<source url="{self.outlets.url_for("/")}">{escape(result.outlet)}</source></item>'
        )


@pytest.fixture
def news_search(httpserver: HTTPServer) -> Iterator[NewsSearchService]:
    """The search service on ``httpserver``, the outlets' pages on a second local server."""
    outlets = HTTPServer(host="127.0.0.1")
    outlets.start()
    try:
        yield NewsSearchService(httpserver, outlets)
    finally:
        outlets.clear()
        outlets.stop()
