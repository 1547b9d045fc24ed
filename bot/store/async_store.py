"""Run store methods on worker threads so the event loop never waits on the disk.

One thread (not a pool) owns the writing connection: SQLite serializes writers anyway, and a
single thread keeps every transaction on the connection that opened it. A call goes to that
thread when it is made, not when it is awaited, so calls run in the order they were made (the
pipeline relies on it: see ``Pipeline._write``).

The queries behind replies (``/list``, ``/status``, a button press, a search) are declared
``_read`` and run on a second thread over a query-only connection (``Store.reader``), each in
one read transaction: in WAL mode they never wait for a writer, so a reply does not queue
behind a poll waiting up to the busy timeout for another program's write lock. A read gives
up the run-in-order promise: a caller that needs a write done first awaits it first (every
handler does). Every call passes through here, so this is where a storage fault is noticed
(``health``), whoever met it.

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

    def __init__(self, method: Callable[Concatenate[Store, P], R], *, read: bool = False) -> None:
        self.method = method
        self.what = method.__name__.replace("_", " ")
        """How a storage fault names the call that met it (``health``)."""
        self.read = read
        """A query only: runs on the reading thread (see the module docstring)."""

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
            if self.read and astore.reader is not astore.sync:
                work = functools.partial(_in_snapshot, self.method, astore.reader, *args, **kwargs)
                executor = astore.read_executor
            else:
                work = functools.partial(self.method, astore.sync, *args, **kwargs)
                executor = astore.executor
            running = asyncio.get_running_loop().run_in_executor(executor, work)
            return astore.result(running, self.what)

        return call


def _in_snapshot(
    method: Callable[Concatenate[Store, P], R], store: Store, *args: P.args, **kwargs: P.kwargs
) -> R:
    with store.snapshot():
        return method(store, *args, **kwargs)


_offload = _Offloaded


def _read(method: Callable[Concatenate[Store, P], R]) -> _Offloaded[P, R]:
    return _Offloaded(method, read=True)


class AsyncStore:
    """``await astore.method(...)`` for each ``Store.method(...)`` below, same arguments."""

    def __init__(self, store: Store) -> None:
        self.sync = store
        """The store itself, for what must not wait in the queue (``stop_poll_writes``)."""
        self.health = StorageHealth(store.path)
        """Told of every storage fault a call meets; whoever sees the store work again (a
        stored poll, the scheduler's probe) calls ``health.ok()``."""
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.reader = store.reader()
        """The query-only connection of ``_read`` calls (the store itself for ``:memory:``)."""
        self.read_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-read")

    async def result(self, running: asyncio.Future[R], what: str) -> R:
        try:
            return await running
        except sqlite3.Error as exc:
            self.health.failed(exc, what)
            raise

    async def aclose(self) -> None:
        """Finish queued work, then close the database."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.read_executor, self._close_reader)
        await loop.run_in_executor(self.executor, self.sync.close)
        self.read_executor.shutdown(wait=True)
        self.executor.shutdown(wait=True)

    def shutdown(self) -> None:
        """Finish queued work and end the threads, leaving the store itself open (for a
        caller that lent it and goes on with it)."""
        self.read_executor.shutdown(wait=True)
        self._close_reader()
        self.executor.shutdown(wait=True)

    def _close_reader(self) -> None:
        if self.reader is not self.sync:
            self.reader.close()

    # the file
    check_usable = _offload(Store.check_usable)
    backup = _offload(Store.backup)
    # chats
    upsert_chat = _offload(Store.upsert_chat)
    get_chat = _read(Store.get_chat)
    set_chat_active = _offload(Store.set_chat_active)
    set_chat_timezone = _offload(Store.set_chat_timezone)
    set_chat_language = _offload(Store.set_chat_language)
    set_chat_quiet = _offload(Store.set_chat_quiet)
    set_chat_translate = _offload(Store.set_chat_translate)
    migrate_chat = _offload(Store.migrate_chat)
    chats_gone = _offload(Store.chats_gone)
    # linked channels
    link_channel = _offload(Store.link_channel)
    unlink_channel = _offload(Store.unlink_channel)
    select_channel = _offload(Store.select_channel)
    linked_channels = _read(Store.linked_channels)
    selected_channel = _read(Store.selected_channel)
    channel_links = _read(Store.channel_links)
    # subscriptions
    add_subscription = _offload(Store.add_subscription)
    get_subscription = _read(Store.get_subscription)
    list_subscriptions = _read(Store.list_subscriptions)
    remove_subscription = _offload(Store.remove_subscription)
    restore_subscription = _offload(Store.restore_subscription)
    change_rule = _offload(Store.change_rule)
    set_paused = _offload(Store.set_paused)
    set_frequency = _offload(Store.set_frequency)
    set_surge = _offload(Store.set_surge)
    subscriptions_version = _offload(Store.subscriptions_version)
    active_subscriptions = _offload(Store.active_subscriptions)
    set_alias = _offload(Store.set_alias)
    remove_alias = _offload(Store.remove_alias)
    list_aliases = _read(Store.list_aliases)
    all_aliases = _offload(Store.all_aliases)
    name_thread = _offload(Store.name_thread)
    thread_names = _offload(Store.thread_names)
    first_hint = _offload(Store.first_hint)
    # feeds
    sync_config_feeds = _offload(Store.sync_config_feeds)
    add_feed = _offload(Store.add_feed)
    feed_by_url = _read(Store.feed_by_url)
    get_feed = _read(Store.get_feed)
    list_feeds = _read(Store.list_feeds)
    remove_feed = _offload(Store.remove_feed)
    feeds_version = _offload(Store.feeds_version)
    polled_feeds = _offload(Store.polled_feeds)
    record_polls = _offload(Store.record_polls)
    search_links = _offload(Store.search_links)
    link_search = _offload(Store.link_search)
    unlink_search = _offload(Store.unlink_search)
    poll_used_searches = _offload(Store.poll_used_searches)
    chat_searches = _read(Store.chat_searches)
    # feeds that chats bring
    add_chat_feed = _offload(Store.add_chat_feed)
    share_feed = _offload(Store.share_feed)
    chat_feeds = _read(Store.chat_feeds)
    shared_feeds = _read(Store.shared_feeds)
    remove_chat_feed = _offload(Store.remove_chat_feed)
    readers_of = _read(Store.readers_of)
    all_readers = _read(Store.all_readers)
    request_feed = _offload(Store.request_feed)
    take_feed_request = _offload(Store.take_feed_request)
    # articles
    add_articles = _offload(Store.add_articles)
    unseen_articles = _offload(Store.unseen_articles)
    set_stories = _offload(Store.set_stories)
    get_article = _read(Store.get_article)
    article_in_feed = _offload(Store.article_in_feed)
    """On the writer's thread: after the writes of the polls grouped before it."""
    recent_articles = _offload(Store.recent_articles)
    alerted_articles = _offload(Store.alerted_articles)
    search_articles = _read(Store.search_articles)
    search_candidates = _read(Store.search_candidates)
    newest_article_id = _read(Store.newest_article_id)
    oldest_article_dated = _read(Store.oldest_article_dated)
    prune_articles = _offload(Store.prune_articles)
    # polls
    store_poll = _offload(Store.store_poll)
    # outbox
    enqueue_alerts = _offload(Store.enqueue_alerts)
    story_updates = _offload(Store.story_updates)
    send_alone = _offload(Store.send_alone)
    waiting_copies = _offload(Store.waiting_copies)
    pending_alerts = _offload(Store.pending_alerts)
    get_alert = _read(Store.get_alert)
    mark_sent = _offload(Store.mark_sent)
    mark_failed = _offload(Store.mark_failed)
    defer_alert = _offload(Store.defer_alert)
    schedule_alerts = _offload(Store.schedule_alerts)
    # surges
    topic_activity = _offload(Store.topic_activity)
    add_surge = _offload(Store.add_surge)
    surged_topics = _offload(Store.surged_topics)
    prune_topic_stories = _offload(Store.prune_topic_stories)
    # saved rules
    save_search = _offload(Store.save_search)
    share_rule = _offload(Store.share_rule)
    get_saved_rule = _read(Store.get_saved_rule)
    shared_rule = _read(Store.shared_rule)
    # stats
    stats = _read(Store.stats)
    recent_sends = _read(Store.recent_sends)
    # notices
    open_notices = _offload(Store.open_notices)
    save_notices = _offload(Store.save_notices)
    feed_states = _read(Store.feed_states)
    feed_kinds = _read(Store.feed_kinds)
    # translations
    get_translations = _read(Store.get_translations)
    save_translations = _offload(Store.save_translations)
