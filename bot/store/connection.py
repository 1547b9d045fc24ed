"""The one connection every table module works through: transactions, rows, batched VALUES.

Each table module (``chats``, ``subscriptions``, ``feeds``, ``articles``, ``outbox``, ``polls``,
``stats``) is a mixin over :class:`Connected`; :class:`bot.store.store.Store` combines them,
so one object, one connection and one transaction span the tables a write touches.

Two ways to the database: ``self.db`` (sqlite-utils) for cold paths it expresses directly
(lookups by key, inserts, counts), and ``self.conn`` with hand-written SQL for hot paths (a
poll being stored, the sender's loop) and for what sqlite-utils has no form for (upserts that
keep columns, conditional updates, ``UPDATE … FROM`` a batch). ``self.db.query`` is avoided on
hot paths: it wraps each query in a savepoint, two more statements, and every statement costs
a wait for the GIL (see :func:`values`).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils
from sqlite_utils.db import Table

import rules
from bot.article import Article

Row = dict[str, Any]
"""A database row by column name, before it becomes one of the typed rows of ``rows.py``."""
Params = Sequence[Any] | Mapping[str, Any]


def rule_words(text: str | None) -> str:
    """The SQL function ``rule_words(text)``: the words of ``text`` as the rule engine folds
    them, joined by spaces, for the ``article_words`` index (see migration v6)."""
    return " ".join(rules.folded_words(text or ""))


def rule_source(source: str | None, url: str | None) -> str:
    """The SQL function ``rule_source(source, url)``: :func:`rule_words` of what a rule's
    ``source:`` terms look in (the feed's name and the article's domain, ``Article.rule_doc``)."""
    article = Article(id="", feed_url="", url=url, title="", text="", published=None, source="")
    return rule_words(f"{source or ''} {article.domain}")


class Connected:
    """What every table module shares: the connection and the helpers around it."""

    def __init__(self, conn: sqlite3.Connection, path: str | Path = ":memory:") -> None:
        self.conn = conn
        """In autocommit mode: a statement outside :meth:`_transaction` is its own transaction."""
        conn.create_function("rule_words", 1, rule_words, deterministic=True)
        conn.create_function("rule_source", 2, rule_source, deterministic=True)
        self.db = sqlite_utils.Database(conn)
        self.path = str(path)

    def _table(self, name: str) -> Table:
        return self.db.table(name)

    def _transaction(self) -> Transaction:
        """A ``with`` block that commits or rolls back; nested blocks join the outer one."""
        return Transaction(self.conn)

    def _dicts(self, sql: str, params: Params = ()) -> list[Row]:
        """The rows of a query as dicts, in one statement (``db.query`` would take three)."""
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _ints(self, sql: str, params: Params) -> list[int]:
        """The integers column ``n`` of a query gives, in no set order, fetched as one row.

        Each row fetched is a step of SQLite, which waits for the GIL (see :func:`values`).
        """
        (packed,) = self.conn.execute(f"SELECT json_group_array(n) FROM ({sql})", params).fetchone()
        ints: list[int] = json.loads(packed)
        return ints

    def _batches(self, rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, list[Any]]]:
        """``rows`` as ``VALUES`` clauses with their parameters (see :func:`values`), as many
        rows to a statement as SQLite's limit on parameters allows, less one the statement
        may add of its own."""
        if not rows:
            return
        size = (self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 1) // len(rows[0])
        for start in range(0, len(rows), size):
            yield values(rows[start : start + size])


class Transaction:
    """BEGIN IMMEDIATE … COMMIT around a block; nested blocks join the outer one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
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


def values(rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
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


def json_ids(ids: Iterable[int]) -> str:
    """Ids as one JSON parameter, for ``IN (SELECT value FROM json_each(?))``: one statement,
    whatever the number of ids."""
    return json.dumps(sorted(set(ids)))
