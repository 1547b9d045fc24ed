"""Fixtures of the translation tests: Russian articles queued for many chats, a sender that
translates, and the fake translators it talks to."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial

import pytest
from pytest_httpserver import HTTPServer
from telegram import Bot

import rules
from bot.article import Article
from bot.compiling import configured
from bot.config import Config, DeliveryConfig, RulesConfig, TranslateConfig
from bot.delivery import OutboxSender, render_outbox_row
from bot.matching import SubscriptionMatcher
from bot.ops.activity import Activity, TranslationOutcome
from bot.store import AsyncStore
from bot.translation import AlertTranslator, LibreTranslate, Translator
from tests.support.outbox_env import drain, fast_sender
from tests.support.translators import FakeLibreTranslate

RULE = "Israel + Azerbaijan"
TITLE_RU = "Израиль и Азербайджан подписали соглашение о воде"
TITLE_EN = "Israel and Azerbaijan signed a water agreement"
TEXT_RU = "Президент Израиля прилетел в Баку. Израиль и Азербайджан подписали соглашения."
TEXT_EN = "The President of Israel flew to Baku. Israel and Azerbaijan signed agreements."
PHRASEBOOK = {
    TITLE_RU: TITLE_EN,
    "Президент Израиля прилетел в Баку.": "The President of Israel flew to Baku.",
    "Израиль и Азербайджан подписали соглашения.": "Israel and Azerbaijan signed agreements.",
}
BOUND = 10.0
"""``[translate] timeout`` of these tests: far longer than a busy machine takes to translate,
so that only a translator held back (``FakeTranslator.slow``) is ever late."""
SHORT_BOUND = 0.5
"""The bound of the tests whose translator is held back: the alerts wait this long."""

_serials = itertools.count()


@cache
def place_names() -> rules.Aliases | None:
    """The place-name table of a bot reading English and Russian feeds (built once: it takes
    a while)."""
    return configured(Config(rules=RulesConfig(languages=["en", "ru"])))


@pytest.fixture
def libretranslate(httpserver: HTTPServer) -> Iterator[FakeLibreTranslate]:
    fake = FakeLibreTranslate(httpserver, PHRASEBOOK)
    yield fake
    fake.release()


@dataclass
class Desk:
    """A store with chats following :data:`RULE`, and a sender translating for them."""

    store: AsyncStore
    bot: Bot
    activity: Activity
    translator: AlertTranslator

    async def follow(self, chats: Iterable[int]) -> None:
        for chat in chats:
            await self.store.add_subscription(chat, rules.compile(RULE))

    async def publish(self, title: str = TITLE_RU, text: str = TEXT_RU, *, language="ru") -> str:
        """A feed publishes one article, matched for every chat that follows the rule."""
        feed = await self.store.feed_by_url("https://vesti.example/rss")
        if feed is None:
            feed = await self.store.add_feed("https://vesti.example/rss", name="Вести")
        n = next(_serials)
        article = Article(
            id=f"ru{n}",
            feed_url=feed.url,
            url=f"https://vesti.example/{n}",
            title=title,
            text=text,
            published=datetime.now(UTC).replace(microsecond=0),
            source="Вести",
            language=language,
        )
        [stored] = await self.store.add_articles(feed.id, [article], seen_at=datetime.now(UTC))
        subs = await self.store.active_subscriptions()
        await self.store.enqueue_alerts({(sub.chat_id, stored.rowid): [sub.id] for sub in subs})
        return article.url or ""

    def sender(self, **options: object) -> OutboxSender:
        """The real sender and renderer, explaining with place names (a Russian article
        matches ``Israel`` as Израиль), translating through :attr:`translator`."""
        matcher = SubscriptionMatcher(self.store, place_names())
        render = partial(render_outbox_row, explain=matcher.explain, translator=self.translator)
        return fast_sender(
            self.bot,
            self.store,
            render=render,
            translator=self.translator,
            activity=self.activity,
            **options,
        )

    async def deliver(self, **options: object) -> None:
        await drain(self.sender(**options))

    def counted(self, outcome: TranslationOutcome) -> float:
        """``topic_alert_translations_total{outcome}`` as /metrics shows it."""
        value = self.activity.registry.get_sample_value(
            "topic_alert_translations_total", {"outcome": outcome}
        )
        return value or 0.0

    def characters(self) -> float:
        return (
            self.activity.registry.get_sample_value("topic_alert_translation_characters_total")
            or 0.0
        )


def desk_for(store: AsyncStore, bot: Bot, backend: Translator, **translate: object) -> Desk:
    """A :class:`Desk` whose translator is ``backend`` under ``[translate]`` ``translate``."""
    translate.setdefault("timeout", BOUND)
    config = TranslateConfig(backend="libretranslate", **translate)  # type: ignore[arg-type]
    activity = Activity()
    translator = AlertTranslator(
        backend,
        store,
        config,
        summary_chars=DeliveryConfig().summary_chars,
        activity=activity,
    )
    return Desk(store, bot, activity, translator)


@pytest.fixture
def desk(astore: AsyncStore, bot: Bot, libretranslate: FakeLibreTranslate) -> Desk:
    """Chats, a sender and the fake LibreTranslate, with the bot's defaults."""
    backend = LibreTranslate(libretranslate.endpoint, "lt-key", timeout=BOUND)
    return desk_for(astore, bot, backend)
