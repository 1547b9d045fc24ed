"""``[translate]`` as the daemon builds it (``bot.wiring.build``): its alerts and its scheduled
digests reach the chats translated by the configured LibreTranslate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from telegram import Bot

import rules
from bot.article import Article
from bot.clock import utcnow
from bot.config import Config, RulesConfig, StorageConfig, TranslateConfig
from bot.delivery import Pacer
from bot.wiring import build
from tests.support.botapi import FakeBotAPI
from tests.support.outbox_env import drain
from tests.support.translators import FakeLibreTranslate
from tests.translation.conftest import BOUND, TEXT_RU, TITLE_EN, TITLE_RU

REALTIME_CHAT, DAILY_CHAT = 6001, 6002


async def test_the_process_translates_alerts_and_scheduled_digests(
    bot: Bot, botapi: FakeBotAPI, libretranslate: FakeLibreTranslate, tmp_path: Path
) -> None:
    now = utcnow()
    moment = [now]
    eight = now.replace(hour=8, minute=0, second=0, microsecond=0)
    due = eight if eight > now else eight + timedelta(days=1)
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "bot.db")),
        rules=RulesConfig(languages=["en", "ru"]),
        translate=TranslateConfig(
            backend="libretranslate", endpoint=libretranslate.endpoint, timeout=BOUND
        ),
    )
    unpaced = Pacer(per_second=1000, per_chat_interval=0, per_group_minute=100_000)
    async with build(config, now=lambda: moment[0], pacer=unpaced) as services:
        store = services.store.sync
        realtime = store.add_subscription(REALTIME_CHAT, rules.compile("Israel"))
        daily = store.add_subscription(DAILY_CHAT, rules.compile("Israel"), frequency="daily 08:00")
        feed = store.add_feed("https://vesti.example/rss", name="Вести")
        article = Article(
            id="1",
            feed_url=feed.url,
            url="https://vesti.example/1",
            title=TITLE_RU,
            text=TEXT_RU,
            published=now,
            source="Вести",
            language="ru",
        )
        [stored] = store.add_articles(feed.id, [article], seen_at=now)
        store.enqueue_alerts(
            {(REALTIME_CHAT, stored.rowid): [realtime.id], (DAILY_CHAT, stored.rowid): [daily.id]}
        )
        sender = services.sender(bot)

        await drain(sender)
        moment[0] = due
        await drain(sender)

    [alert] = botapi.messages(REALTIME_CHAT)
    assert alert.plain.splitlines()[:2] == [TITLE_EN, TITLE_RU]
    assert "Translated from Russian" in alert.plain
    [digest] = botapi.messages(DAILY_CHAT)
    assert digest.plain.splitlines()[0].startswith("Digest · ")
    assert f"• {TITLE_EN} — Вести" in digest.plain
    assert libretranslate.calls == 1, "the digest read the translation the alert made"
