"""What a poll, the sender and a reply ask of the store is answered through indexes.

Issue 28: a poll's commit grew from 0.33 s to seconds once 100k outbox rows were pending, and
replies are to cost the same at a thousand outbox rows or a million. Every statement these
paths really run is recorded (with its parameters, as SQLite plans it: a bound state cannot
use a partial index) and planned with EXPLAIN QUERY PLAN: none may read the whole of
``outbox`` or ``articles``, nor of the stories counted for surges (``topic_stories``,
``surges``: a poll asks about each topic it matched). The timings are in bench/bench_scale.py.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.article import Article
from bot.store import Delivered, ShownAs, Store, Surge
from tests.support.outbox_env import RULE, TEXT, burst

FULL_SCAN = re.compile(r"^SCAN (outbox|articles|topic_stories|surges)\b")
CHATS = range(1, 6)


class Recorded:
    """A connection that notes every statement run through it, with its parameters."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.statements: list[tuple[str, Any]] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self.statements.append((sql, params))
        return self._conn.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store with every kind of outbox row (pending, scheduled, sent, failed, a story's
    copy) whose statements are recorded from here on (``store.conn.statements``)."""
    opened = Store.open(tmp_path / "bot.db")
    burst(opened, CHATS, 12)
    rows = opened.pending_alerts(limit=1000)
    opened.mark_sent([Delivered(row.id, 100 + row.id, ShownAs.DIGEST) for row in rows[:20]])
    now = datetime.now(UTC)
    opened.schedule_alerts({row.id: (now + timedelta(hours=1), now) for row in rows[20:30]})
    opened.mark_failed(rows[30].id, "Bad Request: chat not found")
    store = Store(Recorded(opened.conn), opened.path)  # type: ignore[arg-type]
    yield store
    opened.close()


def full_scans(store: Store, work: Callable[[Store], object]) -> list[tuple[str, str]]:
    """(statement, plan line) of each whole-table read of outbox or articles ``work`` made."""
    recorded: Recorded = store.conn  # type: ignore[assignment]
    recorded.statements.clear()
    work(store)
    scans = []
    for sql, params in recorded.statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):
            continue
        for *_, detail in recorded._conn.execute(f"EXPLAIN QUERY PLAN {sql}", params):
            if FULL_SCAN.match(detail):
                scans.append((" ".join(sql.split())[:160], detail))
    assert recorded.statements, "the work ran no statement"
    return scans


def new_articles(count: int) -> list[Article]:
    return [
        Article(
            id=f"new{n}",
            feed_url="https://caspian.example/rss",
            url=f"https://caspian.example/new/{n}",
            title=f"Israel and Azerbaijan, day {n}",
            text=TEXT,
            published=datetime.now(UTC),
            source="Caspian Daily",
        )
        for n in range(count)
    ]


def a_poll(store: Store) -> None:
    """What a poll asks: which entries are new, then its one transaction."""
    feed_id = 1
    articles = new_articles(3)
    store.unseen_articles(feed_id, articles)
    sub = {chat: store.list_subscriptions(chat)[0].id for chat in CHATS}
    stored = store.store_poll(
        feed_id,
        articles,
        seen_at=datetime.now(UTC),
        matches={(chat, a.id): [sub[chat]] for chat in CHATS for a in articles},
        stories={articles[2].id: (feed_id, articles[1].id)},
    )
    assert stored.alerts == len(CHATS) * 2


def a_delivery_cycle(store: Store) -> None:
    """What the sender asks in a cycle: the due chats, then settling what it sent."""
    rows = store.pending_alerts(limit=20)
    assert rows
    store.pending_alerts(limit=20, skip={rows[0].chat.id})
    store.waiting_copies([row.id for row in rows])
    store.mark_sent([Delivered(rows[0].id, 9000, ShownAs.ALERT)])
    store.defer_alert(rows[1].id, "Timed out", datetime.now(UTC) + timedelta(minutes=1))
    store.story_updates()


def a_surge_check(store: Store) -> None:
    """What a poll asks of the topics it matched that have surge alerts on (their stories,
    a surge queued), and a digest of the topics that surged in its period."""
    a_poll(store)  # stories counted for the topics
    now = datetime.now(UTC)
    subs = [store.list_subscriptions(chat)[0].id for chat in CHATS]
    activity = store.topic_activity(subs, now=now, week=timedelta(days=7))
    assert [a.last_hour for a in activity] == [2] * len(CHATS)
    quiet_since = now - timedelta(hours=6)
    surge = Surge(2, 0.1, 168.0, ())
    assert store.add_surge(subs[0], surge, at=now, quiet_since=quiet_since, top=5)
    store.surged_topics(subs, since=now - timedelta(days=1), until=now)


def replies(store: Store) -> None:
    """What /list, /status and an alert's button ask."""
    store.get_chat(1)
    assert [sub.rule for sub in store.list_subscriptions(1)] == [RULE]
    assert store.stats().articles >= 12
    store.recent_sends(datetime.now(UTC) - timedelta(hours=1))
    store.feed_states()
    store.list_feeds()
    store.get_alert(store.pending_alerts(limit=1)[0].id)


