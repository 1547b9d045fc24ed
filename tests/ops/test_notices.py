"""The operators are told in Telegram what needs them: once when it starts, once when it ends.

Each test runs the real parts (the pipeline polling a local HTTP server, the outbox sender, the
Application's bot with its Bot API hook) against the fake Bot API, and reads what the two
operators' private chats received: one reads English, the other Russian. The watcher looks when
the test says (:meth:`NoticeWatcher.check`, what its loop calls every minute), on a clock the
test moves, so "failed for 70 minutes" takes no 70 minutes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from telegram.ext import Application
from werkzeug import Request, Response

import rules
from bot.config import (
    AccessConfig,
    AlertsConfig,
    Config,
    PollingConfig,
    StorageConfig,
    TelegramConfig,
)
from bot.daemon import serve
from bot.ops import notices
from bot.ops.activity import FLOOD_WINDOW_SECONDS, Activity
from bot.ops.notices import NoticeWatcher
from bot.sources import Source
from bot.telegram import build_application, start_receiving, stop_receiving
from bot.telegram.fairuse import paced_by_caller
from bot.wiring import Services, build
from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import daemon_config
from tests.support.feeds_samples import rss
from tests.support.local_hosts import LOCAL_FETCH
from tests.support.outbox_env import burst, drain, fast_sender
from tests.support.storage_faults import write_lock
from tests.support.telegram_app import unhurried
from tests.support.waiting import until

OPERATOR, DEPUTY = 4242, 4343
"""The operators: OPERATOR's chat is unknown to the bot (English, the default), DEPUTY's
Telegram app is in Russian."""
USER = 1001
GROUP = -1001234567890


class Clock:
    """The watcher's and pipeline's time, and the Bot API hook's, moved on by the test."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)
        self.ticks = 0.0

    def now(self) -> datetime:
        return self.moment

    def monotonic(self) -> float:
        return self.ticks

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        self.moment += step
        self.ticks += step.total_seconds()


class Feed:
    """A feed on the local server that works, fails with a 500, or is gone (410)."""

    def __init__(self, server: HTTPServer, path: str) -> None:
        self.url = server.url_for(path)
        self.status = 200
        self.items = [{"title": "Weather: a mild week", "link": f"https://example.org{path}/1"}]
        server.expect_request(path).respond_with_handler(self._serve)

    def _serve(self, request: Request) -> Response:
        if self.status != 200:
            return Response("unavailable", status=self.status)
        return Response(rss(self.items, title="Flaky News"), content_type="application/rss+xml")


@dataclass
class Env:
    api: FakeBotAPI
    services: Services
    application: Application
    activity: Activity
    clock: Clock
    watcher: NoticeWatcher

    def told(self, admin: int = OPERATOR) -> list[str]:
        """What an operator's chat has read, oldest first."""
        return [message.plain for message in self.api.messages(admin)]

    async def look(self, times: int = 1) -> None:
        for _ in range(times):
            await self.watcher.check()

    async def poll(self, url: str) -> None:
        feed = await self.services.store.feed_by_url(url) or await self.services.store.add_feed(url)
        await self.services.pipeline.poll_feed(feed)

    async def deliver(self) -> None:
        """Send what the outbox holds, as the daemon's delivery task does (its own pacing)."""
        sender = fast_sender(self.application.bot, self.services.store)
        await asyncio.create_task(drain(sender), context=paced_by_caller())

    def restarted_watcher(self) -> NoticeWatcher:
        """A new process's watcher on the same database."""
        return make_watcher(self.application, self.services, self.activity, self.clock)


def make_watcher(
    application: Application, services: Services, activity: Activity, clock: Clock
) -> NoticeWatcher:
    config = services.config
    return NoticeWatcher(
        application.bot,
        services.store,
        activity,
        admins=config.access.admins,
        alerts=config.alerts,
        delivery=config.delivery,
        now=clock.now,
    )


@pytest.fixture
async def env(botapi: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Env]:
    clock = Clock()
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "bot.db")),
        polling=PollingConfig(timeout=5, parse_workers=-1),
        fetch=LOCAL_FETCH,
        access=AccessConfig(admins=[OPERATOR, DEPUTY]),
        alerts=AlertsConfig(feed_failing_after=3600, backlog_after=600, rate_limited_after=2),
        telegram=TelegramConfig(base_url=botapi.base_url),
    )
    services = build(config, now=clock.now)
    activity = Activity(clock=clock.monotonic)
    application = build_application(
        token=botapi.token,
        base_url=botapi.base_url,
        store=services.store,
        config=config,
        pacer=unhurried(),
        activity=activity,
    )
    await start_receiving(application, config.telegram, poll_timeout=1)
    await services.store.upsert_chat(DEPUTY, telegram_language="ru")
    watcher = make_watcher(application, services, activity, clock)
    yield Env(botapi, services, application, activity, clock, watcher)
    await stop_receiving(application)
    await services.aclose()


