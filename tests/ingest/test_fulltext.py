"""Full text: a realistic page around the sample article, served locally, fetched, extracted."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from string import Template

import pytest
from pytest_httpserver import HTTPServer

from bot.article import Article
from bot.feeds.fetcher import Fetcher
from bot.ingest.fulltext import (
    FullTextError,
    extract_page,
    fetch_full_text,
    needs_full_text,
    with_full_text,
)
from bot.summary import summarize
from tests.support.local_hosts import local_limits

PAGE_TEMPLATE = Path(__file__).parents[1] / "data" / "summary" / "article_page.html"
PUBLISHED = "2023-05-28T15:05:00+03:00"
FURNITURE = (
    "We use cookies",
    "Accept all",
    "Middle East",
    "Podcasts",
    "Related stories",
    "lentil soup",
    "Sign up for our free newsletter",
    "Terms of use",
    "All rights reserved",
)
DEEP_IN_THE_STORY = "first Israeli foreign minister to visit Slovakia"


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(local_limits()) as real_fetcher:
        yield real_fetcher


@dataclass(frozen=True)
class SamplePage:
    title: str
    lead: str
    author: str
    html: str


@pytest.fixture(scope="module")
def sample_page(sample_article_text: str) -> SamplePage:
    """The sample article laid out as a news site would serve it (built at run time)."""
    lines = [line.strip() for line in sample_article_text.splitlines() if line.strip()]
    title, lead = lines[1], lines[2]
    author = next(line for line in lines if line.startswith("By ")).removeprefix("By ").title()
    story = [line for line in lines[2:] if not line.startswith(("By ", "Published:"))]
    body = "\n".join(f"    <p>{html.escape(line)}</p>" for line in story)
    page = Template(PAGE_TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=html.escape(title), author=author, published=PUBLISHED, body=body
    )
    return SamplePage(title=title, lead=lead, author=author, html=page)


def teaser(sample_page: SamplePage, url: str | None) -> Article:
    return Article(
        id="herzog-1",
        feed_url="http://feeds.invalid/world.xml",
        url=url,
        title=sample_page.title,
        text=sample_page.lead,
        published=datetime(2023, 5, 28, 12, 5, tzinfo=UTC),
        source="World desk",
    )


def test_extraction_keeps_the_story_and_drops_the_page_around_it(sample_page: SamplePage) -> None:
    page = extract_page(sample_page.html.encode(), "http://news.invalid/herzog")
    assert page is not None
    assert "Herzog will travel to Azerbaijan on Tuesday" in page.text
    assert DEEP_IN_THE_STORY in page.text
    for furniture in FURNITURE:
        assert furniture not in page.text
    assert page.title == sample_page.title
    assert page.author == sample_page.author
    assert page.date == "2023-05-28"
    assert page.language == "en"


def test_a_page_without_a_story_yields_nothing() -> None:
    menu = "<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></body></html>"
    assert extract_page(menu, "http://news.invalid/") is None


@pytest.mark.parametrize(
    ("text", "forced", "expected"),
    [("x" * 299, False, True), ("x" * 300, False, False), ("x" * 2000, True, True)],
)
def test_needs_full_text_for_teasers_or_when_forced(
    text: str, forced: bool, expected: bool
) -> None:
    assert needs_full_text(text, forced, threshold=300) is expected


async def test_a_rule_on_terms_deep_in_the_story_matches_only_with_full_text(
    httpserver: HTTPServer, sample_page: SamplePage, fetcher: Fetcher
) -> None:
    rules = pytest.importorskip("rules")
    if not hasattr(rules, "compile"):
        pytest.skip("the rule engine is not built yet")
    httpserver.expect_request("/herzog").respond_with_data(
        sample_page.html, content_type="text/html; charset=utf-8"
    )
    article = teaser(sample_page, httpserver.url_for("/herzog"))
    rule = rules.compile("Slovakia + Zagreb")
    assert not rule.matches(article.rule_doc())

    full = await fetch_full_text(fetcher, article)

    assert rule.matches(full.rule_doc())
    assert DEEP_IN_THE_STORY in full.text
    assert full.title == article.title and full.id == article.id
    assert full.authors == (sample_page.author,)


async def test_full_text_feeds_the_summary(
    httpserver: HTTPServer, sample_page: SamplePage, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/herzog").respond_with_data(
        sample_page.html, content_type="text/html; charset=utf-8"
    )
    full = await fetch_full_text(fetcher, teaser(sample_page, httpserver.url_for("/herzog")))
    summary = summarize(full.title, full.text)
    assert summary.text.startswith(sample_page.lead)
    assert not any(furniture in summary.text for furniture in FURNITURE)


async def test_long_feed_text_is_kept_without_fetching(
    httpserver: HTTPServer, sample_page: SamplePage, fetcher: Fetcher
) -> None:
    article = teaser(sample_page, httpserver.url_for("/herzog"))
    long_entry = Article(**{**_fields(article), "text": article.text * 5})
    assert await with_full_text(fetcher, [long_entry], forced=False, threshold=300) == (
        [long_entry],
        0,
    )
    assert httpserver.log == []


async def test_forced_full_text_fetches_even_long_entries(
    httpserver: HTTPServer, sample_page: SamplePage, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/herzog").respond_with_data(
        sample_page.html, content_type="text/html"
    )
    article = teaser(sample_page, httpserver.url_for("/herzog"))
    long_entry = Article(**{**_fields(article), "text": article.text * 5})
    [full], failures = await with_full_text(fetcher, [long_entry], forced=True, threshold=300)
    assert failures == 0
    assert DEEP_IN_THE_STORY in full.text


async def test_a_failed_fetch_raises_full_text_error(
    httpserver: HTTPServer, sample_page: SamplePage, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/gone").respond_with_data("not here", status=404)
    with pytest.raises(FullTextError, match="/gone"):
        await fetch_full_text(fetcher, teaser(sample_page, httpserver.url_for("/gone")))


async def test_a_page_without_a_story_raises_full_text_error(
    httpserver: HTTPServer, sample_page: SamplePage, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/menu").respond_with_data(
        "<html><body><nav>Home World</nav></body></html>", content_type="text/html"
    )
    with pytest.raises(FullTextError, match="no article text"):
        await fetch_full_text(fetcher, teaser(sample_page, httpserver.url_for("/menu")))


async def test_an_entry_without_a_link_raises_full_text_error(
    sample_page: SamplePage, fetcher: Fetcher
) -> None:
    with pytest.raises(FullTextError, match="no link"):
        await fetch_full_text(fetcher, teaser(sample_page, None))


def _fields(article: Article) -> dict[str, object]:
    return {name: getattr(article, name) for name in Article.__dataclass_fields__}