@pytest.mark.parametrize(
    "path", [a_poll, a_delivery_cycle, a_surge_check, replies], ids=lambda p: p.__name__
)
def test_no_statement_reads_the_whole_outbox_or_articles(
    store: Store, path: Callable[[Store], None]
) -> None:
    assert full_scans(store, path) == []


def test_the_check_sees_a_full_scan(store: Store) -> None:
    """The check itself: a count of every row is caught."""
    scans = full_scans(store, lambda s: s.conn.execute("SELECT count(*) FROM outbox").fetchone())

    assert [detail.split()[:2] for _, detail in scans] == [["SCAN", "outbox"]]


def vm_steps(store: Store, work: Callable[[Store], object]) -> int:
    """SQLite virtual-machine steps ``work`` took, in hundreds: its cost, counted rather
    than timed."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    recorded: Recorded = store.conn  # type: ignore[assignment]
    recorded._conn.set_progress_handler(count, 100)
    try:
        work(store)
    finally:
        recorded._conn.set_progress_handler(None, 100)
    return steps


def grow_the_outbox(store: Store, *, times: int) -> None:
    """The chats' history: each row of the outbox ``times`` more, in forum threads, sent
    months ago. Only the outbox grows: (articles are pruned after ``retention_days``, and
    /status and /feeds count them per feed; rows pending cost /status what counting them
    takes, and more chats cost the sender a look-up each: bench/bench_scale.py.)"""
    conn: sqlite3.Connection = store.conn._conn  # type: ignore[attr-defined]
    conn.execute(
        """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           INSERT INTO outbox(chat_id, thread_id, article_id, subscription_ids, status,
                              created_at, sent_at, shown_as)
           SELECT chat_id, i, article_id, '[]', 'sent', '2026-01-01', '2026-01-01', 'alert'
           FROM outbox JOIN n""",
        (times,),
    )


@pytest.mark.parametrize(
    "path", [a_poll, a_delivery_cycle, a_surge_check, replies], ids=lambda p: p.__name__
)
def test_the_cost_does_not_grow_with_other_chats_history(
    tmp_path: Path, path: Callable[[Store], None]
) -> None:
    """The same work on two stores alike but for 40 times the outbox rows (the chats'
    history) takes about the same number of SQLite steps."""
    costs = []
    for extra in (0, 40):
        store = Store(Recorded(Store.open(tmp_path / f"bot{extra}.db").conn))  # type: ignore[arg-type]
        burst(store, CHATS, 12)
        if extra:
            grow_the_outbox(store, times=extra)
        costs.append(vm_steps(store, path))
        store.close()

    assert costs[1] <= costs[0] * 1.2 + 5, costs
