"""Autodiscovery lets people paste a site's address; sniffing decides when to use it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.feeds.discovery import find_feed_links, looks_like_html
from tests.support.feeds_samples import html_page, rss

PAGE = "https://blog.example.org/posts/index.html"


def test_finds_rss_before_atom_each_in_page_order_as_absolute_urls() -> None:
    head = (
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml">'
        '<link rel="stylesheet" type="text/css" href="/style.css">'
        '<link rel="alternate" type="application/rss+xml" href="feed.rss">'
        '<link rel="Alternate nofollow" type="Application/RSS+XML" href="//cdn.example.org/c.rss">'
        '<link rel="alternate" type="application/rss+xml" href="feed.rss?utm_source=x">'
        '<link rel="alternate" type="text/html" href="/other">'
    )
    assert find_feed_links(html_page(head), PAGE) == [
        "https://blog.example.org/posts/feed.rss",
        "https://cdn.example.org/c.rss",
        "https://blog.example.org/atom.xml",
    ]


def test_base_href_is_honoured_and_str_input_accepted() -> None:
    page = (
        '<html><head><base href="https://static.example.org/site/">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml"></head></html>'
    )
    assert find_feed_links(page, PAGE) == ["https://static.example.org/site/atom.xml"]


@pytest.mark.parametrize("page", [b"", b"\x00\xff\xfe", html_page(), "<?xml version='1.0'?><p>"])
def test_no_links_in_pages_without_them(page: bytes | str) -> None:
    assert find_feed_links(page, PAGE) == []


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (html_page(), "text/html", True),
        (html_page(), None, True),
        (b"\xef\xbb\xbf  <!-- x --><HTML><body>", "application/xml", True),
        (rss([]), "application/rss+xml", False),
        # Misconfigured servers send feeds as text/html; the body wins.
        (rss([]), "text/html; charset=utf-8", False),
        (b'<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom">', None, False),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", "text/html", False),
        # Nothing readable in the body: the header decides.
        (b"\x00\x01 binary", "text/html", True),
        (b"\x00\x01 binary", "application/octet-stream", False),
    ],
)
def test_looks_like_html(content: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_html(content, content_type) is expected


@given(st.one_of(st.binary(), st.text()))
def test_find_feed_links_never_raises(page: bytes | str) -> None:
    assert isinstance(find_feed_links(page, PAGE), list)
