"""Fair use: replies keep to Telegram's flood limits, and one person cannot take every turn.

Two mechanisms, one per question:

* :class:`PacedReplies` — every message the Application sends (replies to commands, edits
  after a button press) waits for a slot of the same :class:`~bot.delivery.Pacer` that paces
  alerts, as an urgent wait, so it goes ahead of queued alerts and a burst of replies can no
  longer draw 429s from Telegram. The OutboxSender paces its alerts itself and sends them
  through the same bot, from a task started in :func:`paced_by_caller`'s context, where
  PacedReplies lets requests straight through: no alert waits for two slots. What such a
  task sends that it did not pace itself (a channel's linkers told of a refused post) is sent
  within :func:`paced_as_reply`, so it waits for its slot like a reply.
* :class:`CommandLimiter` — at most ``commands_per_minute`` commands per person over a sliding
  minute; past it, one polite "slow down" reply per episode and the rest ignored, so a flood
  from one person costs others nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import RetryAfter, TelegramError
from telegram.ext import ApplicationHandlerStop, BaseRateLimiter, ContextTypes

from bot.delivery.pacing import Pacer, retry_after_seconds
from bot.i18n import _, format_number
from bot.ops.activity import Activity, TelegramAnswer
from bot.telegram import texts
from bot.telegram.replies import reply

logger = logging.getLogger(__name__)

_PACED_PREFIXES = ("send", "edit", "copy", "forward")
"""Bot API methods that put a message into a chat (sendMessage, editMessageText, …).
Others (answerCallbackQuery, getChatMember, setMyCommands) count against no flood limit."""
WINDOW_SECONDS = 60.0
_PACED_BY_CALLER: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "paced_by_caller", default=False
)


def paced_by_caller() -> contextvars.Context:
    """A context for a task that waits for its own Pacer slots (the OutboxSender): requests
    made from it, and from the tasks it starts, are not paced again by :class:`PacedReplies`."""
    context = contextvars.copy_context()
    context.run(_PACED_BY_CALLER.set, True)
    return context


@contextlib.contextmanager
def paced_as_reply() -> Iterator[None]:
    """Messages sent within the block wait for an urgent slot as replies do, even from a task
    of :func:`paced_by_caller`'s context: for a message its caller did not pace itself.

    The delivery task paces only its alerts; a notice it sends on the way (a channel's linkers
    told that a post was refused, ``bot.telegram.channel_state``) would otherwise reach
    Telegram unpaced, and a 429 answer to it would lose the notice."""
    token = _PACED_BY_CALLER.set(False)
    try:
        yield
    finally:
        _PACED_BY_CALLER.reset(token)


class PacedReplies(BaseRateLimiter[None]):
    """PTB's hook for every Bot API request of the Application's bot: a message into a chat
    waits for an urgent slot of ``pacer``, unless the caller paced it (:func:`paced_by_caller`).
    Every request's answer is reported to ``activity``, the one place that counts them.
    """

    def __init__(self, pacer: Pacer, activity: Activity) -> None:
        self.pacer = pacer
        self.activity = activity

    async def initialize(self) -> None:
        """Nothing to set up: the Pacer lives as long as the process."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        paced = endpoint.startswith(_PACED_PREFIXES) and not _PACED_BY_CALLER.get()

        async def request() -> bool | dict[str, Any] | list[dict[str, Any]]:
            try:
                answer = await callback(*args, **kwargs)
            except TelegramError as exc:
                self.activity.answered(endpoint, TelegramAnswer.of(exc))
                raise
            self.activity.answered(endpoint, TelegramAnswer.OK)
            return answer

        if not (paced and isinstance(chat_id, int)):
            return await request()
        await self.pacer.wait(chat_id, urgent=True)
        try:
            return await request()
        except RetryAfter as exc:
            # Only when Telegram counts differently from us (another process on the token).
            self.pacer.hold(chat_id, retry_after_seconds(exc))
            await self.pacer.wait(chat_id, urgent=True)
            return await request()


class CommandLimiter:
    """The per-person command limit; registered as a handler that runs before the commands.

    Counts what asks the bot for an answer: commands, text in a private chat and button
    presses. An update over the limit is dropped (``ApplicationHandlerStop``) and does not
    count, so the limit lifts a minute after the last answered command at the latest. The
    first dropped update of an episode gets :data:`texts.SLOW_DOWN`; the episode ends with the
    next update that is answered.
    """

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        """``per_minute`` 0 turns the limit off."""
        self.per_minute = per_minute
        self._clock = clock
        self._answered: dict[int, deque[float]] = {}
        """Person → when their answered updates of the last minute arrived."""
        self._slowed: set[int] = set()
        """People told to slow down in their current episode."""
        self._sweep_at = 1024

    def allows(self, user_id: int) -> bool:
        """Record an update from ``user_id``; whether it is within their limit."""
        if not self.per_minute:
            return True
        now = self._clock()
        answered = self._answered.setdefault(user_id, deque())
        while answered and now - answered[0] >= WINDOW_SECONDS:
            answered.popleft()
        if len(answered) >= self.per_minute:
            return False
        answered.append(now)
        self._slowed.discard(user_id)
        self._forget_idle(now)
        return True

    def wait_seconds(self, user_id: int) -> int:
        """Whole seconds until ``user_id`` may send a command again."""
        answered = self._answered.get(user_id)
        if not answered:
            return 0
        return max(1, math.ceil(answered[0] + WINDOW_SECONDS - self._clock()))

    def first_refusal(self, user_id: int) -> bool:
        """Whether this refusal starts an episode (and so deserves the one reply)."""
        first = user_id not in self._slowed
        self._slowed.add(user_id)
        return first

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None or not _asks_for_answer(update) or self.allows(user.id):
            return
        if self.first_refusal(user.id):
            wait = self.wait_seconds(user.id)
            logger.info("user %s is over %d commands a minute", user.id, self.per_minute)
            text = _(texts.SLOW_DOWN).format(
                limit=format_number(self.per_minute), seconds=format_number(wait)
            )
            if update.callback_query:
                await update.callback_query.answer(text)
            else:
                await reply(update, text)
        elif update.callback_query:
            await update.callback_query.answer()  # stops the button's spinner, says nothing
        raise ApplicationHandlerStop

    def _forget_idle(self, now: float) -> None:
        """Drop people with nothing in their window, now and then, so memory stays bounded."""
        if len(self._answered) < self._sweep_at:
            return
        idle = [u for u, seen in self._answered.items() if now - seen[-1] >= WINDOW_SECONDS]
        for user_id in idle:
            del self._answered[user_id]
            self._slowed.discard(user_id)
        self._sweep_at = max(1024, 2 * len(self._answered))


def _asks_for_answer(update: Update) -> bool:
    if update.callback_query is not None:
        return True
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or update.edited_message is not None:
        return False
    is_command = bool(message.text and message.text.startswith("/"))
    return is_command or chat.type == ChatType.PRIVATE
