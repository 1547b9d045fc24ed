"""Start-up when Telegram cannot be reached: one log line, feeds polled and alerts queued
meanwhile, and everything delivered once the Bot API answers; a refused token stays a clean
exit 2 with one line."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

import rules
from bot.config import TelegramConfig
from bot.daemon import serve
from bot.store import Store
from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import SAMPLE_TITLE, SAMPLE_URL, Feed, daemon_config
from tests.support.daemon_process import start, wait_until, write_config
from tests.support.local_hosts import free_port
from tests.support.waiting import until

CHAT = 5002
UNREACHABLE = "cannot reach the Telegram Bot API"


def pending(db: Path) -> int:
    store = Store.open(db)
    try:
        return store.stats().outbox_pending
    finally:
        store.close()


async def test_feeds_are_polled_while_telegram_is_down_and_alerts_go_out_once_it_is_up(
    botapi: FakeBotAPI,
    httpserver: HTTPServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    sample_article_text: str,
) -> None:
    port = free_port()
    news = Feed(httpserver, "/news.xml")
    db = tmp_path / "bot.db"
    bot_api = TelegramConfig(base_url=f"http://127.0.0.1:{port}/bot")  # nothing listens yet
    config = replace(daemon_config(db, botapi, news), telegram=bot_api)
    store = Store.open(db)
    store.add_subscription(CHAT, rules.compile("Israel + Azerbaijan"))
    store.close()
    caplog.set_level(logging.DEBUG, logger="bot")

    stop = asyncio.Event()
    daemon = asyncio.create_task(serve(config, botapi.token, stop=stop))
    try:
        await until(lambda: news.polls >= 2, "two polls while Telegram is down")
        news.publish(SAMPLE_TITLE, SAMPLE_URL, sample_article_text)
        await until(lambda: pending(db) == 1, "the alert to be queued while Telegram is down")
        while_down = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        telegram_back = time.monotonic()
        with FakeBotAPI(port=port) as telegram:
            [alert] = await asyncio.to_thread(telegram.wait_for_messages, CHAT, 1, 90)
            delivered = time.monotonic()
            stop.set()
            await asyncio.wait_for(daemon, 30)
    finally:
        stop.set()
        await asyncio.wait_for(daemon, 30)

    assert len(while_down) == 1
    assert while_down[0].startswith(f"{UNREACHABLE} at http://127.0.0.1:{port} (")
    assert "feeds are polled and alerts queued meanwhile" in while_down[0]
    assert all(record.exc_info is None for record in caplog.records)
    assert SAMPLE_TITLE in alert.plain
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("reached the Telegram Bot API after") for m in messages)
    assert "stopped cleanly" in messages
    print(f"\nalert delivered {delivered - telegram_back:.1f} s after the Bot API came up")


def test_an_unreachable_bot_api_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"http://127.0.0.1:{free_port()}/bot")
    daemon = start(config, "123456:UNUSED")
    wait_until(daemon, lambda: daemon.log.says(UNREACHABLE), "the first failure")
    time.sleep(3)  # a retry (2 s after the first failure) that must not log again
    daemon.send_signal(signal.SIGTERM)
    status = daemon.wait(timeout=30)
    err = daemon.log.text()

    assert status == 0, err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if UNREACHABLE in line] == [
        line for line in err.splitlines() if line.startswith("WARNING")
    ]
    assert len([line for line in err.splitlines() if UNREACHABLE in line]) == 1
    assert err.splitlines()[-1].endswith("stopped cleanly")
    assert all(line.startswith(("INFO ", "WARNING ")) for line in err.splitlines()), err


def test_a_refused_token_is_one_line_and_exit_2(botapi: FakeBotAPI, tmp_path: Path) -> None:
    daemon = start(write_config(tmp_path, botapi.base_url), "999:WRONG")
    _, err = daemon.communicate(timeout=60)

    assert daemon.returncode == 2
    assert [line for line in err.splitlines() if not line.startswith("INFO ")] == [
        "topic-alert: Telegram refused the bot token; check TELEGRAM_BOT_TOKEN or [telegram] token"
    ]
