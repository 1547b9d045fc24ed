"""Storage faults are named and survived: at start-up, while polling, and in the chat.

At start, a database that cannot be written or fails ``quick_check`` ends ``run`` and the CLI
with one line naming the file and what to do, exit status 2. While running, a full disk
(SQLite's ``max_page_count`` gives real SQLITE_FULL errors), a held write lock or a damaged
page is logged once per episode in a plain sentence, shown in ``/status``, pauses polling
until the store works again, and commands answer in plain words.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.cli import main
from bot.ingest.scheduler import FeedScheduler
from bot.store import Store
from bot.telegram.texts import storage_state
from tests.support.daemon_process import reachable_code, unprivileged
from tests.support.pipeline_env import (
    ARTICLES,
    BurstFeed,
    close_env,
    make_config,
    numbered_article,
    open_env,
    outbox_pairs,
    prime,
)
from tests.support.telegram_app import OPERATOR, USER, StartBot
from tests.support.waiting import until

WAIT = 20.0
"""Seconds a condition may take before the test gives up (a hang guard, not a measurement)."""


def damage_a_middle_page(db: Path) -> None:
    """Overwrite one page in the middle of the file with random bytes, as a bad sector or a
    torn write would."""
    page_size = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    pages = db.stat().st_size // page_size
    with db.open("r+b") as file:
        file.seek(pages // 2 * page_size)
        file.write(random.Random(15).randbytes(page_size))


def a_database_with_articles(db: Path, count: int = 600) -> None:
    store = Store.open(db)
    feed = store.add_feed("https://news.example.org/feed.xml")
    store.add_articles(
        feed.id, [numbered_article(n) for n in range(count)], seen_at=datetime.now(UTC)
    )
    store.remove_feed(feed.id)  # kept for its articles, never polled
    store.close()


# ------------------------------------------------------------------------------ start-up


def run_unprivileged(command: str, db: Path) -> subprocess.CompletedProcess[str]:
    """``topic-alert COMMAND`` on ``db`` as a user that file permissions bind: as root, as
    nobody, on a copy of the code it can read."""
    config = db.parent.parent / f"{command}.toml"
    config.write_text(f'[storage]\npath = "{db}"\n')
    config.chmod(0o644)
    code = reachable_code(db.parent.parent)
    argv = [*unprivileged(code), sys.executable, "-m", "bot", command, "--config", str(config)]
    return subprocess.run(
        argv,
        cwd=code,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": "123:fake"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line(result_err: str) -> str:
    assert result_err.count("\n") == 1, result_err
    return result_err.rstrip()


@pytest.mark.parametrize("command", ["run", "feeds"])
@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_database_is_one_line_and_exit_2(
    shared_dir: Path, command: str, read_only: str
) -> None:
    folder = shared_dir / "data"
    folder.mkdir()
    db = folder / "bot.db"
    Store.open(db).close()
    if read_only == "file":
        folder.chmod(0o777)  # the folder may be written: only the file may not
        db.chmod(0o444)
    else:
        db.chmod(0o666)
        folder.chmod(0o555)  # as on a read-only mount: no journal can be created beside it

    result = run_unprivileged(command, db)

    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith(f"topic-alert: cannot use the database {db}: ")
    assert "the database file or its folder is read-only; make it writable" in line


@pytest.mark.parametrize("command", ["run", "feeds", "backup"])
@pytest.mark.parametrize("damage", ["random bytes", "a damaged page"])
def test_a_damaged_database_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch, capsys, command: str, damage: str
) -> None:
    db = tmp_path / "bot.db"
    if damage == "random bytes":
        db.write_bytes(random.Random(2).randbytes(64 * 1024))
    else:
        a_database_with_articles(db)
        damage_a_middle_page(db)
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{db}"\n')
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:fake")
    extra = [str(tmp_path / "copy.db")] if command == "backup" else []

    assert main([command, *extra, "--config", str(config)]) == 2

    line = one_line(capsys.readouterr().err)
    assert line.startswith(
        f"topic-alert: cannot use the database {db}: the database file is damaged; "
        "restore it from a backup (see the README, 'Backups')"
    )
    assert not (tmp_path / "copy.db").exists()


# ------------------------------------------------------------------------ while polling


@pytest.fixture
async def polling(tmp_path: Path, httpserver: HTTPServer):
    """A scheduler polling a feed of ARTICLES stories for 5 chats every second, its store
    waiting 0.3 s for a lock and probed every 0.2 s while it has a fault. Yields
    ``(feed, env, scheduler)`` before starting the scheduler."""
    feed = BurstFeed(httpserver)
    db = tmp_path / "bot.db"
    prime(db, feed.url, chats=5)
    config = make_config(db, interval=1)
    env, fetcher = await open_env(config, busy_timeout=0.3)
    scheduler = FeedScheduler(env.pipeline, env.astore, config, probe_every=timedelta(seconds=0.2))
    yield feed, env, scheduler
    await scheduler.shutdown()
    await close_env(env, fetcher)


def fill_up(conn: sqlite3.Connection) -> None:
    """Let the database grow by not one page more, as a full disk would."""
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count = {pages}")


def health_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.store.health"]


async def test_a_full_database_pauses_polling_and_it_resumes_by_itself(
    polling, caplog: pytest.LogCaptureFixture
) -> None:
    feed, env, scheduler = polling
    fill_up(env.store.conn)
    with caplog.at_level(logging.INFO):
        await scheduler.start()
        await until(lambda: env.astore.health.fault, "the store to name its fault", timeout=WAIT)
        await until(
            lambda: scheduler._skipped, "a poll skipped while the store has its fault", timeout=WAIT
        )  # a poll came due while it was full
        fetches = feed.fetches
        status = storage_state(env.astore.health)
        assert outbox_pairs(Path(env.store.path)) == (0, 0)

        env.store.conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        await until(
            lambda: outbox_pairs(Path(env.store.path))[0] == 5 * ARTICLES,
            "every alert queued",
            timeout=WAIT,
        )

    assert fetches == 1  # the skipped polls fetched nothing
    assert status.startswith("the disk is full (since ")
    assert status.endswith("polling waits until it can store again")
    told = health_lines(caplog)
    assert len(told) == 2, told  # once when it started, once when it ended
    assert "store poll failed: the disk holding the database is full; free some space" in told[0]
    assert "works again" in told[1]
    assert not any(r.exc_info for r in caplog.records)
    assert storage_state(env.astore.health) == "ok"


async def test_a_write_lock_held_by_another_program_pauses_polling_until_released(
    polling, caplog: pytest.LogCaptureFixture
) -> None:
    feed, env, scheduler = polling
    holder = sqlite3.connect(env.store.path, isolation_level=None, check_same_thread=False)
    feed.on_fetch = lambda: holder.execute("BEGIN IMMEDIATE")  # once the bot is polling
    try:
        with caplog.at_level(logging.INFO):
            await scheduler.start()
            await until(
                lambda: scheduler._skipped,
                "a poll skipped while the store has its fault",
                timeout=WAIT,
            )
            feed.on_fetch = None
            assert "locked by another program" in storage_state(env.astore.health)
            holder.execute("ROLLBACK")
            await until(
                lambda: outbox_pairs(Path(env.store.path))[0] == 5 * ARTICLES,
                "every alert queued",
                timeout=WAIT,
            )
    finally:
        holder.close()

    told = health_lines(caplog)
    assert len(told) == 2, told
    assert "another process holds a write lock on the database; stop it or wait" in told[0]
    assert not any(r.exc_info for r in caplog.records)


def damage_the_page_polls_read(db: Path) -> None:
    """Damage the index page where the URLs of new articles are looked up (every poll reads
    it to skip what it has seen); then another program's write makes the bot read it anew."""
    conn = sqlite3.connect(db)
    try:
        (page,) = conn.execute(
            """SELECT pageno FROM dbstat WHERE name = 'articles_url' AND pagetype = 'leaf'
               ORDER BY path DESC LIMIT 1"""
        ).fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    except sqlite3.OperationalError as exc:
        pytest.skip(f"this SQLite has no dbstat table to find the page with ({exc})")
    finally:
        conn.close()
    with db.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(random.Random(15).randbytes(page_size))
    with sqlite3.connect(db) as other:
        other.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")


