"""The database as the commands open it: closed at the end, storage faults in one line."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

from bot.config import Config
from bot.store import Store, StoreUnavailable
from bot.store.health import storage_fault


@contextlib.contextmanager
def storage_faults(path: str) -> Iterator[None]:
    """A storage fault met in the block (a disk that fills up meanwhile) ends the command
    with one line naming the file and what to do (``Store.open`` raises that line itself)."""
    try:
        yield
    except sqlite3.Error as exc:
        if storage_fault(exc) is None:
            raise
        raise StoreUnavailable(path, exc) from None


@contextlib.contextmanager
def database(path: str) -> Iterator[Store]:
    """The database at ``path``, closed at the end; storage faults as :func:`storage_faults`."""
    store = Store.open(path)
    try:
        with storage_faults(path):
            yield store
    finally:
        store.close()


@contextlib.contextmanager
def open_store(config: Config) -> Iterator[Store]:
    """The configured database with the config file's feeds merged in."""
    with database(config.storage.path) as store:
        store.sync_config_feeds(config.feeds)
        yield store
