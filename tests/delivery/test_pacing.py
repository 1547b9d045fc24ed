"""The Pacer's slots on virtual time: the rolling-second count, smooth spacing, the sustained
rate, and the limits per chat and per group."""

from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
import random

import pytest

from bot.delivery import Pacer
from bot.delivery.pacing import DEFAULT_MARGIN


class VirtualClock:
    """Time that passes only when every task is asleep, so the test never really waits.

    Sleepers wake in deadline order: the driver lets runnable tasks run to their next
    sleep, then jumps the clock to the earliest deadline, plus up to ``lateness`` seconds, as
    a busy event loop wakes its sleepers late; ``stalls`` maps the number of a wake-up (0 is
    the first) to how much later it comes, as when the loop is blocked.
    """

    def __init__(self, lateness: float = 0.0, stalls: dict[int, float] | None = None) -> None:
        self.now = 0.0
        self._lateness = lateness
        self._stalls = stalls or {}
        self._wake_ups = itertools.count()
        self._random = random.Random(9)
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
            late = self._random.uniform(0, self._lateness)
            late += self._stalls.get(next(self._wake_ups), 0.0)
            self.now = max(self.now, deadline + late)
            wake.set_result(None)


def pacer(clock: VirtualClock, **limits) -> Pacer:
    return Pacer(clock=clock, sleep=clock.sleep, **limits)


def gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [round(b - a, 6) for a, b in itertools.pairwise(ordered)]


def most_in_a_rolling_window(times: list[float], window: float = 1.0) -> int:
    """The most grants any window ``[t, t + window]`` holds (closed: a grant exactly one
    window after another counts with it, the strict reading of "per second")."""
    ordered = sorted(times)
    return max(bisect.bisect_right(ordered, start + window) - i for i, start in enumerate(ordered))


def sustained_rate(times: list[float]) -> float:
    ordered = sorted(times)
    return (len(ordered) - 1) / (ordered[-1] - ordered[0])


async def test_many_chats_share_evenly_spaced_slots_within_thirty_a_second() -> None:
    clock = VirtualClock()
    p = pacer(clock)

    granted = await asyncio.gather(*(p.wait(chat) for chat in range(1, 91)))

    spacing = (1 + DEFAULT_MARGIN) / 30
    assert gaps(granted) == pytest.approx([spacing] * 89, abs=1e-6)
    assert clock.now >= max(granted)


async def test_no_rolling_second_holds_more_than_thirty_and_the_rate_stays_above_97_percent() -> (
    None
):
    clock = VirtualClock()
    p = pacer(clock)

    granted = await asyncio.gather(*(p.wait(chat) for chat in range(1, 901)))

    assert most_in_a_rolling_window(granted) == 30
    ordered = sorted(granted)
    thirty_apart = zip(ordered, ordered[30:], strict=False)
    assert min(b - a for a, b in thirty_apart) == pytest.approx(1 + DEFAULT_MARGIN)
    assert sustained_rate(granted) >= 0.97 * 30


async def test_late_wake_ups_neither_burst_nor_cost_the_rate() -> None:
    """The event loop wakes sleepers late, by up to 4 ms here: the slots after a late one keep
    the schedule instead of moving with it, and the window still holds."""
    clock = VirtualClock(lateness=0.004)
    p = pacer(clock)

    granted = await asyncio.gather(*(p.wait(chat) for chat in range(1, 601)))

    assert most_in_a_rolling_window(granted) == 30
    assert sustained_rate(granted) >= 0.97 * 30


async def test_after_a_quiet_spell_the_missed_slots_do_not_come_out_at_once() -> None:
    clock = VirtualClock()
    p = pacer(clock)
    await asyncio.gather(*(p.wait(chat) for chat in range(1, 11)))
    await clock.sleep(5)

    granted = await asyncio.gather(*(p.wait(chat) for chat in range(11, 41)))

    assert min(gaps(granted)) == pytest.approx((1 + DEFAULT_MARGIN) / 30, abs=1e-6)


async def test_a_burst_that_fills_a_second_waits_for_the_window() -> None:
    """Five a second with a 0.1 s margin: every sixth slot is 1.1 s after the first of the
    five before it."""
    clock = VirtualClock()
    p = pacer(clock, per_second=5, margin=0.1)

    granted = await asyncio.gather(*(p.wait(chat) for chat in range(1, 12)))

    assert most_in_a_rolling_window(granted) == 5
    assert sorted(granted)[5] - sorted(granted)[0] == pytest.approx(1.1)


async def test_one_chat_gets_one_message_per_second() -> None:
    clock = VirtualClock()
    p = pacer(clock)

    granted = [await p.wait(42) for _ in range(4)]

    assert gaps(granted) == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("chat", [-100, -1001234567890], ids=["group", "channel"])
async def test_a_group_or_channel_gets_twenty_messages_per_minute(chat: int) -> None:
    clock = VirtualClock()
    p = pacer(clock)

    granted = await asyncio.gather(*(p.wait(chat) for _ in range(21)))

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


async def test_a_send_granted_just_before_a_stall_counts_from_its_end() -> None:
    """Chat 2 waits for its slot, one spacing on, and the loop is stalled 0.4 s past it: chat
    1's send may have left only when the stall ended, so chat 2's slot comes one spacing after
    that, and the 30th slot after chat 1's a whole window after that."""
    clock = VirtualClock(stalls={0: 0.4})
    p = pacer(clock)
    spacing = (1 + DEFAULT_MARGIN) / 30
    stall_end = spacing + 0.4

    granted = sorted(await asyncio.gather(*(p.wait(chat) for chat in range(1, 41))))

    assert granted[:2] == [0.0, pytest.approx(stall_end + spacing)]
    assert granted[30] == pytest.approx(stall_end + 1 + DEFAULT_MARGIN)
    dispatched = [stall_end, *granted[1:]]
    assert most_in_a_rolling_window(dispatched) == 30


async def test_a_send_answered_late_counts_from_its_answer() -> None:
    """Chat 1's request took 0.1 s to be answered (it may have arrived only just before): the
    30th send after it waits a whole window from the answer, not from the grant."""
    clock = VirtualClock()
    p = pacer(clock)
    first = await p.wait(1)
    await clock.sleep(0.1)
    p.answered(first)

    granted = sorted(await asyncio.gather(*(p.wait(chat) for chat in range(2, 32))))

    assert granted[-1] == pytest.approx(0.1 + 1 + DEFAULT_MARGIN)
    assert most_in_a_rolling_window([0.1, *granted]) == 30


async def test_a_quiet_spell_is_no_stall() -> None:
    clock = VirtualClock()
    p = pacer(clock)
    await p.wait(1)
    await clock.sleep(5)

    assert await p.wait(2) == 5.0  # at once: nobody waited, nothing was held up


SPACING = (1 + DEFAULT_MARGIN) / 30


async def test_a_reply_takes_the_next_overall_slot_ahead_of_queued_alerts() -> None:
    clock = VirtualClock()
    p = pacer(clock)
    alerts = [asyncio.create_task(p.wait(chat)) for chat in range(1, 61)]
    await asyncio.sleep(0)  # every alert is queued; the second one holds the gate

    reply = await p.wait(1000, urgent=True)
    granted = await asyncio.gather(*alerts)

    assert reply == pytest.approx(2 * SPACING)
    assert sorted(granted)[:2] == [0.0, pytest.approx(SPACING)]
    assert min(gaps([*granted, reply])) >= round(SPACING, 6) - 1e-6  # still paced overall
    assert most_in_a_rolling_window([*granted, reply]) <= 30


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
