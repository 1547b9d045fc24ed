"""Every real-world feed in ../shared/corpus/feeds parses into readable Articles.

The corpus is read in place (fixture ``corpus_dir``); ``expected-summary.json`` holds what
feedparser 6.0.14 itself reports for each file, so every entry it finds must come out as an
Article or as a counted phantom.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.feeds.parser import ParsedFeed, parse_feed

FEED_SUFFIXES = {".xml", ".rss", ".atom"}

# Entries with no title, no link and no text, which parse_feed drops. Every other file has
# none. Files that look close but keep every entry:
# - feedparser__windows1255.xml: its one entry has no title and no link, but a Hebrew
#   description, so it is kept (matched on its text).
# - rss2email__fastmailstatus_feed.rss: no entry has a link, but all have titles.
PHANTOMS = {
    # A self-closing <item /> is nested inside each of the 10 real items; feedparser reports
    # each as an entry of its own with nothing in it.
    "node-feedparser__illegally-nested.xml": 10,
    # One <item> has an empty <title>, <link> and <description>; only its pubDate is set.
    "miniflux__no_encoding_ISO-8859-1.xml": 1,
}

_MARKUP = re.compile(r"<[a-zA-Z/!][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in corpus_dir.iterdir() if p.suffix in FEED_SUFFIXES)


@pytest.fixture(scope="module")
def expected(corpus_dir: Path) -> dict[str, dict[str, object]]:
    return json.loads((corpus_dir / "expected-summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed(corpus_dir: Path) -> dict[str, ParsedFeed]:
    """Each file parsed once, with a feed URL as the fetcher would pass it."""
    return {
        path.name: parse_feed(path.read_bytes(), url=f"https://feeds.example.org/{path.name}")
        for path in corpus_files(corpus_dir)
    }


def test_the_whole_corpus_is_covered(corpus_dir: Path, expected, parsed) -> None:
    assert set(parsed) == set(expected)
    assert len(parsed) == 60


def test_every_entry_is_an_article_or_a_known_phantom(expected, parsed) -> None:
    dropped = {name: expected[name]["entries"] - len(f.articles) for name, f in parsed.items()}
    assert dropped == {name: PHANTOMS.get(name, 0) for name in expected}


def test_every_article_is_readable(parsed) -> None:
    unreadable = [
        (name, article.id)
        for name, feed in parsed.items()
        for article in feed.articles
        if not (article.title or article.text)
    ]
    assert unreadable == []


def test_every_url_is_absolute_or_none(parsed) -> None:
    relative = [
        (name, article.url)
        for name, feed in parsed.items()
        for article in feed.articles
        if article.url is not None and not article.url.startswith(("http://", "https://"))
    ]
    assert relative == []


def test_relative_links_without_xml_base_resolve(parsed) -> None:
    tpm = parsed["node-feedparser__tpm.atom"].articles[0]
    assert tpm.url.startswith("http://talkingpointsmemo.com/livewire/")
    neverwinter = parsed["node-feedparser__rss-with-relative-urls.xml"]
    assert all(
        a.url.startswith("https://feeds.example.org/en/games/") for a in neverwinter.articles
    )


def test_titles_are_plain_text(parsed) -> None:
    marked_up = [
        (name, article.title)
        for name, feed in parsed.items()
        for article in feed.articles
        if _MARKUP.search(article.title)
    ]
    assert marked_up == []


def test_published_times_are_aware_utc(expected, parsed) -> None:
    for name, feed in parsed.items():
        dated = [a.published for a in feed.articles if a.published is not None]
        assert all(when.utcoffset().total_seconds() == 0 for when in dated), name
        assert len(dated) <= expected[name]["entries_with_date"], name


def test_legacy_encodings_decode(parsed) -> None:
    """Files in ISO-8859-1, windows-1251 and windows-1255 (the last with no declaration)."""
    texts = {
        name: " ".join(a.title + " " + a.text for a in parsed[name].articles)
        for name in (
            "miniflux__encoding_ISO-8859-1.xml",
            "miniflux__encoding_WINDOWS-1251.xml",
            "feedparser__windows1255.xml",
        )
    }
    assert "ü" in texts["miniflux__encoding_ISO-8859-1.xml"]
    assert "Цитата" in texts["miniflux__encoding_WINDOWS-1251.xml"]
    assert "אתר" in texts["feedparser__windows1255.xml"]
