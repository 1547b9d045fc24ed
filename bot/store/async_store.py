"""Run store methods on one worker thread so the event loop never waits on the disk.

One thread (not a pool) owns all database work: SQLite serializes writers anyway, and a single
thread keeps every transaction on the connection that opened it. A call goes to that thread
when it is made, not when it is awaited, so calls run in the order they were made (the
pipeline relies on it: see ``Pipeline._write``). Every call passes through here, so this is
where a storage fault is noticed (``health``), whoever met it.

Each method is declared once, as ``name = _offload(Store.name)``: the wrapper keeps the
method's signature (``ParamSpec``), so ``await astore.name(...)`` is checked like
``store.name(...)``, and an editor can follow it to the table module that defines it.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from bot.store.health import StorageHealth
from bot.store.store import Store

P = ParamSpec("P")
R = TypeVar("R")


class _Offloaded(Generic[P, R]):
    """``Store.method`` as a method of :class:`AsyncStore` that returns a coroutine."""

    def __init__(self, method: Callable[Concatenate[Store, P], R]) -> None:
        self.method = method
        self.what = method.__name__.replace("_", " ")
        """How a storage fault names the call that met it (``health``)."""

    @overload
    def __get__(self, astore: None, owner: type[AsyncStore]) -> _Offloaded[P, R]: ...
    @overload
    def __get__(
        self, astore: AsyncStore, owner: type[AsyncStore]
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...
    def __get__(
        self, astore: AsyncStore | None, owner: type[AsyncStore]
    ) -> _Offloaded[P, R] | Callable[P, Coroutine[Any, Any, R]]:
        if astore is None:
            return self

        @functools.wraps(self.method)
        def call(*args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, R]:
            work = functools.partial(self.method, astore.sync, *args, **kwargs)
            running = asyncio.get_running_loop().run_in_executor(astore.executor, work)
            return astore.result(running, self.what)

        return call


_offload = _Offloaded


class AsyncStore:
    """``await astore.method(...)`` for each ``Store.method(...)`` below, same arguments."""

    def __init__(self, store: Store) -> None:
        self.sync = store
        """The store itself, for what must not wait in the queue (``stop_poll_writes``)."""
        self.health = StorageHealth(store.path)
        """Told of every storage fault a call meets; whoever sees the store work again (a
        stored poll, the scheduler's probe) calls ``health.ok()``."""
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    async def result(self, running: asyncio.Future[R], what: str) -> R:
        try:
            return await running
        except sqlite3.Error as exc:
            self.health.failed(exc, what)
            raise

    async def aclose(self) -> None:
        """Finish queued work, then close the database."""
        await asyncio.get_running_loop().run_in_executor(self.executor, self.sync.close)
        self.executor.shutdown(wait=True)

    # the file
    check_usable = _offload(Store.check_usable)
    backup = _offload(Store.backup)
    # chats
    upsert_chat = _offload(Store.upsert_chat)
    get_chat = _offload(Store.get_chat)
    set_chat_active = _offload(Store.set_chat_active)
    set_chat_timezone = _offload(Store.set_chat_timezone)
    set_chat_language = _offload(Store.set_chat_language)
    set_chat_quiet = _offload(Store.set_chat_quiet)
    migrate_chat = _offload(Store.migrate_chat)
    chats_gone = _offload(Store.chats_gone)
    # subscriptions
    add_subscription = _offload(Store.add_subscription)
    get_subscription = _offload(Store.get_subscription)
    list_subscriptions = _offload(Store.list_subscriptions)
    remove_subscription = _offload(Store.remove_subscription)
    restore_subscription = _offload(Store.restore_subscription)
    change_rule = _offload(Store.change_rule)
    set_paused = _offload(Store.set_paused)
    set_frequency = _offload(Store.set_frequency)
    subscriptions_version = _offload(Store.subscriptions_version)
    active_subscriptions = _offload(Store.active_subscriptions)
    set_alias = _offload(Store.set_alias)
    remove_alias = _offload(Store.remove_alias)
    list_aliases = _offload(Store.list_aliases)
    all_aliases = _offload(Store.all_aliases)
    name_thread = _offload(Store.name_thread)
    thread_names = _offload(Store.thread_names)
    first_hint = _offload(Store.first_hint)
    # feeds
    sync_config_feeds = _offload(Store.sync_config_feeds)
    add_feed = _offload(Store.add_feed)
    feed_by_url = _offload(Store.feed_by_url)
    get_feed = _offload(Store.get_feed)
    list_feeds = _offload(Store.list_feeds)
    remove_feed = _offload(Store.remove_feed)
    feeds_version = _offload(Store.feeds_version)
    polled_feeds = _offload(Store.polled_feeds)
    record_polls = _offload(Store.record_polls)
    # articles
    add_articles = _offload(Store.add_articles)
    unseen_articles = _offload(Store.unseen_articles)
    set_stories = _offload(Store.set_stories)
    get_article = _offload(Store.get_article)
    recent_articles = _offload(Store.recent_articles)
    alerted_articles = _offload(Store.alerted_articles)
    search_articles = _offload(Store.search_articles)
    search_candidates = _offload(Store.search_candidates)
    newest_article_id = _offload(Store.newest_article_id)
    oldest_article_dated = _offload(Store.oldest_article_dated)
    prune_articles = _offload(Store.prune_articles)
    # polls
    store_poll = _offload(Store.store_poll)
    # outbox
    enqueue_alerts = _offload(Store.enqueue_alerts)
    story_updates = _offload(Store.story_updates)
    send_alone = _offload(Store.send_alone)
    waiting_copies = _offload(Store.waiting_copies)
    pending_alerts = _offload(Store.pending_alerts)
    get_alert = _offload(Store.get_alert)
    mark_sent = _offload(Store.mark_sent)
    mark_failed = _offload(Store.mark_failed)
    defer_alert = _offload(Store.defer_alert)
    schedule_alerts = _offload(Store.schedule_alerts)
    # saved rules
    save_search = _offload(Store.save_search)
    share_rule = _offload(Store.share_rule)
    get_saved_rule = _offload(Store.get_saved_rule)
    shared_rule = _offload(Store.shared_rule)
    # stats
    stats = _offload(Store.stats)
    recent_sends = _offload(Store.recent_sends)
    # notices
    open_notices = _offload(Store.open_notices)
    save_notices = _offload(Store.save_notices)
    feed_states = _offload(Store.feed_states)
