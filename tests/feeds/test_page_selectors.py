"""A page without a feed becomes articles through its CSS selectors: one per matched element,
one per link, with the title, link and date where the selectors say (or where a page usually
has them); a selector that matches nothing is a named error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.feeds.errors import FeedParseError, SelectorMatchedNothing
from bot.feeds.page import parse_page
from bot.sources import PageSelectors
from tests.support.channel_preview import news_page

URL = "https://courier.example/news"
PUBLISHED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PAGE = news_page(
    [
        ("/2026/herzog-baku", "Herzog lands in Baku", "Talks on energy begin."),
        ("/2026/port", "Caspian port reopens", "Ships return to Aktau."),
        ("/2026/herzog-baku?utm_source=home", "Herzog lands in Baku (again)", "A repeat."),
    ],
    published=PUBLISHED,
)


def test_each_matched_element_is_an_article_deduplicated_by_link() -> None:
    parsed = parse_page(PAGE, URL, PageSelectors("article.story"))

    assert parsed.title == "Caspian Courier"
    assert [(a.title, a.url) for a in parsed.articles] == [
        ("Herzog lands in Baku", "https://courier.example/2026/herzog-baku"),
        ("Caspian port reopens", "https://courier.example/2026/port"),
    ]
    first = parsed.articles[0]
    assert first.text == "Herzog lands in Baku\n\nan hour ago\n\nTalks on energy begin."
    assert first.published is None  # no date selector: the time it is first seen
    assert first.source == "Caspian Courier"


def test_title_link_and_date_selectors_are_read_inside_each_item() -> None:
    selectors = PageSelectors("article.story", title="p", link="h2 a", date="time")

    first = parse_page(PAGE, URL, selectors, None, "Courier").articles[0]

    assert (first.title, first.source) == ("Talks on energy begin.", "Courier")
    assert first.url == "https://courier.example/2026/herzog-baku"
    assert first.published == PUBLISHED


def test_a_selector_that_matches_nothing_is_a_named_error() -> None:
    with pytest.raises(SelectorMatchedNothing) as raised:
        parse_page(PAGE, URL, PageSelectors("div.teaser"))

    assert str(raised.value) == (
        f"{URL}: the selector matched nothing: the page changed? (div.teaser)"
    )


def test_bytes_that_are_no_page_match_nothing() -> None:
    with pytest.raises(SelectorMatchedNothing):
        parse_page(b"\x00\xff", URL, PageSelectors("article"))


def test_an_unreadable_selector_is_a_parse_error_not_a_crash() -> None:
    with pytest.raises(FeedParseError, match="not a CSS selector"):
        parse_page(PAGE, URL, PageSelectors("article.story", title="h2["))
