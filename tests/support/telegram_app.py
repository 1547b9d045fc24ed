"""The real Application against the fake Bot API over HTTP, on the test's own event loop.

A pytest plugin (tests/conftest.py loads it): every test may ask for the ``start_bot`` fixture.
The bot and the test share one loop, so waiting for the fake's messages happens on a worker
thread.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from telegram.ext import Application

from bot.article import Article
from bot.clock import Clock, utcnow
from bot.config import (
    AccessConfig,
    Config,
    DeliveryConfig,
    SourcesConfig,
    SubscriptionsConfig,
    TelegramConfig,
    TranslateConfig,
)
from bot.delivery import Pacer, render_outbox_row
from bot.delivery.sender import ChatGone
from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import InlineParser
from bot.ingest.pipeline import Pipeline
from bot.matching import SubscriptionMatcher
from bot.store import AsyncStore, Store
from bot.telegram import build_application, start_receiving, stop_receiving
from bot.telegram.services import FeedValidator
from tests.support.botapi import FakeBotAPI, SentMessage
from tests.support.local_hosts import local_limits
from tests.support.outbox_env import drain, fast_sender
from tests.support.waiting import wait_for

USER = 1001
OPERATOR = 4242


@dataclass
class Bot:
    """A running bot plus the person-side actions the tests need."""

    api: FakeBotAPI
    store: AsyncStore
    application: Application
    config: Config
    stopped: bool = False

    async def stop(self) -> None:
        """Stop receiving and close the database, as a daemon's shutdown does."""
        if not self.stopped:
            self.stopped = True
            await stop_receiving(self.application)
            await self.store.aclose()

    async def send(self, chat_id: int, text: str, **sender: object) -> SentMessage:
        """Send ``text`` as a user and return the one message the chat gets back."""
        [answer] = await self.send_all(chat_id, text, 1, **sender)
        return answer

    async def send_all(
        self, chat_id: int, text: str, count: int, **sender: object
    ) -> list[SentMessage]:
        """Send ``text`` as a user and return the ``count`` messages the chat gets back: a
        reply too long for one message comes in several."""
        before = len(self.api.messages(chat_id))
        self.api.user_sends(chat_id, text, **sender)
        received = await asyncio.to_thread(self.api.wait_for_messages, chat_id, before + count)
        return received[before : before + count]

    async def help(self, chat_id: int) -> str:
        """/help's answer as the chat reads it, its :data:`HELP_MESSAGES` messages in order."""
        answers = await self.send_all(chat_id, "/help", HELP_MESSAGES)
        return "\n".join(answer.plain for answer in answers)

    async def press(self, chat_id: int, message_id: int, data: str, **sender: object) -> str:
        """Press a button and return the text of the answerCallbackQuery it got (may be '')."""
        answered = len(self.api.calls("answerCallbackQuery"))
        self.api.user_presses(chat_id, message_id, data, **sender)
        calls = await asyncio.to_thread(self._wait_for_calls, "answerCallbackQuery", answered + 1)
        return calls[answered].get("text") or ""

    def _wait_for_calls(self, method: str, count: int) -> list[dict]:
        wait_for(
            lambda: len(self.api.calls(method)) >= count, f"{count} {method} calls", timeout=10
        )
        return self.api.calls(method)


def unhurried() -> Pacer:
    """A Pacer that never makes a test wait: for tests about what is said, not when.
    Tests about pacing pass ``pacer=Pacer()``, Telegram's real limits."""
    return Pacer(per_second=10_000, per_chat_interval=0, per_group_minute=1_000_000)


@dataclass
class Options:
    admins: list[int] = field(default_factory=lambda: [OPERATOR])
    allowed_users: list[int] = field(default_factory=list)
    max_per_chat: int = 50
    validate_feed: FeedValidator | None = None
    pacer: Pacer = field(default_factory=unhurried)
    commands_per_minute: int = 20
    chat_feeds: str = "everyone"
    feeds_per_chat: int = 20
    language: str = "en"
    now: Clock = utcnow
    """The process's clock, as ``bot.wiring.build(config, now=...)`` would give it."""
    menus: bool = False
    """Publish the command menus at start-up, as the daemon does: for the tests about menus."""
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    """``[translate]``: off, as by default."""
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    """``[sources]``: news searches (off by default, as in the config)."""


HELP_MESSAGES = 2
"""/help comes in two messages: the commands and the rule language, then a chat's own feeds,
channels, translation (and, for operators, their commands)."""

StartBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def start_bot(botapi: FakeBotAPI, tmp_path) -> AsyncIterator[StartBot]:
    """``await start_bot(**Options)``: build the Application on a fresh SQLite file, start it."""
    started: list[Bot] = []

    async def start(**options: object) -> Bot:
        opts = Options(**options)  # type: ignore[arg-type]
        config = Config(
            access=AccessConfig(
                admins=opts.admins,
                allowed_users=opts.allowed_users,
                commands_per_minute=opts.commands_per_minute,
                chat_feeds=opts.chat_feeds,
                feeds_per_chat=opts.feeds_per_chat,
            ),
            subscriptions=SubscriptionsConfig(max_per_chat=opts.max_per_chat),
            delivery=DeliveryConfig(language=opts.language),
            translate=opts.translate,
            sources=opts.sources,
        )
        store = AsyncStore(Store.open(tmp_path / "bot.db"))
        application = build_application(
            token=botapi.token,
            base_url=botapi.base_url,
            store=store,
            config=config,
            validate_feed=opts.validate_feed,
            pacer=opts.pacer,
            now=opts.now,
            menus=opts.menus,
        )
        await start_receiving(application, TelegramConfig(), poll_timeout=1)
        bot = Bot(botapi, store, application, config)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        await bot.stop()


async def add_articles(store: AsyncStore, *titles: str) -> None:
    """Store one article per title, oldest first, all seen now."""
    feed = await store.add_feed("https://news.example.org/feed.xml", name="Example News")
    now = datetime.now(UTC)
    articles = [
        Article(
            id=f"a{n}",
            feed_url=feed.url,
            url=f"https://news.example.org/{n}?a=1&b=2",
            title=title,
            text="",
            published=now.replace(microsecond=0) - timedelta(minutes=len(titles) - n),
            source="Example News",
        )
        for n, title in enumerate(titles)
    ]
    await store.add_articles(feed.id, articles, seen_at=now)


NEWS_FEED = "https://news.example.org/feed.xml"
_published = itertools.count()


async def publish(
    bot: Bot,
    title: str,
    text: str = "",
    *,
    matcher: SubscriptionMatcher | None = None,
    chat_gone: ChatGone | None = None,
    send: bool = True,
) -> None:
    """The feed publishes one article; the poll's write queues its alerts as the pipeline's
    does (``matcher`` refreshed first, as every poll does), and the sender delivers them with
    that matcher's explanations (telling ``chat_gone`` of a chat a 403 made inactive, as the
    daemon's does); ``send=False`` leaves them queued, as before the sender comes to them."""
    store = bot.store
    feed = await store.feed_by_url(NEWS_FEED) or await store.add_feed(NEWS_FEED, name="Example")
    n = next(_published)
    article = Article(
        id=f"a{n}",
        feed_url=NEWS_FEED,
        url=f"https://news.example.org/{n}",
        title=title,
        text=text,
        published=datetime.now(UTC).replace(microsecond=0),
        source="Example News",
    )
    matcher = matcher or SubscriptionMatcher(store)
    await matcher.refresh()
    await store.store_poll(
        feed.id,
        [article],
        seen_at=datetime.now(UTC),
        matches=matcher.match([article]),
        thread_ids=matcher.thread_ids,
    )
    if not send:
        return
    render = partial(render_outbox_row, explain=matcher.explain)
    await drain(fast_sender(bot.application.bot, store, render=render, chat_gone=chat_gone))


def alerts(bot: Bot, chat_id: int = USER) -> list[SentMessage]:
    """The alerts the chat received (messages linking to a published article), oldest first."""
    return [m for m in bot.api.messages(chat_id) if "news.example.org/" in m.text]


async def poll_and_deliver(bot: Bot, url: str) -> None:
    """The daemon's pipeline polls the feed at ``url`` once (local hosts allowed), and the
    sender delivers what the poll queued."""
    feed = await bot.store.feed_by_url(url)
    assert feed is not None, f"{url} is no feed of the bot"
    async with Fetcher(local_limits()) as fetcher:
        matcher = SubscriptionMatcher(bot.store)
        pipeline = Pipeline(bot.store, fetcher, Config(), matcher, parser=InlineParser())
        await pipeline.poll_feed(feed)
    render = partial(render_outbox_row, explain=matcher.explain)
    await drain(fast_sender(bot.application.bot, bot.store, render=render))
