"""Run store methods on one worker thread so the event loop never waits on the disk.

One thread (not a pool) owns all database work: SQLite serializes writers anyway, and a single
thread keeps every transaction on the connection that opened it. A call goes to that thread
when it is made, not when it is awaited, so calls run in the order they were made (the
pipeline relies on it: see ``Pipeline._write``). Every call passes through here, so this is
where a storage fault is noticed (``health``), whoever met it.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.store.health import StorageHealth
from bot.store.store import Store


class AsyncStore:
    """``await astore.method(...)`` for every ``Store.method(...)``, same arguments."""

    def __init__(self, store: Store) -> None:
        self.sync = store
        self.health = StorageHealth(store.path)
        """Told of every storage fault a call meets; whoever sees the store work again (a
        stored poll, the scheduler's probe) calls ``health.ok()``."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.sync, name)
        if not callable(method):
            raise AttributeError(name)

        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Awaitable[Any]:
            running = asyncio.get_running_loop().run_in_executor(
                self._executor, functools.partial(method, *args, **kwargs)
            )
            return self._result(running, name)

        return call

    async def _result(self, running: asyncio.Future[Any], name: str) -> Any:
        try:
            return await running
        except sqlite3.Error as exc:
            self.health.failed(exc, name.replace("_", " "))
            raise

    async def aclose(self) -> None:
        """Finish queued work, then close the database."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self.sync.close)
        self._executor.shutdown(wait=True)
