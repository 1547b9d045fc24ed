"""The SQLite store: one file in WAL mode, the single source of truth of the bot.

Everything that must survive a crash is here: which articles were seen (so nothing alerts
twice), what each chat follows, and the outbox of alerts (a match is written before anything
is sent and marked sent only after Telegram answers). :class:`Store` is the tables' modules
over one connection, plus what concerns the file as a whole (opening and migrating it,
checking that it can take writes, backing it up). Methods are synchronous and short;
``AsyncStore`` moves them off the event loop.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from bot.store.chat_aliases import AliasesTable
from bot.store.chat_hints import HintsTable
from bot.store.connection import Connected
from bot.store.errors import StoreUnavailable
from bot.store.feed_readers import FeedReadersTable
from bot.store.forum_threads import ForumThreadsTable
from bot.store.linked_channels import LinkedChannelsTable
from bot.store.migrations import migrate
from bot.store.notices import NoticesTable
from bot.store.polls import PollsTable
from bot.store.saved_rules import SavedRulesTable
from bot.store.search_feeds import SearchFeedsTable
from bot.store.stats import StatsTable
from bot.store.subscriptions import SubscriptionsTable
from bot.store.translations import TranslationsTable

BUSY_TIMEOUT = 5.0
"""Seconds a write waits for another connection's write lock before failing as locked."""
ROOM_TO_RESUME = 256 * 1024
"""Free bytes the database needs (on its disk and under ``max_page_count``) before
:meth:`Store.check_usable` says that a full database can take polls again."""


class Store(
    PollsTable,
    SearchFeedsTable,
    FeedReadersTable,
    SubscriptionsTable,
    SavedRulesTable,
    StatsTable,
    AliasesTable,
    ForumThreadsTable,
    HintsTable,
    NoticesTable,
    LinkedChannelsTable,
    TranslationsTable,
    Connected,
):
    """Typed access to the database; see docs/architecture.md for the tables.

    Each base is one table's module (``chats``, ``subscriptions``, ``feeds``, ``articles``,
    ``outbox``) or a write or read across tables (``polls``, ``stats``).
    """

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
            store = cls(conn, path)
            migrate(store.db)
            store.check_usable(integrity=True, room=0)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreUnavailable(path, exc) from None
        return store

    def reader(self) -> Store:
        """A second connection to the same file, for queries only (``query_only``).

        In WAL mode a reader never waits for a writer: queries on this connection go on while
        this process's connection, or another program, holds the write lock (``AsyncStore``
        runs them on a thread of their own, so they do not queue behind a write waiting for
        that lock either). An in-memory database has no second connection: its own is it.
        """
        if self.path == ":memory:":
            return self
        (busy_ms,) = self.conn.execute("PRAGMA busy_timeout").fetchone()
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            conn.close()
            raise StoreUnavailable(self.path, exc) from None
        return type(self)(conn, self.path)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction around a block: its queries see one state of the database, as
        a call on the writer's thread did (nothing else ran between its statements)."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:  # an error may have ended it already
                self.conn.execute("COMMIT")

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
            (value,) = self.conn.execute(f"PRAGMA {name}").fetchone()
            return int(value)

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
