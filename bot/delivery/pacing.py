"""Send pacing inside Telegram's flood limits, smoothly rather than in bursts.

Telegram allows about 30 messages a second overall, one a second per chat and 20 a minute per
group; past that it answers 429 and the bot must wait. PTB's ``AIORateLimiter`` is not enough
on its own: its overall limiter is a leaky bucket that lets a full second's worth through at
once (about 59 messages in the first second from a cold start) and it has no per-chat limit
for private chats at all. So the Pacer hands out send slots itself:

* overall: ``1 / per_second`` seconds between two slots, first come first served;
* per chat: ``per_chat_interval`` seconds between two sends to one chat;
* per group (``chat_id < 0``): ``60 / per_group_minute`` seconds, i.e. 3 s for 20/min.

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
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

logger = logging.getLogger(__name__)


class Pacer:
    """Hands out send times; ``await pacer.wait(chat_id)`` returns when sending is allowed."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        per_chat_interval: float = 1.0,
        per_group_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if per_second <= 0 or per_chat_interval < 0 or per_group_minute <= 0:
            raise ValueError("Pacer limits must be positive")
        self._spacing = 1.0 / per_second
        self._chat_interval = per_chat_interval
        self._group_interval = max(per_chat_interval, 60.0 / per_group_minute)
        self._clock = clock
        self._sleep = sleep
        self._gate = Turns()  # callers take overall slots in arrival order, urgent ones first
        self._last_grant = -math.inf
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

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[float]:
        """``async with pacer.slot(chat_id):`` — the block runs in ``chat_id``'s next slot."""
        yield await self.wait(chat_id)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Keep ``chat_id`` quiet for ``seconds`` (Telegram said retry_after)."""
        until = self._clock() + seconds
        self._next_for_chat[chat_id] = max(self._next_for_chat.get(chat_id, -math.inf), until)
        logger.info("holding chat %s for %.1fs after flood control", chat_id, seconds)

    def _interval(self, chat_id: int) -> float:
        return self._group_interval if chat_id < 0 else self._chat_interval

    async def _take_slot(self, urgent: bool) -> float:
        # Spacing counts from the moment the previous slot was really granted, not from a
        # reserved time: after the event loop stalls (rendering a batch), reserved slots that
        # are all overdue would otherwise fire together as a burst.
        async with self._gate.turn(urgent):
            await self._sleep_until(self._last_grant + self._spacing)
            self._last_grant = self._clock()
            return self._last_grant

    async def _sleep_until(self, deadline: float) -> None:
        delay = deadline - self._clock()
        if delay > 0:
            await self._sleep(delay)


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
