"""Feeds chats bring, in the store: one row per URL with its readers, whose articles only
those readers' searches find; removal by the last reader, shares, requests, group moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.article import Article
from bot.sources import Source
from bot.store import FeedOrigin, Store

A, B, C = 1001, 1002, 1003
URL = "https://own.example.org/rss"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def store_article(store: Store, feed_url: str, guid: str, title: str) -> None:
    feed = store.feed_by_url(feed_url)
    assert feed is not None
    article = Article(guid, feed_url, f"{feed_url}/{guid}", title, "", NOW, "Source")
    store.add_articles(feed.id, [article], seen_at=NOW)


def test_one_feed_row_per_url_however_many_chats_bring_it(store: Store) -> None:
    first = store.add_chat_feed(A, Source(URL), name="Own", interval=900)
    second = store.add_chat_feed(B, Source(URL), name=None, interval=900)

    assert first.id == second.id
    assert (second.origin, second.interval, second.name) == (FeedOrigin.PRIVATE, 900, "Own")
    assert store.readers_of(first.id) == {A, B}
    assert [f.url for f in store.list_feeds()] == [URL]  # polled once
    assert store.shared_feeds() == []
    assert store.all_readers() == {first.id: [A, B]}


def test_a_shared_feed_stays_shared_and_reads_for_everyone(store: Store) -> None:
    shared = store.add_feed(URL, name="Shared", origin=FeedOrigin.CONFIG)

    brought = store.add_chat_feed(A, Source(URL), name=None, interval=900)

    assert brought.origin is FeedOrigin.CONFIG
    assert store.readers_of(shared.id) is None
    assert store.chat_feeds(A) == []


def test_only_a_feeds_readers_find_its_articles(store: Store) -> None:
    store.add_chat_feed(A, Source(URL), name="Own", interval=None)
    store.add_feed("https://shared.example.org/rss", name="Shared")
    store_article(store, URL, "o1", "Baku private")
    store_article(store, "https://shared.example.org/rss", "s1", "Baku shared")
    since = NOW - timedelta(days=1)

    def titles(reader: int | None) -> tuple[list[str], list[str]]:
        recent = store.recent_articles(since, reader=reader)
        found = store.search_candidates('"baku"', since=None, before=10**9, limit=9, reader=reader)
        return [s.article.title for s in recent], [s.article.title for s in found]

    assert titles(A) == (["Baku shared", "Baku private"], ["Baku shared", "Baku private"])
    assert titles(B) == (["Baku shared"], ["Baku shared"])
    assert titles(None) == titles(A)  # the operator's CLI reads everything


def test_the_feed_goes_with_its_last_reader(store: Store) -> None:
    feed = store.add_chat_feed(A, Source(URL), name="Own", interval=None)
    store.add_chat_feed(B, Source(URL), name=None, interval=None)

    assert not store.remove_chat_feed(A, feed.id)
    assert store.get_feed(feed.id).enabled
    assert store.remove_chat_feed(B, feed.id)
    assert not store.get_feed(feed.id).enabled
    assert store.readers_of(feed.id) == frozenset()  # nobody's topics see its articles now

    again = store.add_chat_feed(C, Source(URL), name=None, interval=None)
    assert again.enabled and store.readers_of(again.id) == {C}


def test_an_operator_shares_a_feed_chats_brought(store: Store) -> None:
    feed = store.add_chat_feed(A, Source(URL), name="Own", interval=900)

    shared = store.share_feed(feed.id)

    assert (shared.origin, shared.interval) == (FeedOrigin.CHAT, None)
    assert store.readers_of(feed.id) is None
    assert store.chat_feeds(A) == []
    assert [f.id for f in store.shared_feeds()] == [feed.id]


def test_a_group_that_became_a_supergroup_keeps_its_feeds(store: Store) -> None:
    group, supergroup = -4001, -1004001
    feed = store.add_chat_feed(group, Source(URL), name="Own", interval=None)

    store.migrate_chat(group, supergroup)

    assert store.readers_of(feed.id) == {supergroup}


def test_a_request_is_taken_by_the_first_answer_only(store: Store) -> None:
    request = store.request_feed(A, Source(URL), "Own")

    assert store.take_feed_request(request.id) == request
    assert store.take_feed_request(request.id) is None
