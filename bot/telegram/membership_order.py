"""The bot's membership changes in a chat, applied in the order they happened.

Updates are handled concurrently (``bot.telegram.app``), so a removal followed quickly by a
re-add (two ``my_chat_member`` updates of one chat) could be applied the other way round,
leaving a channel paused that the bot may post in. Each update is applied under one lock and
only when it is newer than the last one applied to its chat: by Telegram's ``date`` of the
change, then by ``update_id`` (Telegram numbers updates in the order it makes them), so two
changes within one second keep their order too. An older one arriving late is skipped.

Only a short past is kept: reordering spans the few updates handled at once, not hours.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

KEEP = timedelta(hours=1)
"""How long the last change applied to a chat is remembered, once many chats are."""
_SWEEP_AT = 1024


class MembershipOrder:
    """The last membership change applied to each chat, and the lock that applies them."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        """Held from the check (:meth:`take`) until the change is stored."""
        self._applied: dict[int, tuple[datetime, int]] = {}
        self._sweep_at = _SWEEP_AT

    def take(self, chat_id: int, date: datetime, update_id: int) -> bool:
        """Whether the change of ``chat_id`` made at ``date`` (update ``update_id``) is newer
        than the last one applied there; if so it counts as applied from now on. Call it with
        :attr:`lock` held, and keep it until the change is stored."""
        stamp = (date, update_id)
        last = self._applied.get(chat_id)
        if last is not None and stamp <= last:
            return False
        self._applied[chat_id] = stamp
        self._forget_old(date)
        return True

    def _forget_old(self, now: datetime) -> None:
        """Drop the chats last changed long ago, now and then, so memory stays bounded."""
        if len(self._applied) < self._sweep_at:
            return
        old = [chat for chat, (date, _id) in self._applied.items() if now - date > KEEP]
        for chat in old:
            del self._applied[chat]
        self._sweep_at = max(_SWEEP_AT, 2 * len(self._applied))
