"""Another process holds the database's write lock mid-burst and the daemon is stopped then:
what each chat receives after the restart.

Issue 28: the sender went on sending while it could not record its sends (about 20 messages,
one per chat of the batch), and a stop with the lock still held (SIGTERM or SIGKILL) sent all
of them again after the restart. Now the sender takes nothing new while a send cannot be
recorded, so at most the send in flight when the lock was taken is unrecorded, and a SIGTERM
waits within the grace period for the store before exiting. The daemon runs as installed
(``python -m bot run``) against the fake Bot API with a local feed; the lock is a real
``BEGIN IMMEDIATE`` of another connection, held past the store's busy timeout.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.support.botapi import FakeBotAPI
from tests.support.daemon_process import (
    start,
    stop,
    terminate,
    wait_until,
    write_config,
)
from tests.support.feeds_samples import rss
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import burst, prime
from tests.support.storage_faults import write_lock

CHATS, ARTICLES = 20, 10
"""Each chat gets one message a second (Telegram's limit), so the burst lasts ARTICLES s."""
LOCKED = "another process holds a write lock on the database"


def daemon_config(tmp_path: Path, botapi: FakeBotAPI, feed_url: str) -> Path:
    """Chats following the feed's topic; every alert a message of its own (no digest), the
    feed parsed in the daemon's process (no parse worker outlives a SIGKILL)."""
    config = write_config(
        tmp_path,
        botapi.base_url,
        "[polling]\nparse_workers = -1\n[delivery]\ndigest_threshold = 1000\n" + LOCAL_FETCH_TOML,
    )
    prime(tmp_path / "bot.db", feed_url, chats=CHATS)
    return config


def duplicates_and_lost(botapi: FakeBotAPI, urls: list[str]) -> tuple[int, int]:
    """Across every chat: messages showing an article a chat was already shown, and articles
    a chat was never shown."""
    duplicates = lost = 0
    for chat in range(1, CHATS + 1):
        shown = botapi.links(chat)
        duplicates += sum(max(0, shown[url] - 1) for url in urls)
        lost += sum(1 for url in urls if shown[url] == 0)
    return duplicates, lost


def every_chat_has_all(botapi: FakeBotAPI, urls: list[str]) -> bool:
    return all(all(url in botapi.links(chat) for url in urls) for chat in range(1, CHATS + 1))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_stop_while_another_process_holds_the_lock_repeats_at_most_one_alert(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, sig: signal.Signals
) -> None:
    items = burst(ARTICLES)
    urls = [item["link"] for item in items]
    httpserver.expect_request("/burst.xml").respond_with_data(
        rss(items), content_type="application/rss+xml"
    )
    config = daemon_config(tmp_path, botapi, httpserver.url_for("/burst.xml"))

    daemon = start(config, botapi.token)
    log = daemon.log
    wait_until(daemon, lambda: len(botapi.messages()) >= 2 * CHATS, "the burst under way")
    with write_lock(tmp_path / "bot.db"):
        at_lock = len(botapi.messages())
        wait_until(daemon, lambda: log.says(LOCKED), "the daemon to find the database locked")
        status = stop(daemon, sig)
        sent_while_locked = len(botapi.messages()) - at_lock
    lines = log.lines()

    restarted = start(config, botapi.token)
    try:
        wait_until(restarted, lambda: every_chat_has_all(botapi, urls), "every alert", 60)
    finally:
        terminate(restarted)

    duplicates, lost = duplicates_and_lost(botapi, urls)
    print(f"{sig.name}: {sent_while_locked} sent while locked, {duplicates} repeated, {lost} lost")
    assert lost == 0
    assert duplicates <= 1, f"{duplicates} alerts shown twice after one stop"
    assert sent_while_locked <= 1
    if sig == signal.SIGTERM:  # it waited for the database, and said what it left
        log = "\n".join(lines)
        assert status == 0 and "Traceback" not in log, log
        told = [line for line in lines if "bot.delivery.recording: stopping" in line]
        assert len(told) == (1 if duplicates else 0), log
        assert not duplicates or f"to record {duplicates} alert already sent" in told[0]
