"""Fair use: replies keep Telegram's limits, and one person's flood costs others nothing.

The flood runs with Telegram's real limits in the Pacer and the fake Bot API enforcing them
(any reply over 1/s per chat or 30/s overall would be answered 429 and counted).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.delivery import OutboxSender, Pacer, RenderedAlert
from bot.store import OutboxRow
from bot.telegram import texts
from bot.telegram.fairuse import CommandLimiter, paced_by_caller
from tests.support.botapi import FakeBotAPI
from tests.support.telegram_app import USER, StartBot, add_articles

FLOODER = 2001
OTHERS = (2101, 2102, 2103)
LIMIT = 5
"""Commands a minute in the flood test: small, so the flooder's paced answers (1/s) end soon."""


async def test_a_flood_from_one_person_draws_no_429_and_others_are_answered_first(
    start_bot: StartBot, botapi: FakeBotAPI
) -> None:
    botapi.enforce_limits = True
    await start_bot(pacer=Pacer(), commands_per_minute=LIMIT)

    started = time.monotonic()
    for n in range(300):  # 300 /subscribe in 3 s
        botapi.user_sends(FLOODER, f"/subscribe topic{n}")
        if n == 150:
            asked = time.monotonic()
            for other in OTHERS:
                botapi.user_sends(other, "/help")
        await asyncio.sleep(0.01)
    flood = await asyncio.to_thread(botapi.wait_for_messages, FLOODER, LIMIT + 1, 30)
    answers = {other: botapi.wait_for_messages(other, 1)[0] for other in OTHERS}
    await asyncio.sleep(1.5)  # anything more for the flooder would have come by now

    flood = botapi.messages(FLOODER)
    slow_down = texts.SLOW_DOWN.split(":")[0]
    assert botapi.rate_limited == 0
    assert sum(m.plain.startswith("Following #") for m in flood) == LIMIT
    assert sum(m.plain.startswith(slow_down) for m in flood) == 1
    assert len(flood) == LIMIT + 1
    assert all(a.plain.startswith("I watch news feeds") for a in answers.values())
    assert all(a.sent_at < flood[-1].sent_at for a in answers.values())  # not queued behind
    latency = [a.sent_at - asked for a in answers.values()]
    print(
        f"\nflood of 300 commands: {len(flood)} replies to the flooder over "
        f"{flood[-1].sent_at - started:.1f} s; other users' /help answered in "
        f"{min(latency):.2f}-{max(latency):.2f} s; 429s: {botapi.rate_limited}"
    )


def test_the_limit_is_a_sliding_minute_with_one_warning_per_episode() -> None:
    now = [0.0]
    limiter = CommandLimiter(20, clock=lambda: now[0])

    allowed = []
    for second in range(20):  # one command a second
        now[0] = float(second)
        allowed.append(limiter.allows(USER))
    now[0] = 30.0
    refused = [limiter.allows(USER) for _ in range(3)]
    warnings = [limiter.first_refusal(USER) for _ in range(3)]
    wait = limiter.wait_seconds(USER)
    other = limiter.allows(USER + 1)
    now[0] = 60.0
    again = limiter.allows(USER)
    now[0] = 60.5
    over_again = limiter.allows(USER)

    assert allowed == [True] * 20
    assert refused == [False] * 3
    assert warnings == [True, False, False]
    assert wait == 30
    assert other
    assert again  # the command of second 0 has left the window
    assert not over_again
    assert limiter.first_refusal(USER)  # a new episode gets its own warning


def test_zero_means_no_limit() -> None:
    limiter = CommandLimiter(0)
    assert all(limiter.allows(USER) for _ in range(1000))


class CountingPacer(Pacer):
    """The real Pacer, recording each wait as (chat, urgent)."""

    def __init__(self) -> None:
        super().__init__(per_second=10_000, per_chat_interval=0)
        self.waits: list[tuple[int, bool]] = []

    async def wait(self, chat_id: int, *, urgent: bool = False) -> float:
        self.waits.append((chat_id, urgent))
        return await super().wait(chat_id, urgent=urgent)


async def title_only(row: OutboxRow, *, also: Sequence[str] = ()) -> RenderedAlert:
    return RenderedAlert(text=row.article.article.title)


async def test_replies_wait_urgently_and_alerts_wait_once(
    start_bot: StartBot, botapi: FakeBotAPI
) -> None:
    """The daemon's wiring: one Pacer; the sender runs in paced_by_caller's context."""
    pacer = CountingPacer()
    bot = await start_bot(pacer=pacer)
    await bot.send(USER, "/subscribe Baku")
    replies = list(pacer.waits)
    await add_articles(bot.store, *(f"Baku story {n}" for n in range(3)))
    [sub] = await bot.store.list_subscriptions(USER)
    stored = await bot.store.recent_articles(datetime(2000, 1, 1, tzinfo=UTC), reader=None)
    await bot.store.enqueue_alerts({(USER, item.rowid): [sub.id] for item in stored})

    sender = OutboxSender(bot.application.bot, bot.store, pacer=pacer, render=title_only)
    report = await asyncio.create_task(sender.deliver_pending(), context=paced_by_caller())

    assert replies == [(USER, True)]
    assert report.sent == 3
    assert pacer.waits[1:] == [(USER, False)] * 3  # the sender's own waits, and no others
    assert sorted(m.plain for m in botapi.messages(USER)[1:]) == [
        f"Baku story {n}" for n in range(3)
    ]