async def test_a_page_damaged_while_running_is_named_and_polling_waits(
    tmp_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    feed = BurstFeed(httpserver)
    db = tmp_path / "bot.db"
    a_database_with_articles(db, count=3000)
    prime(db, feed.url, chats=5)
    config = make_config(db, interval=1)
    env, fetcher = await open_env(config)
    scheduler = FeedScheduler(env.pipeline, env.astore, config, probe_every=timedelta(seconds=0.2))
    try:
        damage_the_page_polls_read(db)
        with caplog.at_level(logging.INFO):
            await scheduler.start()
            await until(
                lambda: scheduler._skipped,
                "a poll skipped while the store has its fault",
                timeout=WAIT,
            )
            await asyncio.sleep(0.5)  # the probe runs quick_check, finds the damage, keeps waiting
        status = storage_state(env.astore.health)
    finally:
        await scheduler.shutdown()
        await close_env(env, fetcher)

    assert status.startswith("the database is damaged (since ")
    told = health_lines(caplog)
    assert len(told) == 1, told
    assert "the database file is damaged; restore it from a backup (see the README" in told[0]
    assert not any(r.exc_info for r in caplog.records)


# ----------------------------------------------------------------------------- the chat


async def test_commands_on_a_full_database_get_a_plain_answer_and_status_shows_it(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await bot.send(USER, "/start")
    conn = bot.store.sync.conn
    conn.execute("INSERT INTO chats(id, type, active, created_at) VALUES (7, 'private', 1, '')")
    fill_up(conn)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for n in range(100_000):  # topics of another chat until no page has room for one more
            conn.execute(
                "INSERT INTO subscriptions(chat_id, number, rule, canonical, created_at) "
                "VALUES (7, ?, 'x', ?, '2026-01-01')",
                (n + 1, f"x{n}"),
            )

    answer = await bot.send(USER, "/subscribe Israel + Azerbaijan")
    status = await bot.send(OPERATOR, "/status")

    assert answer.plain == "I can't save that right now: the disk is full. Try again later."
    assert "Storage: the disk is full (since " in status.plain
    assert "Something went wrong" not in answer.plain + status.plain


async def test_list_and_status_are_answered_while_another_program_holds_the_write_lock(
    start_bot: StartBot,
) -> None:
    """Issue 28: a write waiting for the lock (here a /quiet, waiting as long as the lock is
    held) used to hold every other store call behind it on the store's one thread, so /list
    came only after the lock was let go or the write gave up. Replies read on a connection
    of their own, which WAL lets read while another program writes."""
    bot = await start_bot()
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    writer = bot.store.sync.conn
    writer.execute("PRAGMA busy_timeout = 600000")  # the write waits until the lock is let go
    holder = sqlite3.connect(bot.store.sync.path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiting = asyncio.create_task(bot.store.set_chat_quiet(USER, "22:00-07:00"))
        listed = await bot.send(USER, "/list")
        status = await bot.send(OPERATOR, "/status")
        assert not waiting.done()  # the write still waits for the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await waiting

    assert "Israel + Azerbaijan" in listed.plain
    assert status.plain.startswith("Status")
    assert "Topics: 1 (0 paused)" in status.plain
