"""canonical_url, html_to_text and article_id decide what counts as one article; a mistake
here shows up as duplicate alerts or as alerts that never come."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.feeds.normalize import article_id, canonical_url, html_to_text, tidy_text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/B?x=1#frag", "http://example.com/a/B?x=1"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/p", "https://example.com:8443/p"),
        (
            "https://ex.com/story?utm_source=tw&id=7&utm_medium=social&fbclid=abc&gclid=x&page=2",
            "https://ex.com/story?id=7&page=2",
        ),
        (
            "https://ex.com/s?mc_cid=1&mc_eid=2&yclid=3&igshid=4&_hsenc=5&ref_src=6",
            "https://ex.com/s",
        ),
        ("https://ex.com/s?UTM_Campaign=x&b=2&a=1", "https://ex.com/s?b=2&a=1"),
        ("  https://ex.com/s  ", "https://ex.com/s"),
        ("https://ex.com/a b?q=x y", "https://ex.com/a%20b?q=x%20y"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
    ],
)
def test_canonical_url_spelling(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["", "   ", "javascript:alert(1)", "mailto:a@example.com", "ftp://ex.com/f", "no-scheme/x",
     "http://", "http://ex.com:99999/", "http://[::1/"],
)  # fmt: skip
def test_canonical_url_rejects_what_is_not_a_web_page(url: str) -> None:
    assert canonical_url(url) is None


def test_canonical_url_resolves_relative_links_against_base() -> None:
    base = "https://news.example.org/feeds/world.xml"
    assert canonical_url("/story/1", base) == "https://news.example.org/story/1"
    assert canonical_url("story/2", base) == "https://news.example.org/feeds/story/2"
    assert canonical_url("//cdn.example.org/x", base) == "https://cdn.example.org/x"
    assert canonical_url("https://other.org/x", base) == "https://other.org/x"


def test_same_story_with_different_tracking_has_one_url_and_id() -> None:
    in_feed_a = "https://news.example.org/2024/story?utm_source=feed_a&utm_medium=rss"
    in_feed_b = "https://NEWS.example.org/2024/story?utm_source=feed_b#comments"
    assert canonical_url(in_feed_a) == canonical_url(in_feed_b)
    assert article_id(None, in_feed_a, "A", None) == article_id(None, in_feed_b, "B", None)


def test_article_id_prefers_guid_then_link_then_hash() -> None:
    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert article_id(" guid-1 ", "https://ex.com/a", "T", when) == "guid-1"
    assert article_id("", "https://ex.com/a?utm_source=x", "T", when) == "https://ex.com/a"
    hashed = article_id(None, None, "Title", when)
    assert hashed.startswith("sha1:")
    assert hashed == article_id(None, "javascript:void(0)", "Title", when)
    assert hashed != article_id(None, None, "Title", None)
    assert hashed != article_id(None, None, "Other title", when)


def test_html_to_text_layout() -> None:
    html = (
        "<h2>Head&amp;line</h2><p>First <b>bold</b>   para.</p>"
        "<p>Line one<br>line two</p><ul><li>item 1</li><li>item 2</li></ul>"
        "<script>var secret = 1;</script><style>p { color: red }</style>"
        "<noscript>enable js</noscript>tail &eacute;"
    )
    assert html_to_text(html) == (
        "Head&line\n\nFirst bold para.\n\nLine one\nline two\n\nitem 1\n\nitem 2\n\ntail é"
    )


def test_html_to_text_leaves_plain_text_alone_except_entities() -> None:
    assert html_to_text("AT&amp;T  says 3 > 2\n ok") == "AT&T  says 3 > 2\n ok"
    assert html_to_text("a < b") == "a < b"


@pytest.mark.parametrize("garbage", ["<", "<!-- only a comment -->", "<p", "</div></div>", "<?x?>"])
def test_html_to_text_survives_garbage(garbage: str) -> None:
    assert isinstance(html_to_text(garbage), str)


def test_html_to_text_handles_deep_nesting() -> None:
    assert html_to_text("<div>" * 200 + "deep" + "</div>" * 200) == "deep"
    # Past libxml2's depth limit the deep part is lost, but the text before it survives.
    assert html_to_text("<p>kept</p>" + "<div>" * 5000 + "deep" + "</div>" * 5000) == "kept"


def test_tidy_text_matches_html_layout() -> None:
    assert tidy_text("  a   b \r\n c\n\n\n \n d  e\n") == "a b\nc\n\nd e"


urls = st.one_of(
    st.text(),
    st.builds(
        "{}://{}{}?{}#{}".format,
        st.sampled_from(["http", "https", "HTTP", "ftp", "javascript", ""]),
        st.text(max_size=20),
        st.text(max_size=20),
        st.text(max_size=30),
        st.text(max_size=5),
    ),
)


@settings(max_examples=500)
@given(url=urls, base=st.one_of(st.none(), st.just("https://ex.org/a/b.xml"), st.text()))
def test_canonical_url_never_raises_and_is_idempotent(url: str, base: str | None) -> None:
    once = canonical_url(url, base)
    if once is not None:
        assert once.startswith(("http://", "https://"))
        assert "#" not in once
        assert canonical_url(once) == once


@given(st.text())
def test_html_to_text_never_raises(markup: str) -> None:
    text = html_to_text(markup)
    assert isinstance(text, str)


# Text around the script may hold entities, quotes and '>' but no '<', so it cannot open an
# element (such as <textarea>) whose content HTML defines as text.
no_markup = st.text(alphabet=st.characters(blacklist_characters="<\x00"))


@given(before=no_markup, after=no_markup, tag=st.sampled_from(["script", "style", "noscript"]))
def test_html_to_text_never_returns_script_content(before: str, after: str, tag: str) -> None:
    marker = "zq9SECRETzq9"
    text = html_to_text(f"{before}<p>x<{tag} type='t'>{marker} <b>{marker}</b></{tag}></p>{after}")
    assert marker not in text
    assert f"<{tag}" not in text
