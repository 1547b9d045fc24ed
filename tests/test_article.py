"""Article.domain: the host the rule engine's ``source`` field names, for any URL a feed or a
hand-built Article may carry."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, provisional
from hypothesis import strategies as st

from bot.article import Article


def article(url: str | None) -> Article:
    return Article(id="1", feed_url="", url=url, title="", text="", published=None, source="")


def reference_domain(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.JPost.com/Middle-East/article-1?utm_source=x#top", "jpost.com"),
        ("http://editor:secret@www.example.org:8080/feed", "example.org"),
        ("https://[2001:db8::1]:443/a", "2001:db8::1"),
        ("https://news.example?x=1", "news.example"),
        ("//cdn.example/a", "cdn.example"),
        ("mailto:desk@example.org", ""),
        ("not a scheme://host/x", ""),
        ("ftp://files.example/a", "files.example"),
        (None, ""),
        ("", ""),
    ],
)
def test_domain_is_the_lower_case_host_without_www(url: str | None, domain: str) -> None:
    assert article(url).domain == domain


@given(
    st.one_of(
        provisional.urls(),
        st.text(max_size=40),
        st.builds("{}://{}".format, st.text(max_size=8), st.text(max_size=30)),
    )
)
def test_domain_agrees_with_urlsplit(url: str) -> None:
    try:
        expected = reference_domain(url)
    except ValueError:  # urlsplit refuses it (bad port, bad IPv6 literal)
        return
    assert article(url).domain == expected
