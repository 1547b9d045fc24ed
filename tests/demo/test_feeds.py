"""The feeds and page shipped for ``topic-alert demo`` parse cleanly and keep the facts the demo
relies on: which items a rule such as ``Israel + Azerbaijan`` or ``Iran | Armenia -football``
must match, and which it must skip."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import pytest
from lxml import etree, html

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo"
FEEDS = DEMO / "feeds"
PAGES = DEMO / "pages"

EXPECTED = {
    "world-desk.xml": ("rss20", "World Desk (demo)", 8),
    "tech-wire.xml": ("atom10", "Tech Wire (demo)", 6),
    "regional-news.xml": ("rss20", "Regional News (demo)", 6),
}

HERZOG = "https://world-desk.example/2023/05/28/herzog-azerbaijan-visit"
ISRAELI_ONLY = "https://world-desk.example/2023/05/25/water-from-air-startup-funding"
FOOTBALL = "https://world-desk.example/2023/05/27/armenia-football-euro-qualifiers"
TEHRAN = "https://world-desk.example/2023/05/27/tehran-book-fair-paper-costs"
PEACE_TALKS = "https://world-desk.example/2023/05/26/armenia-azerbaijan-peace-talks"
BAKU_HUB = "https://tech-wire.example/2023/05/28/baku-tech-hub-startups"


def word(term: str, text: str) -> bool:
    """``term`` as a whole word (so "Israel" is not found in "Israeli")."""
    return re.search(rf"\b{re.escape(term)}\b(?!i)", text) is not None


def without_tracking(url: str) -> str:
    """``url`` without its utm_* query parameters, as the demo's dedup should see it."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def parsed(name: str) -> feedparser.FeedParserDict:
    return feedparser.parse((FEEDS / name).read_bytes())


def text_of(entry: feedparser.FeedParserDict) -> str:
    parts = [entry.get("title", ""), entry.get("summary", "")]
    parts += [c.get("value", "") for c in entry.get("content", [])]
    return "\n".join(parts)


def entry_by_link(name: str, link: str) -> feedparser.FeedParserDict:
    matches = [e for e in parsed(name).entries if e.get("link") == link]
    assert len(matches) == 1, f"{link} in {name}"
    return matches[0]


def test_no_other_demo_feeds() -> None:
    assert sorted(p.name for p in FEEDS.glob("*.xml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_feed_is_well_formed_xml(name: str) -> None:
    etree.parse(str(FEEDS / name))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_feed_parses_without_bozo(name: str) -> None:
    version, title, count = EXPECTED[name]
    feed = parsed(name)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == title
    assert len(feed.entries) == count


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_entry_has_title_link_and_a_late_may_2023_date(name: str) -> None:
    links = []
    for entry in parsed(name).entries:
        assert entry.get("title", "").strip()
        assert entry.get("link", "").startswith("https://")
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        assert when is not None, entry.get("title")
        assert (when.tm_year, when.tm_mon) == (2023, 5) and when.tm_mday >= 20
        assert entry.get("id"), entry.get("title")
        links.append(entry.link)
    assert len(set(links)) == len(links)


def test_herzog_item_is_first_with_teaser_and_full_text() -> None:
    entry = parsed("world-desk.xml").entries[0]
    assert entry.link == HERZOG
    assert len(entry.summary) < 300
    body = entry.content[0].value
    assert body.count("<p>") >= 4
    text = text_of(entry)
    for term in ("Herzog", "Azerbaijan", "Israel", "Iran", "Aliyev", "Baku", "Moshe Arbel"):
        assert word(term, text), term
    for fact in ("two-day", "75", "1993", "40 percent", "health cooperation agreement"):
        assert fact in text, fact


def test_israeli_only_item_never_says_israel() -> None:
    text = text_of(entry_by_link("world-desk.xml", ISRAELI_ONLY))
    assert "Israeli" in text
    assert re.search(r"\bIsrael\b(?!i)", text) is None


def test_football_item_mentions_football_and_armenia() -> None:
    text = text_of(entry_by_link("world-desk.xml", FOOTBALL))
    assert "football" in text
    assert word("Armenia", text)


def test_tehran_item_never_says_iran() -> None:
    text = text_of(entry_by_link("world-desk.xml", TEHRAN))
    assert "Tehran" in text
    assert not word("Iran", text)


def test_exactly_the_expected_items_mention_israel_and_azerbaijan() -> None:
    both = {
        entry.link
        for name in EXPECTED
        for entry in parsed(name).entries
        if word("Israel", text_of(entry)) and word("Azerbaijan", text_of(entry))
    }
    syndicated = parsed("regional-news.xml").entries[0].link
    assert both == {HERZOG, BAKU_HUB, syndicated}


def test_syndicated_herzog_copy_is_a_different_article_of_the_same_story() -> None:
    original = parsed("world-desk.xml").entries[0]
    copy = parsed("regional-news.xml").entries[0]
    assert without_tracking(copy.link) != without_tracking(original.link)
    assert urlsplit(copy.link).hostname != urlsplit(original.link).hostname
    assert copy.title != original.title
    assert word("Herzog", copy.title) and word("Azerbaijan", copy.title)


def test_tracking_copy_has_the_same_canonical_url_as_the_original() -> None:
    tagged = [e.link for e in parsed("regional-news.xml").entries if "utm_" in e.link]
    assert len(tagged) == 1
    assert tagged[0] != PEACE_TALKS
    assert without_tracking(tagged[0]) == PEACE_TALKS


def test_regional_feed_keeps_non_latin_text_and_the_hostile_title() -> None:
    titles = [e.title for e in parsed("regional-news.xml").entries]
    assert any("ə" in t and "İsrail" in t for t in titles)
    assert any(re.search("[А-Яа-я]", t) and "Баку" in t for t in titles)
    assert any(re.search("[Α-Ωα-ω]", t) for t in titles)
    raw = (FEEDS / "regional-news.xml").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in raw


def test_tech_wire_has_a_title_that_needs_escaping() -> None:
    titles = [e.title for e in parsed("tech-wire.xml").entries]
    assert any("<script>" in t and "&" in t and '"' in t for t in titles)


def test_herzog_page_has_the_article_and_the_clutter_around_it() -> None:
    doc = html.parse(str(PAGES / "herzog-visit.html"))
    assert doc.xpath("//link[@rel='canonical']/@href") == [HERZOG]
    article = doc.xpath("//article")
    assert len(article) == 1
    text = article[0].text_content()
    for term in ("Herzog", "Azerbaijan", "Israel", "Aliyev", "Moshe Arbel"):
        assert word(term, text), term
    assert doc.xpath("//header//nav") and doc.xpath("//footer[@class='site-footer']")
    assert doc.xpath("//*[contains(@class, 'cookie-banner')]")
    assert doc.xpath("//aside[contains(@class, 'related')]//a")
