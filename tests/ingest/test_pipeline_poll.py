"""Polling feeds end to end into the outbox: local HTTP feeds, a real SQLite file, real rules."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.sources import Source
from bot.store import Store
from tests.support.pipeline_env import (
    item,
)

ROOT = Path(__file__).resolve().parents[2]


def pending(db: Path) -> list[tuple[int, str, list[str]]]:
    """(chat, article title, rules) of every pending alert, read from a fresh connection."""
    store = Store.open(db)
    try:
        return [
            (row.chat.id, row.article.article.title, [sub.rule for sub in row.subscriptions])
            for row in store.pending_alerts()
        ]
    finally:
        store.close()


async def test_first_poll_stores_the_backlog_but_alerts_nothing(env, server, db) -> None:
    env.subscribe(1, "Israel + Azerbaijan")
    url = server.publish("/world", [item("a1", "Israel and Azerbaijan sign a deal")])

    result = await env.poll(url)

    assert (result.status, result.new_articles, result.alerts) == ("ok", 1, 0)
    assert env.feed(url).articles == 1
    assert pending(db) == []


async def test_a_new_item_alerts_each_chat_once_listing_all_its_matching_rules(
    env, server, db
) -> None:
    env.subscribe(1, "Israel + Azerbaijan")
    env.subscribe(1, "Baku")
    env.subscribe(1, "Armenia")
    env.subscribe(2, "Azerbaijan")
    url = server.publish("/world", [item("a1", "Old news from Baku")])
    await env.poll(url)
    server.publish(
        "/world",
        [item("a2", "Israel and Azerbaijan sign a deal in Baku"), item("a1", "Old news from Baku")],
    )

    result = await env.poll(url)

    assert (result.status, result.new_articles, result.alerts) == ("ok", 1, 2)
    title = "Israel and Azerbaijan sign a deal in Baku"
    assert sorted(pending(db)) == [
        (1, title, ["Israel + Azerbaijan", "Baku"]),
        (2, title, ["Azerbaijan"]),
    ]


async def test_a_feed_chats_brought_alerts_its_readers_only(env, server, db) -> None:
    for chat in (1, 2, 3):
        env.subscribe(chat, "Baku")
    url = server.publish("/own", [item("a1", "Old news from Baku")])
    for reader in (1, 2):
        env.store.add_chat_feed(reader, Source(url), name=None, interval=None)
    await env.poll(url)
    server.publish("/own", [item("a2", "Ferries from Baku"), item("a1", "Old news from Baku")])

    result = await env.poll(url)

    assert result.alerts == 2
    assert sorted(pending(db)) == [
        (1, "Ferries from Baku", ["Baku"]),
        (2, "Ferries from Baku", ["Baku"]),
    ]


async def test_an_alert_goes_to_the_forum_topic_of_the_subscription(env, server, db) -> None:
    env.subscribe(-100, "Baku", thread_id=7)
    url = server.publish("/world", [])
    await env.poll(url)
    server.publish("/world", [item("a1", "Talks in Baku")])

    await env.poll(url)

    store = Store.open(db)
    assert [row.thread_id for row in store.pending_alerts()] == [7]
    store.close()


async def test_one_story_in_two_feeds_with_tracking_params_is_stored_and_alerted_once(
    env, server, db
) -> None:
    env.subscribe(1, "Azerbaijan")
    first = server.publish("/a", [])
    second = server.publish("/b", [])
    await env.poll(first)
    await env.poll(second)
    link = "https://news.example.org/deal"
    server.publish("/a", [item("x1", "Azerbaijan deal", link=f"{link}?utm_source=rss")])
    server.publish("/b", [item("y9", "Azerbaijan deal", link=f"{link}?utm_medium=feed&utm_c=1")])

    results = [await env.poll(first), await env.poll(second)]

    assert [(r.new_articles, r.alerts) for r in results] == [(1, 1), (0, 0)]
    assert env.store.stats().articles == 1
    assert pending(db) == [(1, "Azerbaijan deal", ["Azerbaijan"])]


async def test_an_unchanged_feed_costs_a_304_and_changes_nothing(env, server) -> None:
    url = server.publish("/world", [item("a1", "Talks in Baku")])
    await env.poll(url)
    before = env.feed(url)

    result = await env.poll(url)

    after = env.feed(url)
    assert result.status == "not_modified"
    assert server.requests[-1][1] == before.etag is not None
    assert (after.articles, after.etag, after.last_status) == (1, before.etag, "not_modified")
    assert after.polls == before.polls + 1


async def test_entries_older_than_max_age_never_alert(env, server, db) -> None:
    env.subscribe(1, "Baku")
    url = server.publish("/world", [])
    await env.poll(url)
    server.publish(
        "/world",
        [
            item("old", "Baku, three days ago", age=timedelta(days=3)),
            item("new", "Baku, this morning", age=timedelta(hours=2)),
            # A story of its own: with the shared body it would merge into the one above.
            item("undated", "Baku, some time", age=None, text="A ferry left Baku for Aktau."),
        ],
    )

    result = await env.poll(url)

    assert result.new_articles == 3
    titles = sorted(title for _, title, _ in pending(db))
    assert titles == ["Baku, some time", "Baku, this morning"]


async def test_a_feed_gone_for_good_is_disabled(env, httpserver) -> None:
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    url = httpserver.url_for("/gone")

    result = await env.poll(url)

    assert result.status == "gone"
    assert "410" in (result.error or "")
    feed = env.feed(url)
    assert not feed.enabled
    assert url not in [f.url for f in env.store.list_feeds()]


async def test_a_permanent_redirect_moves_the_feed(env, server, httpserver) -> None:
    new_url = server.publish("/new-home", [item("a1", "Moved")])
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": new_url}
    )
    old_url = httpserver.url_for("/old")
    feed_id = env.store.add_feed(old_url).id

    await env.poll(old_url)

    assert env.store.get_feed(feed_id).url == new_url


async def test_ttl_and_retry_after_push_the_next_poll_back(env, server, httpserver) -> None:
    slow = server.publish("/slow", [item("a1", "Hello")], ttl=180)
    httpserver.expect_request("/busy").respond_with_data(
        "", status=429, headers={"Retry-After": "7200"}
    )
    busy = httpserver.url_for("/busy")
    start = datetime.now(UTC)

    ttl_result = await env.poll(slow)
    busy_result = await env.poll(busy)

    assert ttl_result.next_poll_at >= start + timedelta(minutes=180 * 0.9)
    assert busy_result.next_poll_at >= start + timedelta(seconds=7200)
    assert env.feed(busy).next_poll_at >= start + timedelta(seconds=7199)
    assert env.feed(busy).error_count == 1


PAGE = (
    "<html><head><title>Deal</title></head><body><nav>Home | World</nav><article>"
    "<h1>Deal</h1><p>{}</p></article><footer>Contact us</footer></body></html>"
)


async def test_teasers_get_their_page_text_and_failures_are_counted(
    env, server, httpserver, db
) -> None:
    story = "The agreement covers gas exports to Europe through the Caspian corridor. " * 6
    httpserver.expect_request("/story/1").respond_with_data(
        PAGE.format(story), content_type="text/html"
    )
    httpserver.expect_request("/story/2").respond_with_data("", status=404)
    env.subscribe(1, "Caspian")
    url = server.publish("/teasers", [])
    await env.poll(url)
    server.publish(
        "/teasers",
        [
            item("t1", "A deal", link=httpserver.url_for("/story/1"), text="Read more."),
            item("t2", "Another deal", link=httpserver.url_for("/story/2"), text="Read more."),
        ],
    )

    result = await env.poll(url)

    assert (result.new_articles, result.alerts) == (2, 1)
    assert pending(db) == [(1, "A deal", ["Caspian"])]
    assert env.feed(url).fulltext_failures == 1
    since = datetime.now(UTC) - timedelta(days=1)
    texts = {a.article.title: a.article.text for a in env.store.recent_articles(since, reader=None)}
    assert "Caspian corridor" in texts["A deal"]
    assert texts["Another deal"] == "Read more."


async def test_alerts_queued_before_a_crash_are_still_pending_after_reopening(
    env, server, db
) -> None:
    """A process killed right after enqueueing (before any send) leaves its rows pending."""
    env.subscribe(1, "Baku")
    url = server.publish("/world", [item("a1", "Yesterday in Baku")])
    await env.poll(url)
    server.publish("/world", [item("a2", "Today in Baku"), item("a1", "Yesterday in Baku")])
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.support.pipeline_env import make_config, open_env

        async def main():
            env, _ = await open_env(make_config({str(db)!r}))
            result = await env.poll({url!r})
            print(result.alerts, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
        """
    )

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)

    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.split() == ["1"]
    assert pending(db) == [(1, "Today in Baku", ["Baku"])]