async def test_a_feed_failing_past_the_limit_is_told_once_and_its_recovery_once(
    env: Env, httpserver: HTTPServer
) -> None:
    feed = Feed(httpserver, "/flaky.xml")
    await env.poll(feed.url)
    feed.status = 500
    for minutes in (0, 30, 40):  # failing since the first failed poll: 0, 30, 70 minutes
        env.clock.advance(minutes=minutes)
        await env.poll(feed.url)
        await env.look()
        if minutes < 40:
            assert env.told() == [], "not yet failing for an hour"
    await env.look(2)
    feed.status = 200
    env.clock.advance(minutes=10)
    await env.poll(feed.url)
    await env.look(3)

    name, error = "Flaky News", "HTTP 500 INTERNAL SERVER ERROR"
    assert env.told() == [
        f"⚠️ The feed {name} has failed for 70 minutes: {error}\n"
        "Check that its address still works; /feeds lists the sources and /removefeed stops "
        "polling one.",
        f"✅ The feed {name} works again.",
    ]
    assert env.told(DEPUTY) == [
        f"⚠️ Лента {name} не работает уже 70 минут: {error}\n"
        "Проверьте, открывается ли её адрес; /feeds показывает источники, а /removefeed "
        "прекращает опрос одного из них.",
        f"✅ Лента {name} снова работает.",
    ]
    assert 'href="' + feed.url + '"' in env.api.messages(OPERATOR)[0].text


async def test_a_chats_own_feed_failing_is_told_to_its_readers_not_the_operators(
    env: Env, httpserver: HTTPServer
) -> None:
    feed = Feed(httpserver, "/own.xml")
    readers = (USER, 1002)
    for chat in readers:
        await env.services.store.add_chat_feed(chat, Source(feed.url), name=None, interval=None)
    await env.poll(feed.url)
    feed.status = 500
    for minutes in (0, 70):
        env.clock.advance(minutes=minutes)
        await env.poll(feed.url)
    await env.look(2)
    feed.status = 200
    await env.poll(feed.url)
    await env.look()

    name, error = "Flaky News", "HTTP 500 INTERNAL SERVER ERROR"
    for chat in readers:
        assert env.told(chat) == [
            f"⚠️ The feed {name} has failed for 70 minutes: {error}\n"
            "Check that its address still works; /feeds lists the sources and /removefeed "
            "stops polling one.",
            f"✅ The feed {name} works again.",
        ]
    assert env.told() == env.told(DEPUTY) == []


async def test_a_gone_feed_is_told_once_even_after_a_restart(
    env: Env, httpserver: HTTPServer
) -> None:
    feed = Feed(httpserver, "/moved.xml")
    feed.status = 410
    await env.poll(feed.url)
    await env.look(2)
    await env.restarted_watcher().check()

    assert env.told() == [
        f"⚠️ The feed {feed.url} is gone: its server says it was removed for good (HTTP 410), "
        "so it is no longer polled. If the site moved it, add the new address with /addfeed."
    ]
    assert len(env.told(DEPUTY)) == 1
    assert not (await env.services.store.feed_by_url(feed.url)).enabled


async def test_a_notice_telegram_did_not_take_is_sent_at_the_next_look(
    env: Env, httpserver: HTTPServer
) -> None:
    feed = Feed(httpserver, "/moved.xml")
    feed.status = 410
    await env.poll(feed.url)
    for admin in (OPERATOR, DEPUTY):
        env.api.inject("sendMessage", status=502, chat_id=admin)  # Telegram is down
    await env.look()
    assert env.told() == env.told(DEPUTY) == []
    await env.look(2)

    assert len(env.told()) == len(env.told(DEPUTY)) == 1
    assert "(HTTP 410)" in env.told()[0]


async def test_alerts_held_up_are_told_and_so_is_their_going_out_again(env: Env) -> None:
    store = env.services.store
    burst(store.sync, [USER], 1)
    env.api.inject("sendMessage", status=502, chat_id=USER)  # Telegram fails the send
    await env.deliver()
    await env.look()
    assert env.told() == [], "a fresh alert is no backlog"

    env.clock.advance(minutes=20)
    await env.look(2)
    store.sync.conn.execute("UPDATE outbox SET not_before = NULL")  # its retry is due now
    await env.deliver()
    await env.look(2)

    [alert] = env.api.messages(USER)  # sent once, when Telegram worked again
    assert alert.plain.startswith("Story 0")
    assert env.told() == [
        "⚠️ Alerts are held up: 1 is waiting to be sent, the oldest for 20 minutes. Telegram "
        "may be unreachable or slowing the bot down; the bot's log says why.",
        "✅ Alerts are going out again.",
    ]


