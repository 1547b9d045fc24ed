"""Send pacing inside Telegram's flood limits, smoothly rather than in bursts.

Telegram allows about 30 messages a second overall, one a second per chat and 20 a minute per
group; past that it answers 429 and the bot must wait. PTB's ``AIORateLimiter`` is not enough
on its own: its overall limiter is a leaky bucket that lets a full second's worth through at
once (about 59 messages in the first second from a cold start) and it has no per-chat limit
for private chats at all. So the Pacer hands out send slots itself:

* overall: no rolling second ever holds more than ``per_second`` sends as Telegram receives
  them: the ``per_second``-th send before a new one must be ``1 + margin`` seconds old
  (counted as below). Within that, slots are spaced evenly, ``(1 + margin) / per_second``
  apart (29.7 a second at the defaults), first come first served;
* per chat: ``per_chat_interval`` seconds between two sends to one chat;
* per group or channel (``chat_id < 0``): ``60 / per_group_minute`` seconds, i.e. 3 s for
  20/min.

The Pacer grants a slot; Telegram counts the request when it arrives, which is later by
whatever comes between: the alert rendered in its slot, a busy event loop, a new connection.
So a send counts from its grant only until the sender reports Telegram's answer
(:meth:`Pacer.answered`); from then on it counts from the answer, which came after the request
arrived. The 30th send before
a new one must then be a window old by the time its answer came, so the new request arrives
more than a window after the old one did, whatever the latency was. Meanwhile a stall shows as
a slot granted late, and the sends granted just before it count from the end of the stall.

The even spacing follows a schedule, not the previous grant: the event loop wakes a sleeper a
little late, and spacing from the late grant would lose that time at every slot. After a stall
or a quiet spell the schedule starts again from the slot granted then: the slots missed
meanwhile do not come out in a burst (made up at once, they would leave the loop together and
arrive bunched). docs/benchmarks.md ("Delivery") has the measurements behind each choice.

A chat waiting for its own slot does not hold the overall queue, so one busy chat never
slows the others. An ``urgent`` wait (a reply to a command) goes ahead of every waiting alert,
in the overall queue and in its chat's, so the bot answers promptly however many alerts are
queued. Clock and sleep are injectable so tests run on virtual time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

WINDOW = 1.0
"""Telegram's overall limit counts the messages of one second."""
DEFAULT_MARGIN = 0.01
"""Seconds added to each rolling second to spare; the sustained rate is at most
``per_second / (1 + margin)``, 99% of the limit at 0.01. Latency needs no margin: a send
counts from its answer (see :meth:`Pacer.answered`)."""


