"""The doctor's database checks: the file at ``[storage] path`` and the disk it lives on.

Nothing is migrated, created or written: the file is opened without creating it, checked with
the store's own ``check_usable`` (``quick_check`` and a write that is rolled back), and read.
A missing file is fine (the bot creates it), as long as its folder can take it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from bot.doctor.report import Row, Status
from bot.store import FeedRow, Store
from bot.store.health import storage_fault
from bot.store.migrations import MIGRATIONS, current_version
from bot.store.store import BUSY_TIMEOUT, ROOM_TO_RESUME

LOW_DISK = 100_000_000
"""Free bytes under which the disk is worth a warning: a few weeks of a busy bot's articles
(about 1 GB a million articles, docs/benchmarks.md)."""


def check_database(path: str) -> Row:
    """The database file: readable, intact (``quick_check``), of this release's schema and
    writable; or absent, with a folder the bot can create it in."""
    file = Path(path)
    if not file.exists():
        return _absent(file)
    try:
        with _opened(file) as store:
            version = current_version(store.db)
            if version > len(MIGRATIONS):
                return Row(
                    "database",
                    Status.FAILED,
                    f"{path}: schema version {version} is newer than this release knows "
                    f"({len(MIGRATIONS)})",
                    "upgrade topic-alert, or restore a backup made by this release",
                )
            if version:
                store.check_usable(integrity=True, room=0)
    except sqlite3.Error as exc:
        fault = storage_fault(exc)
        detail = " ".join(str(exc).split())
        return Row(
            "database",
            Status.FAILED,
            f"{path}: {detail}",
            fault.sentence if fault else "check the file with the sqlite3 shell",
        )
    size = f"{path}: {_megabytes(_size(file))}"
    if version < len(MIGRATIONS):
        return Row(
            "database",
            Status.WARNING,
            f"{size}, schema version {version}, intact and writable; this release upgrades it "
            f"to version {len(MIGRATIONS)} when it starts",
            "`topic-alert backup PATH` first if you may want to go back to the older release",
        )
    return Row("database", Status.OK, f"{size}, schema version {version}, intact, writable")


def check_disk(path: str) -> Row:
    """Free space where the database lives (or will): a full disk stops polling."""
    folder = _existing_folder(Path(path))
    free = shutil.disk_usage(folder).free
    result = f"{_megabytes(free)} free in {folder}"
    if free < ROOM_TO_RESUME:
        return Row(
            "disk space", Status.FAILED, result, "free some space: the bot stops polling when full"
        )
    if free < LOW_DISK:
        return Row(
            "disk space",
            Status.WARNING,
            result,
            "free some space, or lower [storage] retention_days: the bot stops polling when full",
        )
    return Row("disk space", Status.OK, result)


def stored_feeds(path: str) -> list[FeedRow]:
    """The enabled feeds in the database (added by chats or an OPML import); none when it is
    absent or cannot be read at this release's schema."""
    file = Path(path)
    if not file.exists():
        return []
    try:
        with _opened(file) as store:
            if current_version(store.db) != len(MIGRATIONS):
                return []
            return store.list_feeds()
    except sqlite3.Error:
        return []  # check_database names the problem


@contextlib.contextmanager
def _opened(file: Path) -> Iterator[Store]:
    """The store on ``file``, opened without creating it (``mode=rw``) and without migrating
    it (``Store.open`` would do both), closed at the end."""
    uri = f"file:{quote(str(file.resolve()))}?mode=rw"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        yield Store(conn, file)
    finally:
        conn.close()


def _absent(file: Path) -> Row:
    folder = file.resolve().parent
    if not folder.is_dir():
        return Row(
            "database",
            Status.FAILED,
            f"{file}: its folder {folder} does not exist",
            "create the folder, or set [storage] path to a file in an existing one",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return Row(
            "database",
            Status.FAILED,
            f"{file}: its folder {folder} is not writable, so the bot cannot create it",
            "give the bot's user write access to the folder",
        )
    return Row("database", Status.OK, f"{file}: none yet, created when the bot first starts")


def _existing_folder(file: Path) -> Path:
    """The folder of ``file``, or its nearest ancestor that exists."""
    folder = file.resolve().parent
    while not folder.exists():
        folder = folder.parent
    return folder


def _size(file: Path) -> int:
    """The database's bytes, its write-ahead log included."""
    wal = file.with_name(file.name + "-wal")
    return file.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB" if count < 1e9 else f"{count / 1e9:,.1f} GB"
