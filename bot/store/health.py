"""Naming what went wrong with the database, once per episode rather than once per cycle.

A full disk, a write lock held by another process or a read-only file is not a bug in the bot:
it lasts a while and then clears. Logging a traceback every cycle would bury the one line an
operator needs, so a fault is told once when it starts (in plain words, with what to do) and
once when it ends; meanwhile ``StorageHealth.fault`` is what ``/status`` shows and what tells
the pipeline to stop polling into a store that cannot keep what it fetches. A chat reads the
fault in its own words, worded where it is read (``bot.telegram.texts``): the store names the
kind, not the text.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

logger = logging.getLogger(__name__)


class FaultKind(StrEnum):
    FULL = "full"
    LOCKED = "locked"
    READ_ONLY = "read-only"
    IO = "io"
    CORRUPT = "corrupt"
    CANT_OPEN = "cant-open"


_BY_CODE = {
    "SQLITE_FULL": FaultKind.FULL,
    "SQLITE_BUSY": FaultKind.LOCKED,
    "SQLITE_LOCKED": FaultKind.LOCKED,
    "SQLITE_READONLY": FaultKind.READ_ONLY,
    "SQLITE_IOERR": FaultKind.IO,
    "SQLITE_CORRUPT": FaultKind.CORRUPT,
    "SQLITE_NOTADB": FaultKind.CORRUPT,
    "SQLITE_CANTOPEN": FaultKind.CANT_OPEN,
}

_SENTENCES = {
    FaultKind.FULL: "the disk holding the database is full; free some space",
    FaultKind.LOCKED: "another process holds a write lock on the database; stop it or wait",
    FaultKind.READ_ONLY: "the database file or its folder is read-only; make it writable",
    FaultKind.IO: "the disk reported an I/O error while reading or writing the database",
    FaultKind.CORRUPT: (
        "the database file is damaged; restore it from a backup (see the README, 'Backups')"
    ),
    FaultKind.CANT_OPEN: "the database file cannot be opened; check the path and permissions",
}


@dataclass(frozen=True)
class StorageFault:
    """One kind of database trouble, with the sentence an operator reads."""

    kind: FaultKind
    detail: str
    """SQLite's own message, for the log."""

    @property
    def sentence(self) -> str:
        return _SENTENCES[self.kind]


def storage_fault(exc: BaseException) -> StorageFault | None:
    """The fault ``exc`` stands for, or None when it is not the database's trouble.

    Extended result codes (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT…) count as their base code.
    """
    if not isinstance(exc, sqlite3.Error):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    for code, kind in _BY_CODE.items():
        if name == code or name.startswith(code + "_"):
            return StorageFault(kind, str(exc))
    text = str(exc).lower()
    for needle, kind in (
        ("disk is full", FaultKind.FULL),
        ("locked", FaultKind.LOCKED),
        ("readonly", FaultKind.READ_ONLY),
        ("disk i/o error", FaultKind.IO),
        ("malformed", FaultKind.CORRUPT),
        ("not a database", FaultKind.CORRUPT),
        ("unable to open", FaultKind.CANT_OPEN),
    ):
        if needle in text:
            return StorageFault(kind, str(exc))
    return None


class StorageHealth:
    """The store's current fault, if any, logged once per episode."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fault: StorageFault | None = None
        self.since: datetime | None = None

    def failed(self, exc: BaseException, doing: str) -> StorageFault | None:
        """Note that ``doing`` (e.g. "storing a poll") failed with ``exc``.

        Returns the fault when ``exc`` is a storage fault (logged only when it starts an
        episode or changes kind), None when it is something else, which the caller handles.
        """
        fault = storage_fault(exc)
        if fault is None:
            return None
        if self.fault is None or self.fault.kind != fault.kind:
            logger.error("%s: %s failed: %s (%s)", self.path, doing, fault.sentence, fault.detail)
            self.since = datetime.now(UTC)
        self.fault = fault
        return fault

    def ok(self) -> None:
        """A write went through: an episode in progress is over."""
        if self.fault is not None:
            logger.warning("%s: the database works again (%s)", self.path, self.fault.sentence)
            self.fault = None
            self.since = None
