"""The daemon end to end: a chat subscribes, a feed publishes, the chat gets one alert.

Everything is real but the network: the Application talks to the local fake Bot API over
HTTP, feeds come from a local HTTP server, and the database is a file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from pytest_httpserver import HTTPServer

from bot.cli import main
from bot.config import Config, FeedSpec
from bot.store import Store
from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import CHAT, SAMPLE_TITLE, SAMPLE_URL, Feed, daemon_config
from tests.support.daemon_process import wait_until
from tests.support.waiting import until


async def test_subscriber_gets_the_sample_article_once(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, running, sample_article_text: str
) -> None:
    news = Feed(httpserver, "/news.xml")
    broken = httpserver.url_for("/broken.xml")
    httpserver.expect_request("/broken.xml").respond_with_data("oops", status=500)
    config = daemon_config(tmp_path / "bot.db", botapi, news)
    config = Config(**{**config.__dict__, "feeds": [*config.feeds, FeedSpec(url=broken)]})
    await running(config)

    botapi.user_sends(CHAT, "/subscribe Israel + Azerbaijan")
    [reply] = await asyncio.to_thread(botapi.wait_for_messages, CHAT, 1)
    assert "Israel + Azerbaijan" in reply.plain
    await until(lambda: news.polls >= 2, "two quiet polls of the feed")

    news.publish(SAMPLE_TITLE, SAMPLE_URL, sample_article_text)
    messages = await asyncio.to_thread(botapi.wait_for_messages, CHAT, 2)
    alert = messages[1]
    assert SAMPLE_TITLE in alert.plain
    assert f'href="{SAMPLE_URL}"' in alert.text
    assert "Herzog will travel to Azerbaijan" in alert.plain
    assert "Topic: Israel + Azerbaijan" in alert.plain
    for boilerplate in ("photo credit", "By LAHAV HARKOV", "Published:", "NY Conference"):
        assert boilerplate not in alert.plain
    assert [label for row in alert.buttons for label, _ in row] == ["🔕 Mute", "✖ Unsubscribe"]

    polls = news.polls
    await until(lambda: news.polls >= polls + 3, "three more polls")
    assert len(botapi.messages(CHAT)) == 2, "the article must alert exactly once"

    feeds = {feed.url: feed for feed in Store.open(tmp_path / "bot.db").list_feeds()}
    assert feeds[broken].error_count >= 1 and "500" in feeds[broken].last_error
    assert feeds[news.url].error_count == 0


async def test_pending_alerts_survive_a_restart_and_go_out_once(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, running, sample_article_text: str
) -> None:
    """A crash after the match was written but before Telegram answered loses nothing."""
    news = Feed(httpserver, "/news.xml")
    config = daemon_config(tmp_path / "bot.db", botapi, news)
    botapi.inject("sendMessage", status=502, times=1000)  # Telegram is down: nothing goes out
    halt = await running(config)
    botapi.user_sends(CHAT, "/subscribe Israel + Azerbaijan")
    await until(lambda: news.polls >= 2, "two quiet polls")
    news.publish(SAMPLE_TITLE, SAMPLE_URL, sample_article_text)
    await until(lambda: news.polls >= 4, "the article to be polled")
    await halt()

    store = Store.open(tmp_path / "bot.db")
    [pending] = store.pending_alerts(now=datetime.max.replace(tzinfo=UTC))
    assert pending.article.article.title == SAMPLE_TITLE
    store.conn.execute("UPDATE outbox SET not_before = NULL")  # due now, not after backoff
    store.close()

    botapi.clear_faults()
    halt = await running(config)
    messages = await asyncio.to_thread(botapi.wait_for_messages, CHAT, 1)
    await halt()
    await running(config)
    await until(lambda: news.polls >= 8, "more polls after the second restart")
    alerts = [m for m in botapi.messages(CHAT) if SAMPLE_TITLE in m.plain]
    assert len(alerts) == 1, [m.plain for m in messages]


def test_run_without_a_token_says_how_to_set_one(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\n')

    assert main(["run", "--config", str(config)]) == 2
    assert "set the TELEGRAM_BOT_TOKEN environment variable" in capsys.readouterr().err


def test_run_with_a_refused_token_says_so(
    botapi: FakeBotAPI, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:WRONG")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n[telegram]\nbase_url = "{botapi.base_url}"\n'
    )

    assert main(["run", "--config", str(config)]) == 2
    assert "Telegram refused the bot token" in capsys.readouterr().err


def test_sigterm_stops_the_installed_command_cleanly(botapi: FakeBotAPI, tmp_path: Path) -> None:
    """What systemd and Docker do on stop: exit status 0, database closed, nothing lost."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "bot.db"}"\n[telegram]\nbase_url = "{botapi.base_url}"\n'
    )
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": botapi.token}
    command = [sys.executable, "-m", "bot", "run", "--config", str(config)]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as daemon:
        wait_until(daemon, lambda: botapi.calls("getUpdates"), "the daemon's first long poll")
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, stderr
    assert "stopped cleanly" in stderr
    assert Store.open(tmp_path / "bot.db").stats().chats == 0  # the file opens fine afterwards
