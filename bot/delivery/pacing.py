"""Send pacing inside Telegram's flood limits, smoothly rather than in bursts.

Telegram allows about 30 messages a second overall, one a second per chat and 20 a minute per
group; past that it answers 429 and the bot must wait. PTB's ``AIORateLimiter`` is not enough
on its own: its overall limiter is a leaky bucket that lets a full second's worth through at
once (about 59 messages in the first second from a cold start) and it has no per-chat limit
for private chats at all. So the Pacer hands out send slots itself:

* overall: no rolling second ever holds more than ``per_second`` slots, counted from the
  moment each was granted (the send's dispatch) with ``margin`` seconds to spare: the request
  that Telegram counts arrives a few milliseconds after its dispatch, and that delay varies.
  So the 30th slot before a new one must be at least ``1 + margin`` seconds old. Besides,
  slots are spaced evenly, ``(1 + margin) / per_second`` apart, first come first served,
  rather than 30 at once and then a pause; at the defaults that is 29.4 slots a second;
* per chat: ``per_chat_interval`` seconds between two sends to one chat;
* per group (``chat_id < 0``): ``60 / per_group_minute`` seconds, i.e. 3 s for 20/min.

The even spacing follows a schedule, not the previous grant: the event loop wakes a sleeper a
little late, and spacing from the late grant would lose that time at every slot (0.5 ms a slot
is 1.5% of the rate). After a stall or a quiet spell the schedule starts again from the slot
granted then: the slots missed meanwhile do not come out in a burst. The rolling-second count
holds whatever the schedule does.

A chat waiting for its own slot does not hold the overall queue, so one busy chat never
slows the others. Clock and sleep are injectable so tests run on virtual time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

WINDOW = 1.0
"""Telegram's overall limit counts the messages of one second."""
DEFAULT_MARGIN = 0.02
"""Seconds added to each rolling second for request latency jitter; the sustained rate is
``per_second / (1 + margin)``, 98% of the limit at 0.02."""


class Pacer:
    """Hands out send times; ``await pacer.wait(chat_id)`` returns when sending is allowed."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        per_chat_interval: float = 1.0,
        per_group_minute: int = 20,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0 or per_chat_interval < 0 or per_group_minute <= 0 or margin < 0:
            raise ValueError("Pacer limits must be positive")
        per_window = max(1, math.floor(per_second * WINDOW))
        self._window = WINDOW + margin
        self._spacing = self._window / per_window
        self._recent: deque[float] = deque(maxlen=per_window)
        """The last ``per_window`` grants: the oldest must be a window old before the next."""
        self._next_slot = -math.inf
        self._chat_interval = per_chat_interval
        self._group_interval = max(per_chat_interval, 60.0 / per_group_minute)
        self._clock = clock
        self._sleep = sleep
        self._gate = asyncio.Lock()  # FIFO: callers take overall slots in arrival order
        self._next_for_chat: dict[int, float] = {}
        self._chat_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def wait(self, chat_id: int) -> float:
        """Wait for the next slot ``chat_id`` may use; returns the slot's clock time.

        The per-chat lock keeps two senders to one chat in order and spaced even when they
        call concurrently.
        """
        async with self._chat_locks[chat_id]:
            await self._sleep_until(self._next_for_chat.get(chat_id, -math.inf))
            granted = await self._take_slot()
            self._next_for_chat[chat_id] = granted + self._interval(chat_id)
            return granted

    def hold(self, chat_id: int, seconds: float) -> None:
        """Keep ``chat_id`` quiet for ``seconds`` (Telegram said retry_after)."""
        until = self._clock() + seconds
        self._next_for_chat[chat_id] = max(self._next_for_chat.get(chat_id, -math.inf), until)
        logger.info("holding chat %s for %.1fs after flood control", chat_id, seconds)

    def _interval(self, chat_id: int) -> float:
        return self._group_interval if chat_id < 0 else self._chat_interval

    async def _take_slot(self) -> float:
        async with self._gate:
            await self._sleep_until(max(self._next_slot, self._window_opens()))
            granted = self._clock()
            self._recent.append(granted)
            # From the schedule, not from ``granted``: a wake-up late by up to half a slot costs
            # no rate. A later grant (after a quiet spell or a stall) restarts the schedule:
            # the slots missed meanwhile are not made up in a burst.
            on_time = granted - self._next_slot <= self._spacing / 2
            self._next_slot = (self._next_slot if on_time else granted) + self._spacing
            return granted

    def _window_opens(self) -> float:
        """When a new slot keeps every rolling window at ``per_second`` slots at most."""
        if len(self._recent) < (self._recent.maxlen or 0):
            return -math.inf
        return self._recent[0] + self._window

    async def _sleep_until(self, deadline: float) -> None:
        """Return at ``deadline`` or later, never before (a timer may fire a hair early)."""
        while (delay := deadline - self._clock()) > 0:
            await self._sleep(delay)
