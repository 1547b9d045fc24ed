"""The SQLite store: one file in WAL mode, the single source of truth of the bot.

Everything that must survive a crash is here: which articles were seen (so nothing alerts
twice), what each chat follows, and the outbox of alerts (a match is written before anything
is sent and marked sent only after Telegram answers). Methods are synchronous and short;
``AsyncStore`` moves them off the event loop.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot.article import Article
from bot.store.health import storage_fault
from bot.store.migrations import migrate
from bot.store.rows import (
    ChatRow,
    Delivered,
    FeedRow,
    OutboxRow,
    PollOutcome,
    ShownAs,
    StoredArticle,
    StoredPoll,
    StoreStats,
    StoryCopy,
    StoryUpdate,
    SubscriptionRow,
    to_iso,
)

if TYPE_CHECKING:
    from bot.config import FeedSpec
    from rules import Rule

logger = logging.getLogger(__name__)


class StoreError(Exception):
    """Base class of the store's own errors."""


class DuplicateSubscription(StoreError):
    """The chat already follows a rule with the same canonical form."""

    def __init__(self, existing: SubscriptionRow) -> None:
        super().__init__(f"this chat already follows {existing.rule!r} as #{existing.number}")
        self.existing = existing


class SubscriptionLimitReached(StoreError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"a chat can follow at most {limit} topics")
        self.limit = limit


class UnknownRow(StoreError):
    """A command named a subscription or feed that does not exist (any more)."""


class StoreUnavailable(StoreError):
    """The database cannot be used for writing: read-only, damaged, full, locked, missing.

    Its message is one line naming the file and what to do, for the CLI and ``run`` to print.
    """

    def __init__(self, path: str | Path, exc: sqlite3.Error) -> None:
        fault = storage_fault(exc)
        what = fault.sentence if fault else "SQLite refused it"
        detail = " ".join(str(exc).split())  # quick_check lists problems over several lines
        super().__init__(f"cannot use the database {path}: {what} ({detail})")


class PollWriteAborted(sqlite3.OperationalError):
    """:meth:`Store.stop_poll_writes` rolled back a poll being stored (the bot is stopping)."""


BUSY_TIMEOUT = 5.0
"""Seconds a write waits for another connection's write lock before failing as locked."""
ROOM_TO_RESUME = 256 * 1024
"""Free bytes the database needs (on its disk and under ``max_page_count``) before
:meth:`Store.check_usable` says that a full database can take polls again."""


def _now() -> datetime:
    return datetime.now(UTC)


_FEED_SELECT = """
SELECT feeds.*, (SELECT count(*) FROM articles WHERE articles.feed_id = feeds.id) AS articles
FROM feeds
"""


