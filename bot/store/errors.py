"""The store's own errors: what a caller can be told about a write it asked for."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store.health import storage_fault
from bot.store.rows import SubscriptionRow


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


class SearchLimitReached(StoreError):
    """A topic cannot have a news search: the chat's share (``per_chat``) or all searches
    (``limit`` each) are taken."""

    def __init__(self, limit: int, *, per_chat: bool) -> None:
        whose = "one chat's topics" if per_chat else "the bot"
        super().__init__(f"{whose} may use at most {limit} news searches")
        self.limit = limit
        self.per_chat = per_chat


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
    """``Store.stop_poll_writes`` rolled back a poll being stored (the bot is stopping)."""
