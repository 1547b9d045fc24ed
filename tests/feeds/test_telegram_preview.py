"""A channel's public preview becomes articles: each post's words, date and t.me link, what it
was forwarded from, its document's name and its links' addresses; a page without a channel is
a named error, and so is anything that is not a preview page at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from bot.article import Article
from bot.feeds.errors import FeedParseError, NotAChannel
from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import InlineParser, ParsedFeed, ParsePool
from bot.feeds.reading import MAX_PREVIEW_PAGES, SourceReader
from bot.feeds.telegram import parse_preview
from bot.sources import channel_source
from tests.support.channel_preview import (
    ChannelServer,
    landing_page,
    post,
    preview_page,
)
from tests.support.local_hosts import local_limits

URL = "https://t.me/s/caspian_wire"


def test_each_post_becomes_an_article_with_its_link_date_and_words() -> None:
    published = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    page = preview_page(
        "caspian_wire",
        "Caspian Wire",
        [
            post(
                41,
                'Herzog lands in Baku<br>Talks on <a href="https://news.example.org/gas">'
                "the gas deal</a> start today",
                age=datetime.now(UTC).replace(microsecond=0) - published,
            ),
            post(42, "Quoting the wire", forwarded_from="Baku Daily", reply_to="Older words"),
            post(43, "", document="Energy-agreement.pdf"),
            post(44, ""),  # a bare photo or sticker: no words, no article
        ],
    )

    parsed = parse_preview(page, URL, {"content-type": "text/html; charset=utf-8"})

    first, forwarded, document = parsed.articles
    assert parsed.title == "Caspian Wire"
    assert first.url == first.id == "https://t.me/caspian_wire/41"
    assert first.title == "Herzog lands in Baku"
    assert first.text == (
        "Herzog lands in Baku\nTalks on the gas deal (https://news.example.org/gas) start today"
    )
    assert first.published == published
    assert first.source == "Caspian Wire"
    assert forwarded.text == "Forwarded from Baku Daily\n\nQuoting the wire"
    assert forwarded.title == "Quoting the wire"
    assert "Older words" not in forwarded.text
    assert (document.title, document.text) == ("Energy-agreement.pdf", "Energy-agreement.pdf")
    assert parsed.before == 41


def test_a_configured_name_is_the_source_and_a_future_date_is_clamped() -> None:
    seen = datetime.now(UTC).replace(microsecond=0)
    page = preview_page("caspian_wire", "Caspian Wire", [post(7, "Later", age=-timedelta(days=1))])

    [article] = parse_preview(page, URL, None, "Wire", seen).articles

    assert (article.source, article.published) == ("Wire", seen)


def test_the_page_of_a_name_without_a_public_channel_is_not_a_channel() -> None:
    with pytest.raises(NotAChannel, match="no public channel there"):
        parse_preview(landing_page("someone"), URL)


def test_a_new_channel_without_posts_is_read_as_empty() -> None:
    parsed = parse_preview(preview_page("fresh", "Fresh", []), URL)

    assert (parsed.title, parsed.articles, parsed.before) == ("Fresh", [], None)


@given(st.binary(max_size=2000))
def test_any_bytes_give_articles_or_a_named_error(content: bytes) -> None:
    try:
        parsed = parse_preview(content, URL)
    except FeedParseError as exc:
        assert str(exc).startswith(URL)
    else:
        assert isinstance(parsed, ParsedFeed)


_MARKUP_PIECES = [
    "<", ">", "</", "div", "a", "time", "br", " ", '"', "=", " class=", " href=", " data-post=",
    " datetime=", "tgme_widget_message", "tgme_widget_message_text js-message_text",
    "tgme_widget_message_forwarded_from", "tgme_channel_info", "x/", "12", "-3", "2026-13-40",
    "2026-12-01T09:00:00+05:00", "https://", "javascript:", "words", "\u202e", "&amp;", "&#0;",
]  # fmt: skip
"""Pieces of a preview page, shuffled into markup that is almost, or not at all, a preview."""


@given(st.lists(st.sampled_from(_MARKUP_PIECES), max_size=120).map("".join))
def test_markup_like_garbage_gives_articles_or_a_named_error(markup: str) -> None:
    wrapped = f'<div class="tgme_widget_message" data-post="a/1">{markup}</div>'
    try:
        parsed = parse_preview(wrapped.encode(), URL)
    except FeedParseError as exc:
        assert str(exc).startswith(URL)
    else:
        assert all(
            article.url and article.url.startswith("https://t.me/") for article in parsed.articles
        )


async def test_a_channel_is_read_in_the_parse_workers(httpserver: HTTPServer) -> None:
    channels = ChannelServer(httpserver)
    channels.publish("caspian_wire", "Caspian Wire", [post(1, "Baku opens a port")])
    channels.without_channel("hidden_group")
    pool = ParsePool(1)
    try:
        async with Fetcher(local_limits(), parser=pool) as fetcher:
            reader = SourceReader(fetcher, pool, channels.preview_base)
            read = await reader.read(channel_source("caspian_wire"))
            with pytest.raises(NotAChannel):
                await reader.read(channel_source("hidden_group"))
    finally:
        pool.close()

    assert read.parsed is not None
    assert [a.title for a in read.parsed.articles] == ["Baku opens a port"]


async def test_paging_stops_at_the_posts_already_stored_and_at_the_bound(
    httpserver: HTTPServer,
) -> None:
    channels = ChannelServer(httpserver)
    channels.publish("busy", "Busy", [post(n, f"Post {n}") for n in range(1, 201)])
    stored = {f"https://t.me/busy/{n}" for n in range(1, 171)}

    async def unseen(articles: list[Article]) -> list[Article]:
        return [a for a in articles if a.id not in stored]

    async with Fetcher(local_limits()) as fetcher:
        reader = SourceReader(fetcher, InlineParser(), channels.preview_base)
        near = await reader.read(channel_source("busy"), unseen=unseen)
        stored.clear()
        far = await reader.read(channel_source("busy"), unseen=unseen)

    assert near.parsed is not None and far.parsed is not None
    assert [a.title for a in near.parsed.articles][:1] == ["Post 161"]
    assert len(far.parsed.articles) == 20 * MAX_PREVIEW_PAGES
    assert channels.requests[:2] == ["/s/busy", "/s/busy?before=181"]
