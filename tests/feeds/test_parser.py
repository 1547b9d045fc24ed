"""parse_feed turns any feed document into clean Articles, and anything else into one error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import FeedParseError, parse_feed
from tests.support.feeds_samples import html_page, rss
from tests.support.local_hosts import local_limits

FEED_URL = "https://news.example.org/feeds/world.xml"

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
  <title type="html">World &amp;amp; Politics</title>
  <link rel="alternate" href="https://news.example.org/"/>
  <entry>
    <id>urn:uuid:1</id>
    <title type="html">&lt;b&gt;Israel&lt;/b&gt; &amp;amp; Azerbaijan sign deal</title>
    <link rel="alternate" href="/2024/deal?utm_source=rss&amp;id=9"/>
    <published>2024-05-01T14:00:00+02:00</published>
    <updated>2024-05-02T09:00:00Z</updated>
    <summary>Short.</summary>
    <content type="html">&lt;p&gt;The &lt;i&gt;full&lt;/i&gt; story.&lt;/p&gt;
      &lt;p&gt;Second para.&lt;/p&gt;</content>
    <author><name>Dana Levi</name></author>
    <author><name>Dana Levi</name></author>
    <category term="politics"/><category term="Middle East"/>
  </entry>
</feed>
"""


def test_atom_entry_becomes_a_clean_article() -> None:
    feed = parse_feed(ATOM, url=FEED_URL)
    assert feed.title == "World & Politics"
    [article] = feed.articles
    assert article.id == "urn:uuid:1"
    assert article.feed_url == FEED_URL
    assert article.url == "https://news.example.org/2024/deal?id=9"
    assert article.title == "Israel & Azerbaijan sign deal"
    assert article.text == "The full story.\n\nSecond para."
    assert article.published == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert article.source == "World & Politics"
    assert article.language == "en-gb"
    assert article.authors == ("Dana Levi",)
    assert article.tags == ("politics", "Middle East")


def test_rss_item_fields_and_configured_name() -> None:
    document = rss(
        [
            {
                "title": "Plain title with <angle> & ampersand",
                "link": "https://news.example.org/a?fbclid=zz",
                "description": "<p>Para one.</p><script>alert(1)</script><p>Para&nbsp;two.</p>",
                "pubDate": "Wed, 01 May 2024 10:00:00 -0400",
                "guid": "a-1",
                "category": "world",
            }
        ],
        ttl=45,
    )
    feed = parse_feed(document, url=FEED_URL, name="My News")
    [article] = feed.articles
    assert article.title == "Plain title with <angle> & ampersand"
    assert article.text == "Para one.\n\nPara two."
    assert article.url == "https://news.example.org/a"
    assert article.published == datetime(2024, 5, 1, 14, 0, tzinfo=UTC)
    assert (article.id, article.source, article.tags) == ("a-1", "My News", ("world",))
    assert feed.ttl_minutes == 45


def test_updated_stands_in_for_a_missing_published_date() -> None:
    atom = ATOM.replace(b"<published>2024-05-01T14:00:00+02:00</published>", b"")
    updated = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
    assert parse_feed(atom, url=FEED_URL).articles[0].published == updated
    assert parse_feed(rss([{"title": "undated"}]), url=FEED_URL).articles[0].published is None


def test_future_dates_are_clamped_to_first_seen_but_ids_stay_stable() -> None:
    seen = datetime(2024, 1, 1, tzinfo=UTC)
    document = rss([{"title": "From the future", "pubDate": "Fri, 01 Jan 2100 00:00:00 GMT"}])
    clamped = parse_feed(document, url=FEED_URL, first_seen=seen).articles[0]
    free = parse_feed(document, url=FEED_URL).articles[0]
    assert clamped.published == seen
    assert free.published == datetime(2100, 1, 1, tzinfo=UTC)
    assert clamped.id == free.id


def test_relative_links_resolve_against_the_feed() -> None:
    document = rss(
        [{"title": "Rel", "link": "/stories/1"}, {"title": "Rel2", "link": "two.html"}],
        link="/site/",
    )
    feed = parse_feed(document, url=FEED_URL)
    assert [a.url for a in feed.articles] == [
        "https://news.example.org/stories/1",
        "https://news.example.org/site/two.html",
    ]


def test_source_falls_back_to_the_host_without_www() -> None:
    document = rss([{"title": "x"}], title="")
    feed = parse_feed(document, url="https://www.example.net/rss")
    assert feed.articles[0].source == "example.net"


