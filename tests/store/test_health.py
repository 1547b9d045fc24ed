"""Storage faults are named from SQLite's real errors, and logged once per episode."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.store.health import FaultKind, StorageHealth, storage_fault


def _error(action) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        action()
    return caught.value


def test_a_full_database_is_named_full(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA max_page_count = 3")
    exc = _error(lambda: conn.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 50))
    assert storage_fault(exc).kind is FaultKind.FULL


def test_a_held_write_lock_is_named_locked(tmp_path: Path) -> None:
    holder = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(tmp_path / "db.sqlite", timeout=0, isolation_level=None)
    exc = _error(lambda: other.execute("BEGIN IMMEDIATE"))
    assert storage_fault(exc).kind is FaultKind.LOCKED


def test_random_bytes_are_named_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    path.write_bytes(b"\x13garbage" * 512)
    conn = sqlite3.connect(path)
    exc = _error(lambda: conn.execute("SELECT * FROM sqlite_master").fetchall())
    fault = storage_fault(exc)
    assert fault.kind is FaultKind.CORRUPT
    assert "backup" in fault.sentence


def test_other_errors_are_not_storage_faults() -> None:
    assert storage_fault(ValueError("database is locked")) is None
    assert storage_fault(sqlite3.IntegrityError("UNIQUE constraint failed")) is None


def test_an_episode_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    health = StorageHealth("bot.db")
    full = sqlite3.OperationalError("database or disk is full")
    with caplog.at_level(logging.INFO, logger="bot.store.health"):
        for _ in range(5):
            assert health.failed(full, "storing a poll") is not None
        assert health.fault is not None and health.fault.kind is FaultKind.FULL
        health.ok()
        health.ok()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "disk holding the database is full" in messages[0]
    assert "works again" in messages[1]
    assert health.fault is None
