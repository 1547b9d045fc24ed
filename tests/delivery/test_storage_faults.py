"""Exactly-once recording of a send while the database cannot record it.

Issue 15: with the disk full, a send Telegram accepted could not be marked, and the next cycle
sent it again (one alert 31 times); under a held write lock, pairs arrived up to 3 times. Now
the sender keeps what was sent in memory, retries the marking (never the send), sends nothing
new until the marking works, and names the fault once. The faults are real SQLite errors:
``PRAGMA max_page_count`` gives SQLITE_FULL, another connection's BEGIN IMMEDIATE held past the
busy timeout gives SQLITE_BUSY. Every test reads back what each chat received.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from bot.delivery import DeliveryReport, OutboxSender, Pacer
from bot.store import AsyncStore, Store
from bot.store.health import FaultKind
from tests.support.botapi import FakeBotAPI
from tests.support.outbox_env import bot_render, burst, drain, fast_sender
from tests.support.storage_faults import write_lock
from tests.support.waiting import until

SINGLES = range(1, 41)  # 40 chats with 3 alerts each: one message per alert
DIGESTS = range(101, 106)  # 5 chats with 15 alerts each: a digest


@pytest.fixture
async def astore(db: Path) -> Iterator[AsyncStore]:
    """The store on ``db``, its busy timeout cut to 50 ms so a held lock fails fast."""
    store = AsyncStore(Store.open(db))
    store.sync.conn.execute("PRAGMA busy_timeout = 50")
    yield store
    await store.aclose()


def queue_burst(store: Store) -> dict[int, list[str]]:
    """The burst every test sends; returns each chat's article URLs."""
    singles = burst(store, SINGLES, 3, tag="s")
    digests = burst(store, DIGESTS, 15, tag="d")
    return {**dict.fromkeys(SINGLES, singles), **dict.fromkeys(DIGESTS, digests)}


def assert_each_article_shown_once(botapi: FakeBotAPI, expected: dict[int, list[str]]) -> None:
    for chat, urls in expected.items():
        assert botapi.links(chat) == Counter(urls), f"chat {chat}"


def outbox_statuses(db: Path) -> Counter[str]:
    with sqlite3.connect(db) as conn:
        return Counter(status for (status,) in conn.execute("SELECT status FROM outbox"))


def fill_disk(store: Store, db: Path) -> None:
    """The store's connection may not grow the file (as on a full disk), and another process
    takes what free pages there were."""
    store.conn.execute("PRAGMA max_page_count = 1")  # clamped to the current size
    with sqlite3.connect(db) as other:
        other.execute("CREATE TABLE ballast (b BLOB)")
        other.execute("INSERT INTO ballast VALUES (zeroblob(1000000))")


def free_disk(store: Store) -> None:
    store.conn.execute("PRAGMA max_page_count = 1073741823")


def health_lines(caplog: pytest.LogCaptureFixture, needle: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.store.health" and needle in r.getMessage()
    ]


async def test_a_full_disk_mid_burst_repeats_and_loses_nothing(
    bot, botapi, astore, db, caplog
) -> None:
    caplog.set_level(logging.INFO)
    expected = queue_burst(astore.sync)
    sender = fast_sender(bot, astore, batch_size=30, cycle_rows=30)
    await sender.deliver_pending()  # the burst is under way

    fill_disk(astore.sync, db)
    before = len(botapi.messages())
    faulty = [await sender.deliver_pending() for _ in range(3)]
    sent_while_full = [len(botapi.messages()) for _ in faulty]
    fault = sender.health.fault
    free_disk(astore.sync)
    await drain(sender)

    assert fault is not None and fault.kind == FaultKind.FULL
    assert before < sent_while_full[0], "Telegram took messages the database could not record"
    assert [r.touched for r in faulty[1:]] == [0, 0], "nothing new is sent until they are"
    assert sent_while_full[0] == sent_while_full[-1]
    assert_each_article_shown_once(botapi, expected)
    assert outbox_statuses(db) == {"sent": 40 * 3 + 5 * 15}
    assert len(health_lines(caplog, "the disk holding the database is full")) == 2  # begins, ends
    assert sender.health.fault is None


async def test_a_write_lock_held_mid_burst_repeats_and_loses_nothing(
    bot, botapi, astore, db, caplog
) -> None:
    caplog.set_level(logging.INFO)
    expected = queue_burst(astore.sync)
    total = sum(len(urls) for urls in expected.values())
    sender = OutboxSender(
        bot,
        astore,
        pacer=Pacer(per_second=100, per_chat_interval=0),  # a burst that lasts a while
        render=bot_render(astore),
    )
    stop = asyncio.Event()
    delivery = asyncio.create_task(sender.run_forever(stop, grace=10))

    await until(lambda: len(botapi.messages()) >= 20, "20 alerts sent", timeout=30)
    with write_lock(db):
        await until(
            lambda: sender.health.fault is not None, "the sender to name the fault", timeout=30
        )
        await asyncio.sleep(0.5)  # several cycles find the database still locked
    await until(lambda: outbox_statuses(db)["sent"] == total, "every alert marked sent", timeout=30)
    stop.set()
    await asyncio.wait_for(delivery, 10)

    assert_each_article_shown_once(botapi, expected)
    assert len(botapi.calls("sendMessage")) == 40 * 3 + 5, "every message sent once"
    began, ended = health_lines(caplog, "another process holds a write lock")  # once each
    assert str(db) in began
    assert "mark sent failed" in began or "check usable failed" in began  # or before a send
    assert "works again" in ended
    assert sender.health.fault is None