async def test_repeated_429s_are_told_and_their_end(env: Env) -> None:
    burst(env.services.store.sync, [USER], 1)
    env.api.inject("sendMessage", retry_after=1, chat_id=USER, times=2)
    await env.deliver()  # the send, then its one retry, meet a 429 each
    await env.look(2)
    env.clock.advance(seconds=FLOOD_WINDOW_SECONDS + 1)
    await env.look(2)

    assert env.told() == [
        '⚠️ Telegram answered "too many requests" 2 times in 10 minutes. The bot waits as '
        "told; if this goes on, another program may be using the same bot token.",
        "✅ Telegram no longer asks the bot to slow down.",
    ]
    assert len(env.told(DEPUTY)) == 2


async def test_a_chat_with_topics_that_blocks_the_bot_is_told_and_its_return(env: Env) -> None:
    burst(env.services.store.sync, [USER], 1)
    env.api.inject("sendMessage", status=403, chat_id=USER)  # the person blocked the bot
    await env.deliver()
    await env.look(2)
    env.api.user_sends(USER, "/start")
    await asyncio.to_thread(env.api.wait_for_messages, USER, 1)
    await env.look(2)

    assert env.told() == [
        "⚠️ The chat 1001 blocked or removed the bot; its 1 topic is paused until someone "
        "there sends /start.",
        "✅ The chat 1001 is back; its topics are on again.",
    ]
    assert env.told(DEPUTY)[0] == (
        "⚠️ Чат 1001 заблокировал или удалил бота; его 1 тема на паузе, пока кто-нибудь там "
        "не отправит /start."
    )


async def test_a_group_that_removes_the_bot_is_told_at_once(env: Env) -> None:
    store = env.services.store
    await store.upsert_chat(GROUP, type="supergroup", title="Baku <Watch>")
    for rule in ("Herzog", "Aliyev"):
        await store.add_subscription(GROUP, rules.compile(rule))

    env.api.bot_removed(GROUP, by_user=USER)
    while (await store.get_chat(GROUP)).active:
        await asyncio.sleep(0.02)
    await env.look(2)

    assert env.told() == [
        f"⚠️ The chat Baku <Watch> ({GROUP}) blocked or removed the bot; its 2 topics are "
        "paused until someone there sends /start."
    ]
    [topic, _] = await store.list_subscriptions(GROUP)
    assert topic.paused


async def test_a_channel_that_stops_the_bot_posting_is_told_without_start(env: Env) -> None:
    channel = -1001777000111
    store = env.services.store
    env.api.add_channel(channel, title="Baku News", username="baku_news", admins=[USER])
    await store.upsert_chat(channel, type="channel", title="Baku News")
    await store.add_subscription(channel, rules.compile("Herzog"))

    env.api.bot_rights_changed(channel, by_user=USER, status="administrator", can_post=False)
    while (await store.get_chat(channel)).active:
        await asyncio.sleep(0.02)
    await env.look(2)

    assert env.told() == [
        f"⚠️ The channel Baku News ({channel}) removed the bot or no longer lets it post; its 1 "
        "topic is paused until the bot may post there again (whoever linked it with /channel "
        "was told)."
    ]


async def test_a_storage_fault_is_told_at_once_and_its_end(
    env: Env, httpserver: HTTPServer
) -> None:
    feed = Feed(httpserver, "/news.xml")
    await env.poll(feed.url)
    feed.items.insert(0, {"title": "Herzog lands in Baku", "link": "https://example.org/2"})
    store = env.services.store
    store.sync.conn.execute("PRAGMA busy_timeout = 50")  # a held lock fails fast
    with write_lock(Path(store.sync.path)):
        await env.poll(feed.url)  # its new article cannot be stored
        await env.look(2)
        since = store.health.since
    await env.poll(feed.url)
    await env.look(2)

    assert since is not None
    assert env.told() == [
        f"⚠️ The database has a problem since {since:%H:%M} UTC: the database is locked by "
        "another program. Feeds are not polled until it can store again; the bot's log says "
        "what to do.",
        "✅ The database works again; feeds are polled again.",
    ]
    assert env.told(DEPUTY)[1] == "✅ База данных снова работает; ленты опрашиваются снова."
    assert (await store.stats()).articles == 2


async def test_the_running_daemon_tells_its_operators(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, monkeypatch
) -> None:
    """Through ``topic-alert run``'s own start-up: a feed gone (410) reaches the operator
    once while the daemon goes on looking."""
    monkeypatch.setattr(notices, "CHECK_EVERY", 0.1)
    gone = Feed(httpserver, "/gone.xml")
    gone.status = 410
    config = daemon_config(tmp_path / "bot.db", botapi, gone)
    config = replace(config, access=AccessConfig(admins=[OPERATOR]))
    stop = asyncio.Event()
    daemon = asyncio.create_task(serve(config, botapi.token, stop=stop))
    try:
        await until(lambda: botapi.messages(OPERATOR), "the operator's notice")
        await asyncio.sleep(10 * notices.CHECK_EVERY)  # more looks
    finally:
        stop.set()
        await asyncio.wait_for(daemon, 30)

    [notice] = [m.plain for m in botapi.messages(OPERATOR)]
    assert "(HTTP 410)" in notice