class _Send:
    """One granted send in the rolling window: when it was granted, and the earliest moment
    it may have reached Telegram as far as the Pacer knows yet."""

    __slots__ = ("counts_from", "granted")

    def __init__(self, granted: float) -> None:
        self.granted = granted
        self.counts_from = granted


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
        if per_second <= 0 or per_chat_interval < 0 or per_group_minute <= 0:
            raise ValueError("Pacer limits must be positive")
        if margin < 0:
            raise ValueError("Pacer margin cannot be negative")
        per_window = max(1, math.floor(per_second * WINDOW))
        self._window = WINDOW + margin
        self._spacing = self._window / per_window
        self._recent: deque[_Send] = deque(maxlen=per_window)
        """When the last ``per_window`` sends left, as far as the Pacer can tell: the oldest
        must be a window old before the next."""
        self._next_slot = -math.inf
        self._chat_interval = per_chat_interval
        self._group_interval = max(per_chat_interval, 60.0 / per_group_minute)
        self._clock = clock
        self._sleep = sleep
        self._gate = Turns()  # callers take overall slots in arrival order, urgent ones first
        self._next_for_chat: dict[int, float] = {}
        self._chat_locks: defaultdict[int, Turns] = defaultdict(Turns)

    async def wait(self, chat_id: int, *, urgent: bool = False) -> float:
        """Wait for the next slot ``chat_id`` may use; returns the slot's clock time.

        The per-chat turn keeps two senders to one chat in order and spaced even when they
        call concurrently. ``urgent`` (replies to commands) goes ahead of non-urgent waiters.
        """
        async with self._chat_locks[chat_id].turn(urgent):
            await self._sleep_until(self._next_for_chat.get(chat_id, -math.inf))
            granted = await self._take_slot(urgent)
            self._next_for_chat[chat_id] = granted + self._interval(chat_id)
            return granted

    def answered(self, slot: float) -> None:
        """Telegram answered the send granted ``slot`` (or it failed): it counts from now.

        Counted from its grant, the sends whose requests took longest to arrive (rendering in
        the slot, a new connection) let 31 requests reach Telegram within one second.
        """
        now = self._clock()
        for send in reversed(self._recent):
            if send.granted == slot:
                send.counts_from = max(send.counts_from, now)
                return

    def hold(self, chat_id: int, seconds: float) -> None:
        """Keep ``chat_id`` quiet for ``seconds`` (Telegram said retry_after)."""
        until = self._clock() + seconds
        self._next_for_chat[chat_id] = max(self._next_for_chat.get(chat_id, -math.inf), until)
        logger.info("holding chat %s for %.1fs after flood control", chat_id, seconds)

    def _interval(self, chat_id: int) -> float:
        return self._group_interval if chat_id < 0 else self._chat_interval

    async def _take_slot(self, urgent: bool) -> float:
        async with self._gate.turn(urgent):
            while True:
                due = max(self._next_slot, self._window_opens())
                slept = await self._sleep_until(due)
                granted = self._clock()
                if granted - due <= self._spacing / 2:  # on time: keep to the schedule
                    self._next_slot += self._spacing
                    break
                # Late: after a quiet spell (nobody waited), or a stall that kept a waiting
                # sender asleep too long. Either way the schedule starts again from now; after
                # a stall, one slot after the sends it may have held up until now, if any.
                self._next_slot = granted + self._spacing
                if not (slept and self._count_from(due - self._spacing, granted)):
                    break
            self._recent.append(_Send(granted))
            return granted

    def _count_from(self, since: float, stall_end: float) -> bool:
        """The loop stalled until ``stall_end``: sends granted since ``since`` (just before the
        stall began) may have left only then, so they count from then. Whether there were any.
        """
        moved = False
        for send in reversed(self._recent):
            if send.granted < since or send.granted == stall_end:
                break
            send.counts_from = max(send.counts_from, stall_end)
            moved = True
        return moved

    def _window_opens(self) -> float:
        """When a new slot keeps every rolling window at ``per_second`` slots at most: the
        last ``per_window`` sends and the new one must span more than a window, counted from
        the earliest of them (not always the first granted: see :meth:`answered`)."""
        if len(self._recent) < (self._recent.maxlen or 0):
            return -math.inf
        return min(send.counts_from for send in self._recent) + self._window

    async def _sleep_until(self, deadline: float) -> bool:
        """Return at ``deadline`` or later, never before (a timer may fire a hair early);
        whether that took a sleep."""
        slept = False
        while (delay := deadline - self._clock()) > 0:
            await self._sleep(delay)
            slept = True
        return slept


class Turns:
    """A lock whose waiters get their turn urgent ones first, each kind in arrival order.

    ``asyncio.Lock`` is first come, first served; a reply to a command must not queue behind
    a few hundred alerts, so urgent waiters are served before every non-urgent one.
    """

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if not self._held:
            self._held = True
            return
        handed = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._normal).append(handed)
        try:
            await handed
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():
                self._release()  # the turn was handed over just as the waiter was cancelled
            raise

    def _release(self) -> None:
        """Hand the turn to the next live waiter, or free it."""
        for waiting in (self._urgent, self._normal):
            while waiting:
                handed = waiting.popleft()
                if not handed.done():
                    handed.set_result(None)
                    return
        self._held = False


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (for :meth:`Pacer.hold`), whichever type PTB 22 hands
    back."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # int retry_after is deprecated
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
