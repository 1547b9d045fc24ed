"""The SQLite store on a real file: dedup, the outbox, pruning, migrations, WAL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import rules
from bot.article import Article
from bot.config import FeedSpec
from bot.store import (
    AsyncStore,
    DuplicateSubscription,
    FeedOrigin,
    Paused,
    PollOutcome,
    Store,
    migrations,
)
from bot.store.migrations import MIGRATIONS

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def article(guid: str, url: str | None, title: str = "Talks in Baku") -> Article:
    return Article(
        id=guid,
        feed_url="https://feed.example/rss",
        url=url,
        title=title,
        text="Israel and Azerbaijan",
        published=NOW,
        source="Feed",
    )


def reopened(db: Path) -> Store:
    return Store.open(db)


def test_an_article_is_new_once_per_feed_id(store: Store, db: Path) -> None:
    feed = store.add_feed("https://a.example/rss").id
    first = store.add_articles(feed, [article("g1", "https://a.example/1")], seen_at=NOW)
    again = store.add_articles(feed, [article("g1", "https://a.example/1-edited")], seen_at=NOW)

    assert [a.article.id for a in first] == ["g1"]
    assert again == []
    assert reopened(db).stats().articles == 1


def test_the_same_canonical_url_from_another_feed_is_not_new(store: Store) -> None:
    a = store.add_feed("https://a.example/rss").id
    b = store.add_feed("https://b.example/rss").id
    store.add_articles(a, [article("a-1", "https://news.example/story")], seen_at=NOW)

    assert store.unseen_articles(b, [article("b-7", "https://news.example/story")]) == []
    assert store.add_articles(b, [article("b-7", "https://news.example/story")], seen_at=NOW) == []
    other = article("b-8", "https://news.example/other")
    assert store.unseen_articles(b, [other]) == [other]


def test_articles_without_a_link_dedup_by_id_only(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    new = store.add_articles(feed, [article("g1", None), article("g2", None)], seen_at=NOW)

    assert len(new) == 2
    assert store.unseen_articles(feed, [article("g1", None), article("g3", None)]) == [
        article("g3", None)
    ]


def test_of_two_entries_with_one_id_or_url_the_first_is_stored(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    batch = [
        article("g1", "https://a.example/1", title="first"),
        article("g1", "https://a.example/other", title="same id"),
        article("g2", "https://a.example/1", title="same url"),
        article("g3", "https://a.example/3", title="third"),
    ]

    assert [a.title for a in store.unseen_articles(feed, batch)] == ["first", "third"]
    new = store.add_articles(feed, batch, seen_at=NOW)

    assert [(s.article.title, s.rowid) for s in new] == [
        (title, rowid)
        for rowid, title in store.conn.execute("SELECT id, title FROM articles ORDER BY id")
    ]
    assert [s.article.title for s in new] == ["first", "third"]
    assert sorted(s.article.title for s in store.search_articles("Azerbaijan")) == [
        "first",
        "third",
    ]


def test_batches_larger_than_one_statement_takes_are_split(store: Store) -> None:
    """SQLite caps the parameters of a statement; here at 40, a few rows per statement."""
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40)
    feeds = [store.add_feed(f"https://{n}.example/rss").id for n in range(12)]
    batch = [article(f"g{n}", f"https://a.example/{n}") for n in range(25)]

    new = store.add_articles(feeds[0], [*batch, *batch[:5]], seen_at=NOW)
    assert [s.article.id for s in new] == [f"g{n}" for n in range(25)]
    assert store.unseen_articles(feeds[0], batch) == []
    store.set_stories({s.rowid: new[0].rowid for s in new[1:]})
    sub = store.add_subscription(1, rules.compile("Azerbaijan")).id
    stories = {s.rowid: new[0].rowid for s in new[1:]}
    assert (
        store.enqueue_alerts({(1, s.rowid): [sub] for s in new}, stories=stories) == 1
    )  # the rest are copies
    store.record_polls([(f, PollOutcome("ok", NOW, NOW, etag=f'"{f}"')) for f in feeds])

    assert [(f.polls, f.etag) for f in store.list_feeds()] == [(1, f'"{f}"') for f in feeds]
    assert store.conn.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone() == (1,)
    statuses = store.conn.execute("SELECT status, count(*) FROM outbox GROUP BY 1 ORDER BY 1")
    assert statuses.fetchall() == [("merged", 24), ("pending", 1)]


def test_a_copy_queued_with_its_first_article_merges_into_that_alert(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    first, copy = store.add_articles(
        feed,
        [article("g1", "https://a.example/1"), article("g2", "https://b.example/1")],
        seen_at=NOW,
    )
    sub = store.add_subscription(1, rules.compile("Azerbaijan")).id
    matches = {(1, copy.rowid): [sub], (1, first.rowid): [sub]}  # the copy comes first here

    assert store.enqueue_alerts(matches, stories={copy.rowid: first.rowid}) == 1

    (alert,) = store.pending_alerts()
    assert alert.article.rowid == first.rowid
    merged = store.conn.execute("SELECT article_id, story_of FROM outbox WHERE status = 'merged'")
    assert merged.fetchall() == [(copy.rowid, alert.id)]


def test_record_polls_moves_only_the_feed_that_moved(store: Store) -> None:
    old = store.add_feed("https://a.example/rss").id
    other = store.add_feed("https://b.example/rss").id
    store.record_polls(
        [
            (old, PollOutcome("ok", NOW, NOW, new_url="https://a.example/feed.xml")),
            (other, PollOutcome("error", NOW, NOW, error="HTTP 500")),
        ]
    )

    moved, failed = store.get_feed(old), store.get_feed(other)
    assert (moved.url, moved.last_status, moved.error_count) == (
        "https://a.example/feed.xml",
        "ok",
        0,
    )
    assert (failed.url, failed.last_error, failed.error_count) == (
        "https://b.example/rss",
        "HTTP 500",
        1,
    )


def test_record_polls_keeps_the_later_of_two_polls_of_a_feed(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    later = NOW + timedelta(minutes=5)
    store.record_polls([])  # nothing to write
    store.record_polls(
        [(feed, PollOutcome("error", NOW, NOW)), (feed, PollOutcome("ok", later, later))]
    )

    row = store.get_feed(feed)
    assert (row.polls, row.last_status, row.next_poll_at, row.error_count) == (1, "ok", later, 0)


def test_set_stories_links_many_articles_to_their_stories(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    new = store.add_articles(
        feed, [article(f"g{n}", f"https://a.example/{n}") for n in range(3)], seen_at=NOW
    )
    first, second, third = (stored.rowid for stored in new)

    store.set_stories({second: first, third: first})

    rows = store.conn.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall()
    assert rows == [(first, None), (second, first), (third, first)]


def test_record_polls_of_a_304_keeps_validators_and_counts_the_poll(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    store.record_polls(
        [(feed, PollOutcome(status="ok", polled_at=NOW, next_poll_at=NOW, etag='"1"'))]
    )
    later = NOW + timedelta(minutes=10)
    store.record_polls(
        [(feed, PollOutcome(status="not_modified", polled_at=later, next_poll_at=later))]
    )

    row = store.get_feed(feed)
    assert (row.polls, row.etag, row.last_status) == (2, '"1"', "not_modified")


def enqueue_one(store: Store) -> tuple[int, int]:
    feed = store.add_feed("https://a.example/rss").id
    (stored,) = store.add_articles(feed, [article("g1", "https://a.example/1")], seen_at=NOW)
    subs = [store.add_subscription(1, rules.compile(r)).id for r in ("Baku", "Azerbaijan")]
    assert store.enqueue_alerts({(1, stored.rowid): subs}) == 1
    return stored.rowid, subs[0]


def test_one_outbox_row_per_chat_and_article(store: Store, db: Path) -> None:
    rowid, sub = enqueue_one(store)

    assert store.enqueue_alerts({(1, rowid): [sub]}) == 0

    (row,) = reopened(db).pending_alerts()
    assert [s.rule for s in row.subscriptions] == ["Baku", "Azerbaijan"]


def test_prune_keeps_articles_a_pending_alert_needs(store: Store, db: Path) -> None:
    rowid, _ = enqueue_one(store)
    feed = store.feed_by_url("https://a.example/rss").id
    store.add_articles(feed, [article("g2", "https://a.example/2")], seen_at=NOW)

    removed = store.prune_articles(NOW + timedelta(days=1))

    assert removed == 1
    kept = reopened(db)
    assert kept.get_article(rowid).article.id == "g1"
    assert [row.article.rowid for row in kept.pending_alerts()] == [rowid]


def test_the_file_is_in_wal_mode(store: Store, db: Path) -> None:
    store.add_feed("https://a.example/rss")
    mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]

    assert mode == "wal"


def test_reopening_an_existing_file_keeps_its_data_and_version(db: Path) -> None:
    store = Store.open(db)
    store.add_feed("https://a.example/rss", name="A")
    store.close()

    store = Store.open(db)

    assert [feed.name for feed in store.list_feeds()] == ["A"]
    version = store.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'")
    assert int(version.fetchone()[0]) == len(MIGRATIONS)
    store.close()


def test_an_empty_existing_file_is_migrated(db: Path) -> None:
    sqlite3.connect(db).execute("CREATE TABLE notes (text TEXT)").connection.commit()

    store = Store.open(db)

    assert store.list_feeds() == []
    store.close()


def test_a_file_from_a_newer_release_is_refused(db: Path) -> None:
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()

    with pytest.raises(RuntimeError, match="newer than this program knows"):
        Store.open(db)


def test_subscription_changes_bump_the_version(store: Store) -> None:
    seen = [store.subscriptions_version()]
    sub = store.add_subscription(1, rules.compile("Baku")).id
    seen.append(store.subscriptions_version())
    store.set_paused(sub, True)
    seen.append(store.subscriptions_version())
    store.set_chat_active(1, False)
    seen.append(store.subscriptions_version())

    assert seen == sorted(set(seen))


def test_an_operators_removal_of_a_config_feed_outlasts_every_config_sync(store: Store) -> None:
    listed = [
        FeedSpec(url="https://a.example/rss", name="A"),
        FeedSpec(url="https://b.example/rss"),
    ]
    store.sync_config_feeds(listed)
    removed = store.feed_by_url("https://a.example/rss")
    assert removed is not None
    store.remove_feed(removed.id)

    still_removed = store.sync_config_feeds(listed)  # what every start and CLI command does

    assert [feed.name for feed in still_removed] == ["A"]
    assert [feed.url for feed in store.list_feeds()] == ["https://b.example/rss"]
    store.add_feed("https://a.example/rss")  # /addfeed or import-opml undoes the removal
    assert store.sync_config_feeds(listed) == []
    assert len(store.list_feeds()) == 2


def test_a_removed_feed_the_config_file_drops_and_lists_again_comes_back(store: Store) -> None:
    listed = [FeedSpec(url="https://a.example/rss")]
    store.sync_config_feeds(listed)
    store.remove_feed(store.list_feeds()[0].id)

    store.sync_config_feeds([])  # the operator deleted it from the file: nothing to hold off
    store.sync_config_feeds(listed)  # ... and listed it again later

    assert [feed.url for feed in store.list_feeds()] == ["https://a.example/rss"]


def test_a_former_config_feed_added_again_by_a_chat_survives_the_next_sync(
    store: Store,
) -> None:
    store.sync_config_feeds([FeedSpec(url="https://a.example/rss")])
    store.sync_config_feeds([])

    store.add_feed("https://a.example/rss", origin=FeedOrigin.CHAT)
    store.sync_config_feeds([])

    [feed] = store.list_feeds()
    assert feed.origin is FeedOrigin.CHAT


def test_feeds_version_moves_with_the_feeds_to_poll_and_not_with_polls(store: Store) -> None:
    seen = [store.feeds_version()]
    feed = store.add_feed("https://a.example/rss").id
    seen.append(store.feeds_version())
    store.sync_config_feeds([FeedSpec(url="https://a.example/rss", interval=120)])
    seen.append(store.feeds_version())
    store.remove_feed(feed)
    seen.append(store.feeds_version())
    assert seen == sorted(set(seen)), "each change moves it"

    store.record_polls([(feed, PollOutcome("ok", NOW, NOW, etag='"v2"'))])
    store.sync_config_feeds([FeedSpec(url="https://a.example/rss", interval=120)])
    assert store.feeds_version() == seen[-1], "a poll or a sync that changes nothing does not"


def test_full_text_search_finds_words_in_titles_and_bodies(store: Store) -> None:
    feed = store.add_feed("https://feed.example/rss")
    store.add_articles(
        feed.id,
        [article("a", "https://x.example/a", "Élysée talks"), article("b", None, "Weather")],
        seen_at=NOW,
    )
    assert [s.article.title for s in store.search_articles("elysee")] == ["Élysée talks"]
    assert len(store.search_articles("azerbaijan")) == 2  # both bodies mention it
    store.prune_articles(NOW + timedelta(days=1))
    assert store.search_articles("azerbaijan") == [], "pruned articles leave the index too"


def index_segments(store: Store) -> int:
    """How many segments the full-text index has (FTS5 keeps a segment's id in rowid bit 37+)."""
    rows = store.conn.execute("SELECT id FROM article_words_data WHERE id > 10").fetchall()
    return len({rowid >> 37 for (rowid,) in rows})


def test_a_poll_is_indexed_as_one_segment(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    store.add_articles(
        feed, [article(f"g{n}", f"https://a.example/{n}") for n in range(50)], seen_at=NOW
    )

    assert index_segments(store) == 1, "a segment per article makes storing dearer (migration v2)"
    assert len(store.search_articles('"israel and azerbaijan"', limit=100)) == 50


def opened_as_release(version: int, db: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """``db`` as the release with schema ``version`` created it (the later steps undone)."""
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:version])
    old = Store.open(db)
    monkeypatch.undo()
    return old


def feed_as_release_8(old: Store, url: str) -> int:
    """Add a feed the way releases up to schema 8 did (no removed_at to clear)."""
    cursor = old.conn.execute(
        "INSERT INTO feeds(url, created_at) VALUES (?, ?)", (url, NOW.isoformat())
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def stored_as_release_5(old: Store, feed_id: int, guid: str, url: str) -> int:
    """Store an article the way releases up to schema 5 did (no article_words to write)."""
    cursor = old.conn.execute(
        """INSERT INTO articles(feed_id, guid, url, title, text, seen_at, source)
           VALUES (?, ?, ?, 'Talks in Baku', '', ?, 'Feed')""",
        (feed_id, guid, url, NOW.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def subscribed_as_release_3(
    old: Store, chat_id: int, rule: str, thread_id: int | None = None
) -> int:
    """Add a subscription the way releases up to schema 3 stored it (no number of its own)."""
    old.conn.execute("INSERT OR IGNORE INTO chats(id, created_at) VALUES (?, ?)", (chat_id, NOW))
    compiled = rules.compile(rule)
    cursor = old.conn.execute(
        """INSERT INTO subscriptions(chat_id, thread_id, rule, canonical, created_at)
           VALUES (?, ?, ?, ?, ?)""",
        (chat_id, thread_id, str(compiled), compiled.canonical, NOW.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def test_a_version_1_file_is_migrated_and_still_searches(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = opened_as_release(1, db, monkeypatch)
    feed = feed_as_release_8(old, "https://a.example/rss")
    old.conn.execute(  # as release 1 stored an article: its insert trigger indexed it
        """INSERT INTO articles(feed_id, guid, title, text, seen_at, source)
           VALUES (?, 'old', 'Élysée talks', 'Israel and Azerbaijan', ?, 'Feed')""",
        (feed, NOW.isoformat()),
    )
    old.close()

    store = Store.open(db)
    store.add_articles(feed, [article("new", "https://a.example/new")], seen_at=NOW)

    found = store.search_articles('"israel and azerbaijan"')
    assert sorted(s.article.id for s in found) == ["new", "old"]
    assert [s.article.id for s in store.search_articles("elysee")] == ["old"]
    store.prune_articles(NOW + timedelta(days=1))
    assert store.search_articles("azerbaijan") == []
    store.close()


def test_pending_alerts_hand_out_whole_chats_oldest_first(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    stored = store.add_articles(
        feed, [article(f"g{n}", f"https://a.example/{n}") for n in range(4)], seen_at=NOW
    )
    subs = {chat: store.add_subscription(chat, rules.compile("Baku")).id for chat in (1, 2, 3)}
    for art in stored:  # article by article, each to every chat: rows of chats interleave
        store.enqueue_alerts({(chat, art.rowid): [subs[chat]] for chat in subs})

    batch = store.pending_alerts(limit=5)

    assert [row.chat.id for row in batch] == [1] * 4 + [2] * 4, "whole chats, past the limit"
    assert [row.article.rowid for row in batch[:4]] == [a.rowid for a in stored]
    assert [row.subscriptions[0].number for row in batch] == [1] * 8


def test_a_version_2_file_learns_how_each_sent_row_was_shown(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = opened_as_release(2, db, monkeypatch)
    feed = feed_as_release_8(old, "https://a.example/rss")
    rowids = [stored_as_release_5(old, feed, f"g{n}", f"https://a.example/{n}") for n in range(5)]
    sub = subscribed_as_release_3(old, 1, "Baku")
    old.enqueue_alerts({(1, r): [sub] for r in rowids[:4]}, stories={rowids[3]: rowids[0]})
    old.enqueue_alerts({(1, rowids[4]): [sub]})
    # as release 2 left them: an alert (1), a digest of two (2), a named copy, one pending
    for outbox_id, message_id in ((1, 1), (2, 2), (3, 2), (4, 1)):
        old.conn.execute(
            "UPDATE outbox SET status = 'sent', message_id = ? WHERE id = ?",
            (message_id, outbox_id),
        )
    old.close()

    store = Store.open(db)

    shown = store.conn.execute("SELECT status, shown_as FROM outbox ORDER BY id").fetchall()
    assert shown == [
        ("sent", "alert"),
        ("sent", "digest"),
        ("sent", "digest"),
        ("sent", "also"),
        ("pending", None),
    ]
    store.close()


def test_a_version_12_file_counts_the_stories_its_outbox_holds_for_surges(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A topic followed before surges existed is compared with the stories it already had:
    each first alert of a story counts, a story's copy does not."""
    old = opened_as_release(12, db, monkeypatch)
    feed = feed_as_release_8(old, "https://a.example/rss")
    rowids = [stored_as_release_5(old, feed, f"g{n}", f"https://a.example/{n}") for n in range(3)]
    old.conn.execute("INSERT INTO chats(id, created_at) VALUES (1, ?)", (NOW.isoformat(),))
    old.conn.execute(
        """INSERT INTO subscriptions(id, chat_id, number, rule, canonical, created_at)
           VALUES (5, 1, 1, 'Baku', 'baku', ?)""",
        ((NOW - timedelta(days=3)).isoformat(),),
    )
    for outbox_id, rowid, story_of, age in ((1, 0, None, 30), (2, 1, None, 2), (3, 2, 2, 2)):
        old.conn.execute(
            """INSERT INTO outbox(id, chat_id, article_id, subscription_ids, status, story_of,
                                  created_at)
               VALUES (?, 1, ?, '[5]', 'sent', ?, ?)""",
            (outbox_id, rowids[rowid], story_of, (NOW - timedelta(hours=age)).isoformat()),
        )
    old.close()

    store = Store.open(db)

    [topic] = store.topic_activity([5], now=NOW, week=timedelta(days=7))
    assert (topic.last_hour, topic.before) == (0, 2)
    assert topic.followed_since == NOW - timedelta(days=3)
    store.close()


def test_a_version_3_file_numbers_its_topics_in_list_order_and_never_reuses_them(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = opened_as_release(3, db, monkeypatch)
    feed = feed_as_release_8(old, "https://a.example/rss")
    rowid = stored_as_release_5(old, feed, "g", "https://a.example/g")
    alpha, bravo, charlie = (subscribed_as_release_3(old, 1, r) for r in ("Alpha", "Bravo", "C"))
    other = subscribed_as_release_3(old, 2, "Baku", thread_id=77)
    old.conn.execute("DELETE FROM subscriptions WHERE id = ?", (alpha,))
    old.enqueue_alerts({(1, rowid): [bravo, charlie]})
    old.close()

    store = Store.open(db)
    before = [(s.number, s.rule) for s in store.list_subscriptions(1)]
    [pending] = store.pending_alerts()
    added = store.add_subscription(1, rules.compile("Delta"))
    same_rule_elsewhere = store.add_subscription(2, rules.compile("Baku"))

    assert before == [(1, "Bravo"), (2, "C")], "as /list showed them before the upgrade"
    assert [s.number for s in pending.subscriptions] == [1, 2]
    assert added.number == 3
    assert (same_rule_elsewhere.number, same_rule_elsewhere.thread_id) == (2, None)
    assert store.get_subscription(other).number == 1
    with pytest.raises(DuplicateSubscription):
        store.add_subscription(2, rules.compile("baku"), thread_id=77)
    store.close()


def test_an_article_is_one_alert_per_forum_thread_and_never_twice(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    [stored] = store.add_articles(feed, [article("g", "https://a.example/g")], seen_at=NOW)
    subs = [
        store.add_subscription(1, rules.compile(rule), thread_id=thread).id
        for rule, thread in (("Baku", 77), ("Baku", None), ("Herzog", None))
    ]
    threads = {subs[0]: 77}
    matches = {(1, stored.rowid): subs}

    queued = store.enqueue_alerts(matches, thread_ids=threads)
    again = store.enqueue_alerts(matches, thread_ids=threads)

    rows = sorted(store.pending_alerts(), key=lambda row: row.thread_id or 0)
    assert (queued, again) == (2, 0)
    assert [(row.thread_id, [s.id for s in row.subscriptions]) for row in rows] == [
        (None, subs[1:]),
        (77, subs[:1]),
    ]


def test_a_story_copy_merges_only_with_the_alert_of_its_own_thread(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    first, copy = store.add_articles(
        feed, [article(f"g{n}", f"https://a.example/{n}") for n in range(2)], seen_at=NOW
    )
    in_77 = store.add_subscription(1, rules.compile("Baku"), thread_id=77).id
    general = store.add_subscription(1, rules.compile("Herzog")).id
    threads = {in_77: 77}
    store.enqueue_alerts({(1, first.rowid): [in_77]}, thread_ids=threads)

    queued = store.enqueue_alerts(
        {(1, copy.rowid): [in_77, general]}, thread_ids=threads, stories={copy.rowid: first.rowid}
    )

    rows = store.conn.execute(
        "SELECT thread_id, article_id, status FROM outbox ORDER BY id"
    ).fetchall()
    assert queued == 1, "the General thread never saw the story: a message of its own"
    assert sorted(rows, key=lambda r: (r[1], r[0] or 0)) == [
        (77, first.rowid, "pending"),
        (None, copy.rowid, "pending"),
        (77, copy.rowid, "merged"),
    ]


def test_a_version_3_file_keeps_its_topics_realtime_and_learns_schedules(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = opened_as_release(3, db, monkeypatch)
    feed = feed_as_release_8(old, "https://a.example/rss")
    rowid = stored_as_release_5(old, feed, "g", "https://a.example/g")
    sub = subscribed_as_release_3(old, 1, "Baku")
    old.enqueue_alerts({(1, rowid): [sub]})
    old.close()

    store = Store.open(db)
    [pending] = store.pending_alerts()
    assert (pending.subscriptions[0].frequency, pending.chat.quiet, pending.due_at) == (
        None,
        None,
        None,
    )
    due = (NOW + timedelta(hours=1), NOW)
    store.schedule_alerts({pending.id: due})
    assert store.pending_alerts(now=NOW) == []
    [scheduled] = store.pending_alerts(now=due[0])
    assert (scheduled.due_at, scheduled.period_from) == due
    store.close()


def test_prune_keeps_a_story_alert_a_newer_copy_points_at_and_waiting_copies(
    store: Store,
) -> None:
    feed = store.add_feed("https://a.example/rss").id
    first, named, waiting = store.add_articles(
        feed, [article(f"g{n}", f"https://a.example/{n}") for n in range(3)], seen_at=NOW
    )
    sub = store.add_subscription(1, rules.compile("Baku")).id
    store.enqueue_alerts({(1, first.rowid): [sub]})
    store.conn.execute("UPDATE outbox SET created_at = '2024-01-01T00:00:00+00:00'")
    store.enqueue_alerts(
        {(1, named.rowid): [sub], (1, waiting.rowid): [sub]},
        stories={named.rowid: first.rowid, waiting.rowid: first.rowid},
    )
    store.conn.execute("UPDATE outbox SET status = 'sent' WHERE article_id != ?", (waiting.rowid,))
    store.conn.execute(
        "UPDATE outbox SET created_at = '2024-01-02T00:00:00+00:00' WHERE article_id = ?",
        (waiting.rowid,),
    )

    store.prune_articles(datetime(2024, 1, 3, tzinfo=UTC))  # after all but the named copy
    left = store.conn.execute("SELECT article_id, status FROM outbox ORDER BY id").fetchall()

    assert left == [(first.rowid, "sent"), (named.rowid, "sent"), (waiting.rowid, "merged")]
    store.prune_articles(datetime(2100, 1, 1, tzinfo=UTC))
    left = store.conn.execute("SELECT article_id, status FROM outbox").fetchall()
    assert left == [(first.rowid, "sent"), (waiting.rowid, "merged")], "the copy still waits"


def test_a_chat_that_comes_back_resumes_only_what_its_leaving_paused(store: Store) -> None:
    kept, paused = (store.add_subscription(1, rules.compile(t)).id for t in ("Baku", "Tehran"))
    store.set_paused(paused, True)
    created_at = store.conn.execute("SELECT created_at FROM chats WHERE id = 1").fetchone()

    store.set_chat_active(1, False)
    assert store.active_subscriptions() == []
    assert store.stats().subscriptions_paused == 2
    chat = store.upsert_chat(1, title=None)

    assert chat.active
    assert [sub.id for sub in store.active_subscriptions()] == [kept]
    states = dict(store.conn.execute("SELECT id, paused FROM subscriptions"))
    assert states == {kept: Paused.NO, paused: Paused.BY_USER}
    assert store.conn.execute("SELECT created_at FROM chats WHERE id = 1").fetchone() == created_at


def test_a_chat_keeps_its_title_when_telegram_sends_none(store: Store) -> None:
    store.upsert_chat(-5, type="group", title="Newsroom")

    chat = store.upsert_chat(-5, type="supergroup")

    assert (chat.type, chat.title) == ("supergroup", "Newsroom")


def test_async_store_offers_every_store_method() -> None:
    """``AsyncStore`` declares its methods one by one (typed); none may be forgotten.

    Left out: opening and closing (``aclose``), ``stop_poll_writes``, which must not wait
    in the queue behind the poll it stops, and the reading connection (``reader``,
    ``snapshot``) that ``AsyncStore`` runs its queries through.
    """
    public = {
        name for name in dir(Store) if not name.startswith("_") and callable(getattr(Store, name))
    }

    assert public - set(vars(AsyncStore)) == {
        "open",
        "close",
        "stop_poll_writes",
        "reader",
        "snapshot",
    }


def words_of(store: Store, query: str) -> list[str]:
    """Guids of the articles ``search_candidates`` finds for an FTS5 query of folded words."""
    found = store.search_candidates(query, since=None, before=10**9, limit=100, reader=None)
    return [s.article.id for s in found]


def test_a_version_3_file_gets_its_articles_words_indexed_as_rules_fold_them(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = opened_as_release(3, db, monkeypatch)
    feed = feed_as_release_8(old, "https://a.example/rss")
    old.conn.execute(  # as release 3 stored an article (no article_words yet)
        """INSERT INTO articles(feed_id, guid, url, title, text, seen_at, source)
           VALUES (?, 'old', 'https://a.example/1', 'Straße nach Azərbaycan', '', ?, 'Feed')""",
        (feed, NOW.isoformat()),
    )
    old.close()

    store = Store.open(db)
    store.add_articles(
        feed, [article("new", "https://a.example/2", "Israel's envoy in Baku")], seen_at=NOW
    )

    assert words_of(store, 'title : ("strasse" AND "azerbaycan")') == ["old"]
    assert words_of(store, 'title : ("israel" AND "baku")') == ["new"]
    assert words_of(store, 'title : "azer"*') == ["old"]
    store.prune_articles(NOW + timedelta(days=1))
    assert store.conn.execute("SELECT count(*) FROM article_words").fetchone() == (0,)
    store.close()


def test_search_candidates_come_latest_stored_first_within_the_window(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    for n, age in enumerate((20, 5, 1)):
        store.add_articles(
            feed,
            [article(f"g{n}", f"https://a.example/{n}")],
            seen_at=NOW - timedelta(days=age),
        )

    recent = store.search_candidates(
        None, since=NOW - timedelta(days=7), before=10**9, limit=10, reader=None
    )
    paged = store.search_candidates(
        '"baku"', since=None, before=recent[0].rowid, limit=10, reader=None
    )

    assert [s.article.id for s in recent] == ["g2", "g1"]
    assert [s.article.id for s in paged] == ["g1", "g0"]
    assert store.newest_article_id() == recent[0].rowid


def test_a_feed_failing_before_release_10_counts_as_failing_since_its_last_poll(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 10 adds when a feed's failures began; for a feed failing already, the best the
    file knows is its last poll (it has failed at least since then)."""
    old = opened_as_release(9, db, monkeypatch)
    # SQL: today's add_feed writes columns release 9 does not have.
    failing, working = (
        old.conn.execute(
            "INSERT INTO feeds(url, created_at) VALUES (?, ?)",
            (f"https://{n}.example/rss", NOW.isoformat()),
        ).lastrowid
        for n in "ab"
    )
    polled = NOW - timedelta(hours=30)
    old.conn.execute(
        "UPDATE feeds SET error_count = 3, last_polled_at = ? WHERE id = ?",
        (polled.isoformat(), failing),
    )
    old.conn.execute(
        "UPDATE feeds SET last_polled_at = ? WHERE id = ?", (polled.isoformat(), working)
    )
    old.close()

    store = Store.open(db)
    feeds = {feed.id: feed for feed in store.list_feeds()}
    store.close()

    assert feeds[failing].failing_since == polled
    assert feeds[working].failing_since is None


def test_failing_since_is_the_first_failed_poll_of_a_run(store: Store) -> None:
    feed = store.add_feed("https://a.example/rss").id
    later = timedelta(minutes=10)

    def poll(status: str, at: datetime) -> datetime | None:
        store.record_polls([(feed, PollOutcome(status, at, at + later, error="boom"))])
        return store.get_feed(feed).failing_since

    assert poll("error", NOW) == NOW
    assert poll("error", NOW + later) == NOW
    assert poll("ok", NOW + 2 * later) is None
    assert poll("gone", NOW + 3 * later) == NOW + 3 * later