def test_empty_phantom_entries_are_dropped() -> None:
    document = rss(
        [
            {"title": "Real"},
            {"pubDate": "Wed, 01 May 2024 10:00:00 GMT"},  # nothing anyone could read
            {"title": "  ", "description": "<p> </p>"},
            {"link": "https://news.example.org/only-a-link"},
            {"description": "Only text"},
        ]
    )
    feed = parse_feed(document, url=FEED_URL)
    assert [(a.title, a.url, a.text) for a in feed.articles] == [
        ("Real", None, ""),
        ("", "https://news.example.org/only-a-link", ""),
        ("", None, "Only text"),
    ]


def test_malformed_feed_is_recovered() -> None:
    broken = (
        b"<rss version='2.0'><channel><title>Broken & Co</title>"
        b"<item><title>Still <b>here</title><link>https://news.example.org/a</link></item>"
    )
    feed = parse_feed(broken, url=FEED_URL)
    assert feed.title == "Broken & Co"
    assert [(a.title, a.url) for a in feed.articles] == [
        ("Still here", "https://news.example.org/a")
    ]


@pytest.mark.parametrize(
    "content",
    [b"", html_page(), b"\x00\x01\x02\xff random", b'{"version": "https://jsonfeed.org"}'],
)
def test_documents_that_are_not_feeds_raise_feed_parse_error(content: bytes) -> None:
    with pytest.raises(FeedParseError, match=f"^{FEED_URL}: not an RSS or Atom feed"):
        parse_feed(content, url=FEED_URL)


def test_bytes_naming_a_local_file_are_not_read_as_that_file(tmp_path: Path) -> None:
    """feedparser would open a path it is given as bytes; a server must not steer that."""
    local = tmp_path / "feed.xml"
    local.write_bytes(rss([{"title": "secret local file"}]))
    with pytest.raises(FeedParseError):
        parse_feed(str(local).encode(), url=FEED_URL)


@pytest.mark.parametrize(
    ("encoding", "declare", "content_type", "word"),
    [
        ("iso-8859-1", True, "application/rss+xml", "Müller"),
        ("iso-8859-1", False, "application/rss+xml; charset=ISO-8859-1", "Müller"),
        ("windows-1251", True, "text/xml; charset=windows-1251", "Привет"),
        ("windows-1251", False, "application/xml; charset=windows-1251", "Привет"),
    ],
)
async def test_legacy_encodings_decode_over_http(
    httpserver, encoding: str, declare: bool, content_type: str, word: str
) -> None:
    document = rss([{"title": f"{word} sagt", "description": word}], encoding=encoding,
                   declare=declare)  # fmt: skip
    httpserver.expect_request("/feed").respond_with_data(document, content_type=content_type)
    async with Fetcher(local_limits()) as fetcher:
        result = await fetcher.fetch(httpserver.url_for("/feed"))
    feed = parse_feed(result.content, url=result.final_url, headers=result.headers)
    assert feed.articles[0].title == f"{word} sagt"
    assert feed.articles[0].text == word


async def test_one_story_in_two_feeds_has_one_url_and_id(httpserver) -> None:
    story = "https://news.example.org/2024/05/story"
    httpserver.expect_request("/a.xml").respond_with_data(
        rss([{"title": "Story", "link": f"{story}?utm_source=feed_a&utm_medium=rss"}])
    )
    httpserver.expect_request("/b.xml").respond_with_data(
        rss([{"title": "Story!", "link": f"{story}?utm_campaign=b#top"}])
    )
    async with Fetcher(local_limits()) as fetcher:
        results = [await fetcher.fetch(httpserver.url_for(p)) for p in ("/a.xml", "/b.xml")]
    articles = [parse_feed(r.content, url=r.final_url).articles[0] for r in results]
    assert {a.url for a in articles} == {story}
    assert {a.id for a in articles} == {story}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_feed_or_feed_parse_error(content: bytes) -> None:
    try:
        feed = parse_feed(content, url=FEED_URL)
    except FeedParseError as exc:
        assert str(exc).startswith(f"{FEED_URL}: ")
    else:
        assert all(article.feed_url == FEED_URL for article in feed.articles)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0, max_value=len(ATOM)), junk=st.binary(max_size=40))
def test_damaged_feeds_still_give_readable_articles(position: int, junk: bytes) -> None:
    try:
        feed = parse_feed(ATOM[:position] + junk + ATOM[position:], url=FEED_URL)
    except FeedParseError:
        return
    for article in feed.articles:
        assert article.title or article.text or article.url
        assert article.url is None or article.url.startswith(("http://", "https://"))
        assert article.published is None or article.published.tzinfo is UTC
