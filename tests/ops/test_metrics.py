"""``/metrics`` of the running daemon, read with the Prometheus text parser: what a person
checks on a dashboard after a chat subscribed and a feed published (polls, articles, the
alert and its latency, a 429, the backlog of a chat Telegram refuses), and that a scrape
during a storage fault still answers."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, ProcessCollector
from pytest_httpserver import HTTPServer

from bot import installed_version
from bot.ops.activity import Activity
from bot.ops.metrics import Metrics, ProcessFigures
from bot.sources import Source
from bot.store import AsyncStore, PollOutcome
from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import SAMPLE_TITLE, SAMPLE_URL, Feed
from tests.support.daemon_process import start, terminate, wait_until
from tests.support.ops_http import OpsPort, samples, value

CHAT = 8101
REFUSING = 8102
"""A chat whose every alert Telegram answers with 502: its alert stays in the outbox."""
TOPIC = "/subscribe Israel + Azerbaijan"


def test_a_scrape_shows_polls_articles_the_alert_its_latency_a_429_and_the_backlog(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, sample_article_text: str
) -> None:
    news = Feed(httpserver, "/news.xml")
    httpserver.expect_request("/broken.xml").respond_with_data("down", status=500)
    ops = OpsPort()
    config = ops.config(tmp_path, botapi.base_url, [news.url, httpserver.url_for("/broken.xml")])
    daemon = start(config, botapi.token)
    try:
        for chat in (CHAT, REFUSING):
            botapi.user_sends(chat, TOPIC)
            botapi.wait_for_messages(chat, 1, timeout=30)
        wait_until(daemon, lambda: news.polls >= 2, "two polls of the feed")
        botapi.inject("sendMessage", retry_after=1, chat_id=CHAT)
        botapi.inject("sendMessage", status=502, chat_id=REFUSING, times=1000)
        news.publish(SAMPLE_TITLE, SAMPLE_URL, sample_article_text)
        botapi.wait_for_messages(CHAT, 2, timeout=30)
        wait_until(
            daemon,
            lambda: value(
                ops.metrics(), "topic_alert_alerts_total", outcome="sent", shown_as="alert"
            ),
            "the alert to be counted",
        )
        scraped = ops.metrics()
    finally:
        status, _, err = terminate(daemon)
    assert status == 0, err

    def figure(name: str, **labels: str) -> float | None:
        return value(scraped, name, **labels)

    assert figure("topic_alert_polls_total", outcome="ok") >= 2
    assert figure("topic_alert_polls_total", outcome="error") >= 1
    assert figure("topic_alert_articles_new_total") == 2  # the weather item, then the sample
    assert figure("topic_alert_articles_stored") == 2
    assert figure("topic_alert_alerts_queued_total") == 2  # one per chat
    assert figure("topic_alert_alerts_total", outcome="sent", shown_as="alert") == 1
    assert figure("topic_alert_alert_latency_stored_seconds_count") == 1
    assert figure("topic_alert_alert_latency_published_seconds_count") == 1
    assert figure("topic_alert_telegram_requests_total", method="sendMessage", answer="flood") == 1
    assert figure("topic_alert_telegram_requests_total", method="getUpdates", answer="ok") >= 1
    assert (
        figure("topic_alert_telegram_requests_total", method="sendMessage", answer="network") >= 1
    )
    assert figure("topic_alert_outbox", state="due") == 1  # the refusing chat's alert
    assert figure("topic_alert_outbox_oldest_due_age_seconds") > 0
    assert figure("topic_alert_feeds", state="ok") == 1
    assert figure("topic_alert_feeds", state="failing") == 1
    assert figure("topic_alert_subscriptions", state="active") == 2
    assert figure("topic_alert_chats") == 2
    assert figure("topic_alert_storage_healthy") == 1
    assert figure("topic_alert_build_info", version=installed_version()) == 1
    assert figure("process_resident_memory_bytes") > 10_000_000
    assert figure("topic_alert_uptime_seconds") > 0


def test_a_scrape_during_a_storage_fault_answers_without_the_database_figures(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path
) -> None:
    news = Feed(httpserver, "/news.xml")
    ops = OpsPort()
    daemon = start(ops.config(tmp_path, botapi.base_url, [news.url]), botapi.token)
    holder = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    try:
        wait_until(daemon, lambda: news.polls >= 1, "a poll")
        ops.wait_for_health(daemon, 200)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        ops.wait_for_health(daemon, 503)
        during = ops.metrics()
        holder.execute("ROLLBACK")
        ops.wait_for_health(daemon, 200)
        after = ops.metrics()
    finally:
        holder.close()
        status, _, err = terminate(daemon)
    assert status == 0, err

    assert value(during, "topic_alert_storage_healthy") == 0
    assert value(during, "topic_alert_storage_fault", kind="locked") == 1
    assert value(during, "topic_alert_storage_fault", kind="full") == 0
    assert value(during, "topic_alert_articles_stored") is None
    assert value(during, "topic_alert_polls_total", outcome="ok") >= 1  # the process's own
    assert value(after, "topic_alert_storage_healthy") == 1
    assert value(after, "topic_alert_articles_stored") == 1


def test_process_memory_is_reported_where_systemd_hides_the_boot_time(tmp_path: Path) -> None:
    """The shipped unit's ProcSubset=pid leaves /proc/self but hides /proc/stat, where
    prometheus-client reads the boot time; its collector then reports no process figure at all.
    A /proc with only this process's own files stands for it."""
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    stat = Path("/proc/self/stat").read_bytes()
    (proc / "self" / "stat").write_bytes(stat)
    fields = stat.split(b")")[-1].split()
    started_at = 1_800_000_000.0

    plain = ProcessCollector(proc=str(proc), registry=None)
    figures = {
        family.name: family.samples[0].value
        for family in ProcessFigures(
            started_at, proc=str(proc), registry=CollectorRegistry()
        ).collect()
    }

    assert list(plain.collect()) == []
    assert figures["process_resident_memory_bytes"] == int(fields[21]) * os.sysconf("SC_PAGESIZE")
    assert figures["process_start_time_seconds"] == pytest.approx(started_at)


async def test_feeds_chats_brought_are_counted_apart_from_the_shared_ones(
    astore: AsyncStore,
) -> None:
    await astore.add_feed("https://shared.example.org/rss", name="Shared")
    own = await astore.add_chat_feed(
        1001, Source("https://own.example.org/rss"), name=None, interval=None
    )
    await astore.add_chat_feed(
        1002, Source("https://own.example.org/rss"), name=None, interval=None
    )
    now = datetime.now(UTC)
    failed = PollOutcome("error", now, now + timedelta(minutes=10), error="HTTP 503")
    await astore.record_polls([(own.id, failed)])

    scraped = samples((await Metrics(Activity(), astore).exposition()).decode())

    assert value(scraped, "topic_alert_feeds", state="ok") == 1
    assert value(scraped, "topic_alert_feeds", state="failing") == 0
    assert value(scraped, "topic_alert_chat_feeds", state="ok") == 0
    assert value(scraped, "topic_alert_chat_feeds", state="failing") == 1  # one row, two readers
