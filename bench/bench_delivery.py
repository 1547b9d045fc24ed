"""Delivery benchmark: 2,000 alerts to 500 chats through the fake Bot API with flood limits on.

Run from the repository root: ``python bench/bench_delivery.py``. It takes about 70 s by
nature: Telegram allows 30 messages a second, and the point is to show the sender uses that
budget fully (target ≥ 27 messages/s) without ever being told to slow down (0 × 429), losing
an alert or sending one twice.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from botapi import FakeBotAPI  # noqa: E402
from telegram import Bot  # noqa: E402

import rules  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.delivery import OutboxSender, Pacer, render_outbox_row  # noqa: E402
from bot.store import AsyncStore, Store  # noqa: E402

ALERTS = 2000
CHATS = 500
TEXT = "Israeli President Isaac Herzog landed in Baku. Israel and Azerbaijan signed deals."


def fill_outbox(store: Store, alerts: int = ALERTS, chats: int = CHATS) -> None:
    """One subscription per chat (ids 1 to ``chats``); alert k is article k for chat
    k mod chats, as a feed burst matched by many chats leaves them (oldest first, chats
    interleaved)."""
    feed = store.add_feed("https://www.jpost.com/rss", name="The Jerusalem Post")
    subs = {
        chat: store.add_subscription(chat, rules.compile("Israel + Azerbaijan")).id
        for chat in range(1, chats + 1)
    }
    articles = [
        Article(
            id=str(k),
            feed_url=feed.url,
            url=f"https://www.jpost.com/a/{k}",
            title=f"Alert {k}: Herzog visits Azerbaijan",
            text=TEXT,
            published=datetime(2023, 5, 28, 15, 5, tzinfo=UTC),
            source="The Jerusalem Post",
        )
        for k in range(alerts)
    ]
    stored = store.add_articles(feed.id, articles, seen_at=datetime.now(UTC))
    matches = {}
    for k, article in enumerate(stored):
        chat = k % chats + 1
        matches[(chat, article.rowid)] = [subs[chat]]
    store.enqueue_alerts(matches)


async def deliver_all(api: FakeBotAPI, astore: AsyncStore) -> float:
    """Drain the outbox; returns the seconds it took."""
    async with Bot(api.token, base_url=api.base_url) as bot:
        sender = OutboxSender(bot, astore, pacer=Pacer(), render=render_outbox_row)
        started = time.perf_counter()
        while (await sender.deliver_pending()).touched:
            pass
        return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeBotAPI() as api:
        api.enforce_limits = True
        store = Store.open(Path(tmp) / "bench.db")
        fill_outbox(store)
        astore = AsyncStore(store)
        seconds = asyncio.run(deliver_all(api, astore))
        stats = store.stats()
        received = Counter((m.chat_id, m.plain.splitlines()[0]) for m in api.messages())
        sent = sum(received.values())
        print(f"alerts: {ALERTS} to {CHATS} chats, flood limits enforced (30/s, 1/s per chat)")
        print(f"total time: {seconds:.1f} s")
        print(f"throughput: {sent / seconds:.1f} messages/s (target >= 27)")
        print(f"429 answers: {api.rate_limited} (target 0)")
        print(
            f"lost: {ALERTS - len(received)} (outbox pending {stats.outbox_pending}, "
            f"failed {stats.outbox_failed})"
        )
        print(f"duplicates: {sent - len(received)}")
        store.close()


if __name__ == "__main__":
    main()