class Store:
    """Typed access to the database; see docs/architecture.md for the tables."""

    def __init__(self, conn: sqlite3.Connection, path: str | Path = ":memory:") -> None:
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self.path = str(path)
        self._poll_writes_stopped = False

    @classmethod
    def open(cls, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT) -> Store:
        """Open (creating and migrating as needed) the database file in WAL mode.

        Raises :class:`StoreUnavailable` unless the file can be written and passes SQLite's
        ``quick_check``: a bot that starts on a read-only or damaged file would fetch
        articles it cannot keep, so it had better not start.
        """
        conn = None
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if str(path) != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            store = cls(conn, path)
            store.check_usable(integrity=True, room=0)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreUnavailable(path, exc) from None
        return store

    def close(self) -> None:
        self.conn.close()

    def check_usable(self, *, integrity: bool = False, room: int = ROOM_TO_RESUME) -> None:
        """Raise the ``sqlite3`` error that storing a poll would meet now, if any.

        A write is tried and rolled back (locked, read-only, I/O); the database needs ``room``
        free bytes on its disk and under ``max_page_count`` (a write of one existing row fits
        in a full database, a poll does not); ``integrity`` runs ``PRAGMA quick_check``,
        which reads every page, for a database that was found damaged.
        """
        if integrity:
            problems = [row[0] for row in self.conn.execute("PRAGMA quick_check") if row[0] != "ok"]
            if problems:
                raise sqlite3.DatabaseError(f"database disk image is malformed: {problems[0]}")
        if room and self._free_bytes() < room:
            raise sqlite3.OperationalError("database or disk is full")
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
        finally:
            self.conn.execute("ROLLBACK")

    def _free_bytes(self) -> int:
        """What the database can still grow by: the lesser of its disk's free space and
        what ``max_page_count`` leaves (pages on the freelist count as free)."""

        def pragma(name: str) -> int:
            return self.conn.execute(f"PRAGMA {name}").fetchone()[0]

        pages = pragma("max_page_count") - pragma("page_count") + pragma("freelist_count")
        free = pages * pragma("page_size")
        if self.path != ":memory:":
            folder = os.path.dirname(os.path.abspath(self.path))
            free = min(free, shutil.disk_usage(folder).free)
        return free

    def backup(self, target: str | Path) -> None:
        """Copy the database to ``target`` with SQLite's online backup, safe while the bot runs.

        The copy is one consistent snapshot (a WAL reader does not block writers), written
        beside ``target`` and renamed into place once it passes ``quick_check``, so a failed
        backup never leaves a half-written file under the name. It is in rollback-journal
        mode: one self-contained file to copy back.
        """
        target = Path(target)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            self.conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(f"the copy failed quick_check: {check}")
        except BaseException:
            copy.close()
            partial.unlink(missing_ok=True)
            raise
        copy.close()
        os.replace(partial, target)

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict]:
        return list(self.db.query(sql, params))

    def _transaction(self) -> sqlite3.Connection:
        """A ``with`` block that commits or rolls back (the connection is in autocommit)."""
        return _Transaction(self.conn)

    def _ints(self, sql: str, params: Sequence[Any]) -> list[int]:
        """The integers column ``n`` of a query gives, in no set order, fetched as one row.

        Each row fetched is a step of SQLite, which waits for the GIL (see :func:`_values`).
        """
        (packed,) = self.conn.execute(f"SELECT json_group_array(n) FROM ({sql})", params).fetchone()
        return json.loads(packed)

    def _batches(self, rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, list[Any]]]:
        """``rows`` as ``VALUES`` clauses with their parameters (see :func:`_values`), as many
        rows to a statement as SQLite's limit on parameters allows, less one the statement
        may add of its own."""
        if not rows:
            return
        size = (self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 1) // len(rows[0])
        for start in range(0, len(rows), size):
            yield _values(rows[start : start + size])

    # ------------------------------------------------------------------ chats

    def upsert_chat(
        self, chat_id: int, *, type: str = "private", title: str | None = None
    ) -> ChatRow:
        """Register a chat or bring it back: /start after a block resumes its subscriptions."""
        with self._transaction():
            self.conn.execute(
                """INSERT INTO chats(id, type, title, active, created_at) VALUES (?, ?, ?, 1, ?)
                   ON CONFLICT(id) DO UPDATE SET type = excluded.type,
                       title = coalesce(excluded.title, chats.title), active = 1""",
                (chat_id, type, title, to_iso(_now())),
            )
            self.set_chat_active(chat_id, True)
        return self.get_chat(chat_id)  # type: ignore[return-value]

    def get_chat(self, chat_id: int) -> ChatRow | None:
        rows = self._rows("SELECT * FROM chats WHERE id = ?", (chat_id,))
        return ChatRow.from_row(rows[0]) if rows else None

    def set_chat_active(self, chat_id: int, active: bool) -> None:
        """A chat that blocked the bot is inactive and its subscriptions are paused."""
        with self._transaction():
            self.conn.execute("UPDATE chats SET active = ? WHERE id = ?", (int(active), chat_id))
            # paused = 2 marks "paused because the chat went away", so coming back resumes
            # exactly those and leaves the ones the user paused alone.
            if active:
                self.conn.execute(
                    "UPDATE subscriptions SET paused = 0 WHERE chat_id = ? AND paused = 2",
                    (chat_id,),
                )
            else:
                self.conn.execute(
                    "UPDATE subscriptions SET paused = 2 WHERE chat_id = ? AND paused = 0",
                    (chat_id,),
                )

    def set_chat_timezone(self, chat_id: int, timezone: str) -> None:
        self.conn.execute("UPDATE chats SET timezone = ? WHERE id = ?", (timezone, chat_id))

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its subscriptions and pending alerts follow it."""
        with self._transaction():
            if self.get_chat(new_id):
                self.conn.execute(
                    "UPDATE subscriptions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
                )
                self.conn.execute(
                    "UPDATE OR IGNORE outbox SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
                )
                self.conn.execute("DELETE FROM chats WHERE id = ?", (old_id,))
            else:
                self.conn.execute(
                    "UPDATE chats SET id = ?, type = 'supergroup' WHERE id = ?", (new_id, old_id)
                )

    # ---------------------------------------------------------- subscriptions

    def add_subscription(
        self,
        chat_id: int,
        rule: Rule,
        *,
        thread_id: int | None = None,
        created_by: int | None = None,
        limit: int = 50,
    ) -> SubscriptionRow:
        """Store a rule for a chat; duplicates (same canonical form) and the limit are errors."""
        existing = self.list_subscriptions(chat_id)
        for sub in existing:
            if sub.canonical == rule.canonical:
                raise DuplicateSubscription(sub)
        if len(existing) >= limit:
            raise SubscriptionLimitReached(limit)
        if self.get_chat(chat_id) is None:
            self.upsert_chat(chat_id)
        cur = self.conn.execute(
            """INSERT INTO subscriptions(chat_id, thread_id, rule, canonical, created_by,
                   created_at) VALUES (?, ?, ?, ?, ?, ?)""",
            (chat_id, thread_id, str(rule), rule.canonical, created_by, to_iso(_now())),
        )
        return self.get_subscription(cur.lastrowid)  # type: ignore[arg-type]

    def get_subscription(self, sub_id: int) -> SubscriptionRow:
        rows = self._rows("SELECT * FROM subscriptions WHERE id = ?", (sub_id,))
        if not rows:
            raise UnknownRow(f"there is no subscription with id {sub_id}")
        number = self._rows(
            "SELECT count(*) AS n FROM subscriptions WHERE chat_id = ? AND id <= ?",
            (rows[0]["chat_id"], sub_id),
        )[0]["n"]
        return SubscriptionRow.from_row(rows[0], number)

    def list_subscriptions(self, chat_id: int) -> list[SubscriptionRow]:
        rows = self._rows("SELECT * FROM subscriptions WHERE chat_id = ? ORDER BY id", (chat_id,))
        return [SubscriptionRow.from_row(row, n) for n, row in enumerate(rows, start=1)]

    def remove_subscription(self, sub_id: int) -> None:
        self.conn.execute("DELETE FROM subscriptions WHERE id = ?", (sub_id,))

    def set_paused(self, sub_id: int, paused: bool) -> None:
        self.conn.execute("UPDATE subscriptions SET paused = ? WHERE id = ?", (int(paused), sub_id))

    def subscriptions_version(self) -> int:
        """A counter that changes whenever the set of active rules may have changed."""
        row = self.conn.execute(
            "SELECT value FROM meta WHERE key = 'subscriptions_version'"
        ).fetchone()
        return int(row[0])

    def active_subscriptions(self) -> list[SubscriptionRow]:
        """Everything the matcher should know: unpaused rules of active chats."""
        rows = self._rows(
            """SELECT subscriptions.* FROM subscriptions JOIN chats ON chats.id = chat_id
               WHERE NOT paused AND chats.active ORDER BY subscriptions.id"""
        )
        return [SubscriptionRow.from_row(row) for row in rows]

    # ------------------------------------------------------------------ feeds

    def sync_config_feeds(self, specs: Iterable[FeedSpec]) -> None:
        """Merge the config file's feeds with stored ones: one row per URL, never two.

        A config feed that left the file is disabled (its articles stay for dedup).
        """
        specs = list(specs)
        with self._transaction():
            for spec in specs:
                self.conn.execute(
                    """INSERT INTO feeds(url, name, origin, interval, full_text, created_at)
                       VALUES (?, ?, 'config', ?, ?, ?)
                       ON CONFLICT(url) DO UPDATE SET name = excluded.name, origin = 'config',
                           interval = excluded.interval, full_text = excluded.full_text,
                           enabled = 1""",
                    (spec.url, spec.name, spec.interval, int(spec.full_text), to_iso(_now())),
                )
            urls = [spec.url for spec in specs]
            marks = ",".join("?" * len(urls))
            self.conn.execute(
                f"UPDATE feeds SET enabled = 0 WHERE origin = 'config' AND url NOT IN ({marks})",
                urls,
            )

    def add_feed(
        self,
        url: str,
        *,
        name: str | None = None,
        origin: str = "chat",
        interval: int | None = None,
        full_text: bool = False,
    ) -> FeedRow:
        """Add a feed, or re-enable the one with this URL."""
        self.conn.execute(
            """INSERT INTO feeds(url, name, origin, interval, full_text, created_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET enabled = 1,
                   name = coalesce(excluded.name, feeds.name)""",
            (url, name, origin, interval, int(full_text), to_iso(_now())),
        )
        return self.feed_by_url(url)  # type: ignore[return-value]

    def feed_by_url(self, url: str) -> FeedRow | None:
        rows = self._rows(_FEED_SELECT + " WHERE url = ?", (url,))
        return FeedRow.from_row(rows[0]) if rows else None

    def get_feed(self, feed_id: int) -> FeedRow:
        rows = self._rows(_FEED_SELECT + " WHERE id = ?", (feed_id,))
        if not rows:
            raise UnknownRow(f"there is no feed with id {feed_id}")
        return FeedRow.from_row(rows[0])

    def list_feeds(self, *, enabled_only: bool = True) -> list[FeedRow]:
        where = " WHERE enabled" if enabled_only else ""
        return [FeedRow.from_row(row) for row in self._rows(_FEED_SELECT + where + " ORDER BY id")]

    def remove_feed(self, feed_id: int) -> None:
        """Stop polling a feed; its articles stay until pruned so they never alert again."""
        self.conn.execute("UPDATE feeds SET enabled = 0 WHERE id = ?", (feed_id,))

    def record_poll(self, feed_id: int, outcome: PollOutcome) -> None:
        """Write what a poll learned onto its feed (see :meth:`record_polls`)."""
        self.record_polls([(feed_id, outcome)])

    def record_polls(self, polls: Sequence[tuple[int, PollOutcome]]) -> None:
        """Write what each poll learned onto its feed, in one UPDATE for all (``bot.pipeline``
        gathers the polls that finish while one such write runs); a feed that moved for good
        gets its new URL in the same transaction. Of two polls of one feed, the later counts."""
        latest = dict(polls)
        rows = [_poll_row(feed_id, outcome) for feed_id, outcome in latest.items()]
        moved = [
            (outcome.new_url, feed_id) for feed_id, outcome in latest.items() if outcome.new_url
        ]
        # Without a move the UPDATE is its own transaction: BEGIN and COMMIT would be two more
        # statements, each a wait for the GIL (see _values).
        with self._transaction() if moved else contextlib.nullcontext():
            for sql, params in self._batches(rows):
                self.conn.execute(
                    f"""WITH poll(id, polled_at, status, next_poll_at, error, failed,
                            keep_validators, etag, last_modified, title, ttl, fulltext_failures)
                            AS ({sql})
                        UPDATE feeds SET polls = polls + 1, last_polled_at = poll.polled_at,
                            last_status = poll.status, next_poll_at = poll.next_poll_at,
                            last_error = poll.error,
                            error_count = CASE WHEN poll.failed THEN error_count + 1 ELSE 0 END,
                            etag = CASE WHEN poll.keep_validators
                                THEN feeds.etag ELSE poll.etag END,
                            last_modified = CASE WHEN poll.keep_validators
                                THEN feeds.last_modified ELSE poll.last_modified END,
                            title = coalesce(poll.title, feeds.title),
                            ttl_minutes = coalesce(poll.ttl, ttl_minutes),
                            fulltext_failures = feeds.fulltext_failures + poll.fulltext_failures,
                            enabled = CASE WHEN poll.status = 'gone' THEN 0 ELSE enabled END
                        FROM poll WHERE feeds.id = poll.id""",
                    params,
                )
            for new_url, feed_id in moved:
                if self.feed_by_url(new_url) is None:
                    self.conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, feed_id))

    # --------------------------------------------------------------- articles

    def add_articles(
        self, feed_id: int, articles: Iterable[Article], *, seen_at: datetime
    ) -> list[StoredArticle]:
        """Store what is new and return only that.

        An article is old when its feed already has its id or any feed already has its
        canonical URL (the same story syndicated with other tracking parameters); of two
        entries of one call with the same id or URL, the first is stored. The whole batch is a
        handful of statements, whatever its size (see :func:`_values`).
        """
        with self._transaction():
            new = self._new_articles(feed_id, list(articles))
            if not new:
                return []
            (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
            seen = to_iso(seen_at)
            rows = [
                (
                    feed_id,
                    article.id,
                    article.url,
                    article.title,
                    article.text,
                    to_iso(article.published) if article.published else None,
                    seen,
                    article.source,
                    article.language,
                    json.dumps(list(article.authors), ensure_ascii=False),
                    json.dumps(list(article.tags), ensure_ascii=False),
                )
                for article in new
            ]
            for sql, params in self._batches(rows):
                self.conn.execute(
                    """INSERT INTO articles(feed_id, guid, url, title, text, published_at,
                           seen_at, source, language, authors, tags) """
                    + sql,
                    params,
                )
            # Rows after ``last`` are this transaction's, in the order they were inserted.
            rowids = sorted(self._ints("SELECT id AS n FROM articles WHERE id > ?", (last,)))
            # FTS5 writes its pending terms out as an index segment at every statement, so the
            # poll's articles go in with one statement: one segment per poll (see migration v2).
            self.conn.execute(
                """INSERT INTO articles_fts(rowid, title, text)
                   SELECT id, title, text FROM articles WHERE id > ?""",
                (last,),
            )
        return [
            StoredArticle(rowid, feed_id, article, seen_at, None)
            for rowid, article in zip(rowids, new, strict=True)
        ]

    def unseen_articles(self, feed_id: int, articles: Iterable[Article]) -> list[Article]:
        """The articles ``add_articles`` would store now, without storing them.

        Lets the pipeline spend work on new entries only (fetching a teaser's full page),
        under the same rule: not this feed's id, not any feed's canonical URL.
        """
        return self._new_articles(feed_id, list(articles))

    def _new_articles(self, feed_id: int, articles: list[Article]) -> list[Article]:
        """Those of ``articles`` that are new: not known, and first of the batch with their id
        and URL."""
        known: set[int] = set()
        rows = [(position, article.id, article.url) for position, article in enumerate(articles)]
        for sql, params in self._batches(rows):
            known.update(
                self._ints(
                    f"""WITH batch(position, guid, url) AS ({sql})
                        SELECT position AS n FROM batch
                        WHERE EXISTS (SELECT 1 FROM articles
                                      WHERE articles.feed_id = ? AND articles.guid = batch.guid)
                           OR EXISTS (SELECT 1 FROM articles WHERE articles.url = batch.url)""",
                    (*params, feed_id),
                )
            )
        new, ids, urls = [], set(), set()
        for position, article in enumerate(articles):
            if position in known or article.id in ids or article.url in urls:
                continue
            new.append(article)
            ids.add(article.id)
            if article.url:
                urls.add(article.url)
        return new

    def store_poll(
        self,
        feed_id: int,
        articles: Sequence[Article],
        *,
        seen_at: datetime,
        matches: Mapping[tuple[int, str], Sequence[int]] | None = None,
        thread_ids: Mapping[int, int | None] | None = None,
        stories: Mapping[str, tuple[int, str]] | None = None,
    ) -> StoredPoll:
        """Store a poll's new articles, their stories and their alerts in one transaction.

        An article counts as seen once stored, and is never matched again: were the articles
        committed before their outbox rows, a crash, a stop or a lock in between would lose
        those alerts for good. So it is all or nothing. ``matches`` and ``stories`` name
        articles by id (they are matched and clustered before they have rows):
        ``matches[(chat_id, article id)]`` lists the subscriptions an article matched (see
        :meth:`enqueue_alerts`), ``stories[article id]`` is the ``(feed_id, article id)`` of
        the first article of the story it repeats, stored before or in this poll. Articles
        that turn out not to be new (:meth:`add_articles`) are left out with their matches.
        """
        self._check_stopped()
        with self._transaction():
            stored = self.add_articles(feed_id, articles, seen_at=seen_at)
            rowids = {s.article.id: s.rowid for s in stored}
            firsts = self._story_rowids(stories or {}, rowids)
            if firsts:
                self.set_stories(firsts)
            alerts = self.enqueue_alerts(
                {
                    (chat_id, rowids[guid]): sub_ids
                    for (chat_id, guid), sub_ids in (matches or {}).items()
                    if guid in rowids
                },
                thread_ids=thread_ids,
                stories=firsts,
            )
            self._check_stopped()
        return StoredPoll(stored, alerts)

    def stop_poll_writes(self) -> None:
        """From now on, :meth:`store_poll` rolls back instead of committing, the one running
        included; callable from any thread (the bot calls it when a stop has waited long
        enough for polls being stored). Nothing is lost: their articles stay unseen.

        The one running is not interrupted: its statements end, then it rolls back (another
        writer's statement must not fail on our account).
        """
        self._poll_writes_stopped = True

    def _check_stopped(self) -> None:
        if self._poll_writes_stopped:
            raise PollWriteAborted("rolled back: the bot is stopping")

    def _story_rowids(
        self, stories: Mapping[str, tuple[int, str]], rowids: Mapping[str, int]
    ) -> dict[int, int]:
        """Rowid → the rowid of its story's first article, for the stored ones of ``stories``
        whose first article is stored (in this poll or before)."""
        pairs = [(rowids[guid], *first) for guid, first in stories.items() if guid in rowids]
        found: dict[int, int] = {}
        for sql, params in self._batches(pairs):
            rows = self.conn.execute(
                f"""WITH story(rowid, feed_id, guid) AS ({sql})
                    SELECT story.rowid, articles.id FROM story
                    JOIN articles ON articles.feed_id = story.feed_id
                        AND articles.guid = story.guid""",
                params,
            ).fetchall()
            found.update((rowid, first) for rowid, first in rows if rowid != first)
        return found

    def set_stories(self, stories: Mapping[int, int]) -> None:
        """Record which story each article repeats (article rowid → the story's first
        article), in one transaction."""
        with self._transaction():
            for sql, params in self._batches(list(stories.items())):
                self.conn.execute(
                    f"""WITH story(rowid, first) AS ({sql})
                        UPDATE articles SET story_id = story.first FROM story
                        WHERE articles.id = story.rowid""",
                    params,
                )

    def get_article(self, rowid: int) -> StoredArticle:
        rows = self._rows(
            "SELECT articles.*, feeds.url AS feed_url FROM articles "
            "JOIN feeds ON feeds.id = feed_id WHERE articles.id = ?",
            (rowid,),
        )
        if not rows:
            raise UnknownRow(f"there is no article with id {rowid}")
        return StoredArticle.from_row(rows[0], rows[0]["feed_url"])

    def recent_articles(self, since: datetime, limit: int | None = None) -> list[StoredArticle]:
        """Articles first seen since ``since``, newest first (for previews and story memory)."""
        sql = (
            "SELECT articles.*, feeds.url AS feed_url FROM articles"
            " JOIN feeds ON feeds.id = feed_id WHERE seen_at >= ?"
            " ORDER BY coalesce(published_at, seen_at) DESC, articles.id DESC"
        )
        params: list[Any] = [to_iso(since)]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [StoredArticle.from_row(row, row["feed_url"]) for row in self._rows(sql, params)]

    def alerted_articles(self, since: datetime) -> list[StoredArticle]:
        """Articles seen since ``since`` that matched someone, oldest first (story memory)."""
        rows = self._rows(
            """SELECT articles.*, feeds.url AS feed_url FROM articles
               JOIN feeds ON feeds.id = feed_id
               WHERE seen_at >= ? AND articles.id IN (SELECT article_id FROM outbox)
               ORDER BY articles.id""",
            (to_iso(since),),
        )
        return [StoredArticle.from_row(row, row["feed_url"]) for row in rows]

    def search_articles(self, query: str, limit: int = 20) -> list[StoredArticle]:
        """Full-text search (FTS5 syntax) over titles and bodies, best match first."""
        rows = self._rows(
            """SELECT articles.*, feeds.url AS feed_url FROM articles_fts
               JOIN articles ON articles.id = articles_fts.rowid JOIN feeds ON feeds.id = feed_id
               WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?""",
            (query, limit),
        )
        return [StoredArticle.from_row(row, row["feed_url"]) for row in rows]

    def prune_articles(self, older_than: datetime) -> int:
        """Delete old articles, but never one an outbox row still refers to unsent.

        Settled outbox rows go with them, except a story's first alert that a row being kept
        (newer, or a copy still waiting to be shown) points at.
        """
        with self._transaction():
            self.conn.execute(
                """DELETE FROM outbox WHERE status NOT IN ('pending', 'merged') AND created_at < :t
                   AND id NOT IN (SELECT story_of FROM outbox AS copy
                                  WHERE copy.story_of IS NOT NULL AND (copy.created_at >= :t
                                        OR copy.status IN ('pending', 'merged')))""",
                {"t": to_iso(older_than)},
            )
            cur = self.conn.execute(
                """DELETE FROM articles WHERE seen_at < ?
                   AND id NOT IN (SELECT article_id FROM outbox)""",
                (to_iso(older_than),),
            )
        return cur.rowcount

    # ----------------------------------------------------------------- outbox

    def enqueue_alerts(
        self,
        matches: Mapping[tuple[int, int], Sequence[int]],
        *,
        thread_ids: Mapping[int, int | None] | None = None,
        stories: Mapping[int, int] | None = None,
    ) -> int:
        """Write one pending row per (chat, article) listing every matched subscription.

        ``thread_ids`` maps a subscription id to its forum topic; the row goes to the topic of
        the first matched subscription. ``stories`` maps an article to the first article of
        its story: when that chat already has an alert for the story, this row is a "merged"
        copy, shown as "Also: <source>" on that alert instead of a new message. A row that
        already exists is left as it is, so a re-match after a restart cannot send twice.
        Returns how many new messages were queued (merged copies not counted).
        """
        thread_ids = thread_ids or {}
        stories = stories or {}
        rows = [
            (
                chat_id,
                thread_ids.get(sub_ids[0]),
                rowid,
                json.dumps(sorted(sub_ids)),
                stories.get(rowid),
            )
            for (chat_id, rowid), sub_ids in matches.items()
        ]
        if not rows:
            return 0
        now = to_iso(_now())
        with self._transaction():
            (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()
            # The first articles of stories go in before the copies, which look their alerts up.
            for batch in ([r for r in rows if r[4] is None], [r for r in rows if r[4] is not None]):
                for sql, params in self._batches(batch):
                    self.conn.execute(
                        f"""INSERT OR IGNORE INTO outbox(chat_id, thread_id, article_id,
                                subscription_ids, status, story_of, created_at)
                            SELECT chat_id, thread_id, article_id, subscription_ids,
                                   CASE WHEN story_of IS NULL THEN 'pending' ELSE 'merged' END,
                                   story_of, ?
                            FROM (SELECT column1 AS chat_id, column2 AS thread_id,
                                         column3 AS article_id, column4 AS subscription_ids,
                                         (SELECT id FROM outbox WHERE chat_id = column1
                                             AND article_id = column5 AND story_of IS NULL)
                                             AS story_of
                                  FROM ({sql}))""",
                        (now, *params),
                    )
            (created,) = self.conn.execute(
                "SELECT count(*) FROM outbox WHERE id > ? AND status = 'pending'", (last,)
            ).fetchone()
        return created

    def story_updates(self) -> list[StoryUpdate]:
        """Copies of a story whose first alert has settled, with what that alert names.

        A copy waits (status ``merged``) while its first alert is pending; once that alert is
        sent or failed, the sender either names the copy on it or sends the copy on its own.
        Chats that blocked the bot are left until they come back.
        """
        originals = self._rows(
            """SELECT * FROM outbox WHERE id IN (
                   SELECT copy.story_of FROM outbox AS copy
                   JOIN outbox AS original ON original.id = copy.story_of
                   JOIN chats ON chats.id = original.chat_id
                   WHERE copy.status = 'merged' AND original.status IN ('sent', 'failed')
                     AND chats.active)
               ORDER BY id"""
        )
        if not originals:
            return []
        copies: dict[int, list[dict]] = {}
        for copy in self._rows(
            """SELECT outbox.id, outbox.story_of, outbox.status, outbox.shown_as,
                      articles.source, articles.url
               FROM outbox JOIN articles ON articles.id = outbox.article_id
               WHERE outbox.story_of IN (SELECT value FROM json_each(?))
                 AND (outbox.status = 'merged' OR outbox.shown_as = 'also')
               ORDER BY outbox.id""",
            (json.dumps([row["id"] for row in originals]),),
        ):
            copies.setdefault(copy["story_of"], []).append(copy)
        updates = []
        for original in self._outbox_rows(originals):
            mine = copies.get(original.id, [])
            updates.append(
                StoryUpdate(
                    original,
                    named=tuple(_story_copy(c) for c in mine if c["status"] == "sent"),
                    waiting=tuple(_story_copy(c) for c in mine if c["status"] == "merged"),
                )
            )
        return updates

    def send_alone(self, reasons: Mapping[int, str]) -> None:
        """Copies of a story that cannot be named on its first alert become alerts of their own
        (pending again, due now); ``reasons`` (outbox id → why) stay on the row for /status."""
        with self._transaction():
            for sql, params in self._batches(list(reasons.items())):
                self.conn.execute(
                    f"""WITH alone(id, reason) AS ({sql})
                        UPDATE outbox SET status = 'pending', not_before = NULL,
                            last_error = 'not named on its first alert: ' || alone.reason
                        FROM alone WHERE outbox.id = alone.id AND outbox.status = 'merged'""",
                    params,
                )

    def pending_alerts(self, limit: int = 100, *, now: datetime | None = None) -> list[OutboxRow]:
        """Due, unsent alerts of active chats, whole chats at a time, oldest first.

        Chats come in the order of their oldest due alert, each with every due alert it has,
        until ``limit`` rows are reached (always at least one chat, however many it has). So
        what a chat receives (one digest, or alerts one by one) depends on that chat's alerts
        alone, never on how many other chats wait or in which order rows were queued.
        """
        rows = self._rows(
            """WITH due AS (
                   SELECT outbox.id, outbox.chat_id FROM outbox
                   JOIN chats ON chats.id = outbox.chat_id
                   WHERE status = 'pending' AND chats.active
                     AND (not_before IS NULL OR not_before <= :now)),
               per_chat AS (
                   SELECT chat_id, min(id) AS first, count(*) AS n FROM due GROUP BY chat_id),
               turn AS (
                   SELECT chat_id, first,
                          sum(n) OVER (ORDER BY first ROWS UNBOUNDED PRECEDING) - n AS before
                   FROM per_chat)
               SELECT outbox.* FROM due JOIN turn USING (chat_id)
               JOIN outbox ON outbox.id = due.id
               WHERE turn.before < :limit ORDER BY turn.first, outbox.id""",
            {"now": to_iso(now or _now()), "limit": limit},
        )
        return self._outbox_rows(rows)

    def _outbox_rows(self, rows: Sequence[dict[str, Any]]) -> list[OutboxRow]:
        """Outbox rows with their chat, article and subscriptions, loaded in three queries."""
        if not rows:
            return []

        def ids(values: Iterable[int]) -> tuple[str]:
            return (json.dumps(sorted(set(values))),)

        chats = {
            row["id"]: ChatRow.from_row(row)
            for row in self._rows(
                "SELECT * FROM chats WHERE id IN (SELECT value FROM json_each(?))",
                ids(row["chat_id"] for row in rows),
            )
        }
        articles = {
            row["id"]: StoredArticle.from_row(row, row["feed_url"])
            for row in self._rows(
                """SELECT articles.*, feeds.url AS feed_url FROM articles
                   JOIN feeds ON feeds.id = feed_id
                   WHERE articles.id IN (SELECT value FROM json_each(?))""",
                ids(row["article_id"] for row in rows),
            )
        }
        sub_ids = {row["id"]: json.loads(row["subscription_ids"]) for row in rows}
        subs = {
            row["id"]: SubscriptionRow.from_row(row, row["number"])
            for row in self._rows(
                """SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY chat_id ORDER BY id)
                                     AS number FROM subscriptions
                                 WHERE chat_id IN (SELECT value FROM json_each(?)))
                   WHERE id IN (SELECT value FROM json_each(?))""",
                (*ids(chats), *ids(s for listed in sub_ids.values() for s in listed)),
            )
        }
        return [
            OutboxRow(
                id=row["id"],
                chat=chats[row["chat_id"]],
                thread_id=row["thread_id"],
                article=articles[row["article_id"]],
                # unsubscribed after the match: the alert still names the rest
                subscriptions=tuple(subs[s] for s in sub_ids[row["id"]] if s in subs),
                attempts=row["attempts"],
                created_at=datetime.fromisoformat(row["created_at"]),
                message_id=row["message_id"],
                status=row["status"],
                shown_as=ShownAs(row["shown_as"]) if row["shown_as"] else None,
            )
            for row in rows
        ]

    def mark_sent(self, delivered: Sequence[Delivered]) -> None:
        """Record Telegram's answers, all in one transaction; from here on those alerts are
        never sent again.

        A row already recorded is left as it is, so recording the same answer twice (after a
        storage fault, not knowing whether the first try was kept) changes nothing.
        """
        rows = [(d.outbox_id, d.message_id, str(d.shown_as)) for d in delivered]
        counts: Counter[int] = Counter()
        with self._transaction():
            for sql, params in self._batches(rows):
                settled = self.conn.execute(
                    f"""WITH shown(id, message_id, shown_as) AS ({sql})
                        UPDATE outbox SET status = 'sent', message_id = shown.message_id,
                            shown_as = shown.shown_as, sent_at = ?, attempts = attempts + 1
                        FROM shown WHERE outbox.id = shown.id
                            AND outbox.status IN ('pending', 'merged')
                        RETURNING outbox.subscription_ids, outbox.shown_as""",
                    (*params, to_iso(_now())),
                ).fetchall()
                # A subscription counts the alerts it caused; a copy named on one adds none.
                counts.update(
                    sub_id
                    for listed, shown_as in settled
                    if shown_as != ShownAs.ALSO
                    for sub_id in json.loads(listed)
                )
            for sql, params in self._batches(list(counts.items())):
                self.conn.execute(
                    f"""WITH counted(id, n) AS ({sql})
                        UPDATE subscriptions SET alerts = alerts + counted.n
                        FROM counted WHERE subscriptions.id = counted.id""",
                    params,
                )

    def mark_failed(self, outbox_id: int, reason: str) -> None:
        self.conn.execute(
            """UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1
               WHERE id = ?""",
            (reason, outbox_id),
        )

    def defer_alert(self, outbox_id: int, reason: str, retry_at: datetime) -> None:
        """A transient failure: keep the row pending, try again after ``retry_at``."""
        self.conn.execute(
            """UPDATE outbox SET last_error = ?, not_before = ?, attempts = attempts + 1
               WHERE id = ?""",
            (reason, to_iso(retry_at), outbox_id),
        )

    # ------------------------------------------------------------------ stats

    def stats(self, *, now: datetime | None = None) -> StoreStats:
        now = now or _now()
        today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

        def count(sql: str, *params: Any) -> int:
            return self.conn.execute(sql, params).fetchone()[0]

        return StoreStats(
            feeds=count("SELECT count(*) FROM feeds WHERE enabled"),
            feeds_failing=count("SELECT count(*) FROM feeds WHERE enabled AND error_count > 0"),
            chats=count("SELECT count(*) FROM chats WHERE active"),
            subscriptions=count("SELECT count(*) FROM subscriptions"),
            subscriptions_paused=count("SELECT count(*) FROM subscriptions WHERE paused"),
            articles=count("SELECT count(*) FROM articles"),
            outbox_pending=count("SELECT count(*) FROM outbox WHERE status = 'pending'"),
            outbox_failed=count("SELECT count(*) FROM outbox WHERE status = 'failed'"),
            outbox_copies_waiting=count("SELECT count(*) FROM outbox WHERE status = 'merged'"),
            **self._shown_since(today),
        )

    def _shown_since(self, moment: datetime) -> dict[str, int]:
        """How the rows sent since ``moment`` were shown, as ``StoreStats`` fields."""
        row = self.conn.execute(
            """SELECT count(*),
                      count(*) FILTER (WHERE shown_as = 'alert' AND story_of IS NULL),
                      count(*) FILTER (WHERE shown_as = 'alert' AND story_of IS NOT NULL),
                      count(*) FILTER (WHERE shown_as = 'digest'),
                      count(*) FILTER (WHERE shown_as = 'also')
               FROM outbox WHERE status = 'sent' AND sent_at >= ?""",
            (to_iso(moment),),
        ).fetchone()
        names = ("sent_today", "alone_today", "copies_alone_today", "digested_today", "also_today")
        return dict(zip(names, row, strict=True))


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT around a block; nested blocks join the outer one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *_: object) -> None:
        if not self.outer:
            return
        if exc_type is not None:
            self._roll_back()
            return
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            # A COMMIT that failed (busy, disk full) can leave the transaction open, and every
            # later block would join it and never commit.
            self._roll_back()
            raise

    def _roll_back(self) -> None:
        """Roll back what is still open, keeping the error that got us here: SQLite has
        already rolled back after some (an interrupt, some I/O errors), and a ROLLBACK that
        fails too says nothing new."""
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")


def _values(rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """A ``VALUES`` clause of one placeholder row per row, and its parameters, flat.

    Batches go to SQLite as one statement rather than a statement (or an ``executemany`` step)
    a row because the store runs on its own thread: every SQLite step releases the GIL, and
    taking it back waits for the event loop's thread, up to the interpreter's switch interval
    (5 ms) when that thread is busy. Beside a busy thread, storing a poll of 50 articles took
    550 ms a statement an article, 38 ms in a few statements (``bench/bench_store.py --busy``).
    """
    placeholders = "(" + ", ".join("?" * len(rows[0])) + ")"
    params = [value for row in rows for value in row]
    return "VALUES " + ", ".join([placeholders] * len(rows)), params


def _story_copy(row: dict[str, Any]) -> StoryCopy:
    return StoryCopy(row["id"], row["source"], row["url"])


def _poll_row(feed_id: int, outcome: PollOutcome) -> tuple[Any, ...]:
    """A poll's values for :meth:`Store.record_polls`. A failed poll keeps the validators
    (the content they describe is still what we have), and so does a 304."""
    failed = outcome.status in ("error", "gone")
    return (
        feed_id,
        to_iso(outcome.polled_at),
        outcome.status,
        to_iso(outcome.next_poll_at),
        outcome.error,
        failed,
        failed or outcome.status == "not_modified",
        outcome.etag,
        outcome.last_modified,
        outcome.title,
        outcome.ttl_minutes,
        outcome.fulltext_failures,
    )
