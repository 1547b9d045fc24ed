"""Fair-use benchmark: one person floods the bot while others use it, and alerts are going out.

Run from the repository root: ``python bench/bench_fairuse.py``. The real Application
(handlers, per-person limit, paced replies) runs against the fake Bot API with Telegram's flood
limits enforced. One user sends 300 /subscribe in 3 s; meanwhile ten other users each send
/help and then /list, and the OutboxSender delivers 300 alerts to 100 other chats through the
same Pacer. Printed: the other users' reply latency (from their message reaching the fake
Bot API to the reply reaching it), the flooder's replies, and 429 answers (target: latency
under 1 s, 0 × 429). Each other user waits a second between their two commands, as a person
does; faster, the second reply would wait for Telegram's one message a second per chat.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_delivery import fill_outbox  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.delivery import OutboxSender, Pacer, render_outbox_row  # noqa: E402
from bot.matching import SubscriptionMatcher  # noqa: E402
from bot.store import AsyncStore, Store  # noqa: E402
from bot.telegram import build_application, start_receiving, stop_receiving  # noqa: E402
from bot.telegram.fairuse import paced_by_caller  # noqa: E402
from tests.support.botapi import FakeBotAPI  # noqa: E402

FLOODER = 9001
FLOOD = 300
FLOOD_SECONDS = 3.0
OTHERS = range(9101, 9111)
ALERT_CHATS = 100
"""Chats 1 to 100 have alerts waiting (bench_delivery's outbox), three each."""
ALERTS = 300


async def ask(api: FakeBotAPI, user: int, text: str) -> float:
    """Send ``text`` as ``user``; seconds until the reply arrived."""
    before = len(api.messages(user))
    asked = time.monotonic()
    api.user_sends(user, text)
    [*_, answer] = await asyncio.to_thread(api.wait_for_messages, user, before + 1, 60)
    return answer.sent_at - asked


async def flood(api: FakeBotAPI) -> None:
    for n in range(FLOOD):
        api.user_sends(FLOODER, f"/subscribe topic{n}")
        await asyncio.sleep(FLOOD_SECONDS / FLOOD)


async def others_ask(api: FakeBotAPI) -> list[float]:
    """Each other user asks for /help, reads it for a second, then asks for /list."""
    latencies = []
    await asyncio.sleep(0.5)  # the flood is under way
    for user in OTHERS:
        latencies.append(await ask(api, user, "/help"))
        await asyncio.sleep(1.0)
        latencies.append(await ask(api, user, "/list"))
    return latencies


async def run(api: FakeBotAPI, store: AsyncStore) -> None:
    pacer = Pacer()
    application = build_application(
        token=api.token, base_url=api.base_url, store=store, config=Config(), pacer=pacer
    )
    await start_receiving(application, Config().telegram, poll_timeout=1)
    sender = OutboxSender(
        application.bot,
        store,
        pacer=pacer,
        render=partial(render_outbox_row, explain=SubscriptionMatcher(store).explain),
    )
    try:
        delivery = asyncio.create_task(sender.deliver_pending(), context=paced_by_caller())
        _, latencies = await asyncio.gather(flood(api), others_ask(api))
        await delivery
        await asyncio.sleep(FLOOD_SECONDS)  # the flooder's last paced replies
    finally:
        await stop_receiving(application)
    flooder = api.messages(FLOODER)
    alerts = sum(len(api.messages(chat)) for chat in range(1, ALERT_CHATS + 1))
    print(f"flood: {FLOOD} /subscribe in {FLOOD_SECONDS:g} s from one user (limit 20/min)")
    print(f"replies to the flooder: {len(flooder)} (20 answers + 1 'slow down')")
    print(
        f"other users' replies ({len(latencies)}): median {statistics.median(latencies):.2f} s, "
        f"max {max(latencies):.2f} s (target < 1 s)"
    )
    print(f"alerts delivered meanwhile: {alerts} of {ALERTS}")
    print(f"429 answers: {api.rate_limited} (target 0)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeBotAPI() as api:
        api.enforce_limits = True
        store = Store.open(Path(tmp) / "bench.db")
        fill_outbox(store, alerts=ALERTS, chats=ALERT_CHATS)
        astore = AsyncStore(store)
        asyncio.run(run(api, astore))
        store.close()


if __name__ == "__main__":
    main()
