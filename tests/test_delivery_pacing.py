"""The Pacer's slots on virtual time: smooth spacing overall, per chat and per group."""

from __future__ import annotations

import asyncio
import heapq
import itertools

import pytest

from bot.delivery import Pacer


class VirtualClock:
    """Time that passes only when every task is asleep, so the test never really waits.

    Sleepers wake in deadline order: the driver lets runnable tasks run to their next
    sleep, then jumps the clock to the earliest deadline.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._count), wake))
        if self._driver is None or self._driver.done():
            self._driver = asyncio.create_task(self._advance())
        await wake

    async def _advance(self) -> None:
        while self._sleepers:
            for _ in range(50):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            deadline, _, wake = heapq.heappop(self._sleepers)
            self.now = max(self.now, deadline)
            wake.set_result(None)


def pacer(clock: VirtualClock, **limits) -> Pacer:
    return Pacer(clock=clock, sleep=clock.sleep, **limits)


def gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [round(b - a, 6) for a, b in itertools.pairwise(ordered)]


async def test_many_chats_share_thirty_evenly_spaced_slots_per_second() -> None:
    clock = VirtualClock()
    p = pacer(clock)

    granted = await asyncio.gather(*(p.wait(chat) for chat in range(1, 91)))

    assert min(gaps(granted)) >= round(1 / 30, 6)
    assert max(granted) == pytest.approx(89 / 30)  # no slot wasted: 90 sends in 3 s
    assert clock.now >= max(granted)


async def test_one_chat_gets_one_message_per_second() -> None:
    clock = VirtualClock()
    p = pacer(clock)

    granted = [await p.wait(42) for _ in range(4)]

    assert gaps(granted) == [1.0, 1.0, 1.0]


async def test_a_group_gets_twenty_messages_per_minute() -> None:
    clock = VirtualClock()
    p = pacer(clock)

    granted = await asyncio.gather(*(p.wait(-100) for _ in range(21)))

    assert gaps(granted) == [3.0] * 20
    assert max(granted) - min(granted) == 60.0  # the 21st waits a full minute


async def test_a_busy_chat_does_not_hold_up_the_others() -> None:
    clock = VirtualClock()
    p = pacer(clock)

    busy = asyncio.gather(*(p.wait(1) for _ in range(5)))
    others = asyncio.gather(*(p.wait(chat) for chat in range(2, 30)))
    busy_times, other_times = await asyncio.gather(busy, others)

    assert max(other_times) < 1.0  # 28 other chats all went in the first second
    assert gaps(busy_times) == [1.0] * 4


async def test_hold_delays_only_that_chat() -> None:
    clock = VirtualClock()
    p = pacer(clock)

    await p.wait(7)
    p.hold(7, 5)
    held, free = await asyncio.gather(p.wait(7), p.wait(8))

    assert held == 5.0
    assert free < 1.0


async def test_slot_context_runs_the_block_in_the_granted_slot() -> None:
    clock = VirtualClock()
    p = pacer(clock, per_second=10)
    seen = []

    for _ in range(3):
        async with p.slot(-5) as granted:
            seen.append((granted, clock.now))

    assert [g for g, _ in seen] == [0.0, 3.0, 6.0]
    assert all(now >= granted for granted, now in seen)


async def test_a_reply_takes_the_next_overall_slot_ahead_of_queued_alerts() -> None:
    clock = VirtualClock()
    p = pacer(clock)
    alerts = [asyncio.create_task(p.wait(chat)) for chat in range(1, 61)]
    await asyncio.sleep(0)  # every alert is queued; the second one holds the gate

    reply = await p.wait(1000, urgent=True)
    granted = await asyncio.gather(*alerts)

    assert reply == pytest.approx(2 / 30)
    assert sorted(granted)[:2] == [0.0, pytest.approx(1 / 30)]
    assert min(gaps([*granted, reply])) >= round(1 / 30, 6)  # still 30/s overall


async def test_in_one_chat_a_reply_goes_before_the_alerts_waiting_there() -> None:
    clock = VirtualClock()
    p = pacer(clock)
    await p.wait(7)
    alerts = [asyncio.create_task(p.wait(7)) for _ in range(3)]
    await asyncio.sleep(0)  # the first alert holds the chat's turn, sleeping until 1.0

    reply = await p.wait(7, urgent=True)

    assert reply == 2.0
    assert await asyncio.gather(*alerts) == [1.0, 3.0, 4.0]


async def test_a_cancelled_waiter_does_not_hold_up_the_next() -> None:
    clock = VirtualClock()
    p = pacer(clock)
    await p.wait(7)
    first = asyncio.create_task(p.wait(7))
    second = asyncio.create_task(p.wait(7, urgent=True))
    third = asyncio.create_task(p.wait(7))
    await asyncio.sleep(0)

    second.cancel()

    assert await first == 1.0
    assert await third == 2.0
    assert second.cancelled()
