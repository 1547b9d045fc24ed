"""``/healthz`` of the running daemon: 200 when everything works, 503 and the failed check's
name when the database cannot be written or Telegram cannot be reached, 200 again once it
recovers; a config that names a port already taken stops the daemon with one line."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

from pytest_httpserver import HTTPServer

from bot.config import Config, StorageConfig
from bot.wiring import build
from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import Feed
from tests.support.daemon_process import start, terminate
from tests.support.local_hosts import free_port
from tests.support.ops_http import OpsPort


def test_healthy_then_the_store_fails_and_recovers(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path
) -> None:
    news = Feed(httpserver, "/news.xml")
    ops = OpsPort()
    daemon = start(ops.config(tmp_path, botapi.base_url, [news.url]), botapi.token)
    holder = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    try:
        healthy = ops.wait_for_health(daemon, 200)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        failing = ops.wait_for_health(daemon, 503)
        holder.execute("ROLLBACK")
        recovered = ops.wait_for_health(daemon, 200)
    finally:
        holder.close()
        status, _, err = terminate(daemon)
    assert status == 0, err

    assert healthy["status"] == "ok" and healthy["failed"] == []
    assert set(healthy["checks"]) == {"store", "telegram", "scheduler"}
    assert "1 feeds scheduled" in healthy["checks"]["scheduler"]["detail"]
    assert failing["failed"] == ["store"]
    assert failing["checks"]["store"]["detail"].startswith(
        "locked: another process holds a write lock on the database; stop it or wait"
    )
    assert recovered["failed"] == []


def test_telegram_down_is_named_and_its_return_seen(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path
) -> None:
    news = Feed(httpserver, "/news.xml")
    ops = OpsPort()
    daemon = start(ops.config(tmp_path, botapi.base_url, [news.url]), botapi.token)
    try:
        healthy = ops.wait_for_health(daemon, 200)
        for method in ("getUpdates", "getMe"):  # Telegram's own outage: 502 to everything
            botapi.inject(method, status=502, times=1_000_000)
        down = ops.wait_for_health(daemon, 503)
        botapi.clear_faults()
        back = ops.wait_for_health(daemon, 200)
    finally:
        status, _, err = terminate(daemon)
    assert status == 0, err

    assert healthy["checks"]["telegram"]["ok"]
    assert down["failed"] == ["telegram"]
    assert "getMe: Internal Server Error" in down["checks"]["telegram"]["detail"]
    assert back["failed"] == []


def test_before_telegram_first_answers_the_daemon_is_not_healthy(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    news = Feed(httpserver, "/news.xml")
    ops = OpsPort()
    nowhere = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there
    daemon = start(ops.config(tmp_path, nowhere, [news.url]), "123456:UNUSED")
    try:
        starting = ops.wait_for_health(daemon, 503)
    finally:
        status, _, err = terminate(daemon)
    assert status == 0, err

    assert starting["failed"] == ["telegram"]
    assert starting["checks"]["telegram"]["detail"].startswith("not connected yet")


def test_a_port_already_taken_is_one_line_and_exit_2(botapi: FakeBotAPI, tmp_path: Path) -> None:
    ops = OpsPort()
    host, port = ops.listen.split(":")
    with socket.create_server((host, int(port))):
        daemon = start(ops.config(tmp_path, botapi.base_url, []), botapi.token)
        _, err = daemon.communicate(timeout=60)

    assert daemon.returncode == 2
    assert [line for line in err.splitlines() if not line.startswith("INFO ")] == [
        f"topic-alert: [metrics] listen = '{ops.listen}': cannot listen there "
        "(Address already in use)"
    ]


async def test_a_scheduler_that_is_not_running_fails_its_check(tmp_path: Path) -> None:
    config = Config(storage=StorageConfig(path=str(tmp_path / "bot.db")))
    async with build(config) as services:
        report = (await services.health.report()).as_json()

    assert report["failed"] == ["telegram", "scheduler"]
    assert report["checks"]["scheduler"]["detail"] == "the feed scheduler is not running"
    assert report["checks"]["store"] == {"ok": True, "detail": "a test write went through"}