async def locked_mid_send(
    botapi: FakeBotAPI, db: Path, cycle: Awaitable[DeliveryReport], locks: ExitStack
) -> DeliveryReport:
    """Run ``cycle`` while Telegram holds its first send a moment, and take the write lock
    (released with ``locks``) while that send is in flight: Telegram accepts a message the
    store cannot record."""
    botapi.inject("sendMessage", hang=0.5)
    running = asyncio.ensure_future(cycle)
    await until(lambda: bool(botapi.calls("sendMessage")), "a send in flight")
    locks.enter_context(write_lock(db))
    return await running


async def test_nothing_is_sent_while_a_send_could_not_be_recorded(bot, botapi, astore, db) -> None:
    expected = queue_burst(astore.sync)
    sender = fast_sender(bot, astore)

    with write_lock(db):
        locked = [await sender.deliver_pending() for _ in range(2)]
        sent_while_locked = len(botapi.calls("sendMessage"))
    await drain(sender)

    assert sent_while_locked == 0
    assert [report.touched for report in locked] == [0, 0]
    assert_each_article_shown_once(botapi, expected)
    assert sender.health.fault is None


async def test_a_send_is_recorded_later_never_sent_again(bot, botapi, astore, db) -> None:
    [url] = burst(astore.sync, [7], 1)
    sender = fast_sender(bot, astore)

    with ExitStack() as locks:
        first = await locked_mid_send(botapi, db, sender.deliver_pending(), locks)
        second = await sender.deliver_pending()
        pending_meanwhile = outbox_statuses(db)
    await drain(sender)

    [message] = botapi.messages(7)
    assert (first.sent, second.touched) == (1, 0)
    assert pending_meanwhile == {"pending": 1}
    assert len(botapi.calls("sendMessage")) == 1
    with sqlite3.connect(db) as conn:
        recorded = conn.execute("SELECT status, shown_as, message_id FROM outbox").fetchall()
    assert recorded == [("sent", "alert", message.message_id)]
    assert botapi.links(7) == Counter([url])


async def test_stopping_records_what_was_sent_but_not_yet_recorded(
    bot, botapi, astore, db, caplog
) -> None:
    caplog.set_level(logging.INFO)
    burst(astore.sync, [7], 1)
    sender = fast_sender(bot, astore)
    stop = asyncio.Event()

    with ExitStack() as locks:
        delivery = asyncio.ensure_future(
            locked_mid_send(botapi, db, sender.run_forever(stop, grace=10), locks)
        )
        await until(lambda: sender.recorder.unrecorded == 1, "the send in flight left unrecorded")
        stop.set()
        await asyncio.sleep(0.3)  # the stop waits for the database, still locked
    await asyncio.wait_for(delivery, 10)

    assert len(botapi.messages(7)) == 1
    assert outbox_statuses(db) == {"sent": 1}
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("stopping")]
    assert "to record 1 alert already sent; recorded, none will be sent again" in line


async def test_a_stop_waits_for_the_database_no_longer_than_its_grace(
    bot, botapi, astore, db, caplog
) -> None:
    burst(astore.sync, [7], 1)
    sender = fast_sender(bot, astore)
    stop = asyncio.Event()

    with ExitStack() as locks:
        delivery = asyncio.ensure_future(
            locked_mid_send(botapi, db, sender.run_forever(stop, grace=0.5), locks)
        )
        await until(lambda: sender.recorder.unrecorded == 1, "the send in flight left unrecorded")
        stop.set()
        await asyncio.wait_for(delivery, 10)  # the lock is still held
        pending = outbox_statuses(db)

    assert len(botapi.messages(7)) == 1
    assert pending == {"pending": 1}
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("stopping")]
    assert "to record 1 alert already sent (another process holds a write lock" in line
    assert line.endswith("they will be sent again after the restart")


async def test_a_crash_before_the_record_is_the_one_documented_duplicate(
    bot, botapi, astore, db
) -> None:
    """What was sent but not recorded lives in memory only: a new process sends it again."""
    burst(astore.sync, [7], 1)
    crashed = fast_sender(bot, astore)
    with ExitStack() as locks:
        await locked_mid_send(botapi, db, crashed.deliver_pending(), locks)

    await drain(fast_sender(bot, astore))  # the restarted process

    assert len(botapi.messages(7)) == 2
    assert outbox_statuses(db) == {"sent": 1}
