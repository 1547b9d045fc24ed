"""The bot removed from a chat, blocked, or in a channel no longer allowed to post: the chat goes
inactive; in a channel allowed to post again, it comes back.

Telegram tells the bot itself with a ``my_chat_member`` update. Waiting for the next alert's 403
would leave the chat's topics active (matched, queued) until then, and its operators untold of
it; so the chat goes inactive now, its topics paused as the sender pauses them on a 403, and
/start (or /subscribe and the other commands that register a chat) brings them back. A
channel has nobody to send /start in it: the bot made an administrator allowed to post there
again brings it back, and the people who linked it (``/channel``) are told of both
(``bot.telegram.channel_state``). Changes of one chat are applied in the order they
happened, however the concurrent handling delivers them (``bot.telegram.membership_order``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.config import DeliveryConfig
from bot.store import AsyncStore
from bot.telegram.channel_state import can_post, tell_paused, tell_resumed
from bot.telegram.membership_order import MembershipOrder
from bot.telegram.services import services

logger = logging.getLogger(__name__)

_GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})
"""The bot's statuses in a chat that cannot hear from it: kicked (or blocked), or left."""
_ORDER = "membership_order"
"""bot_data key: the :class:`MembershipOrder` of this Application."""

Tell = Callable[[Bot, AsyncStore, DeliveryConfig, int], Awaitable[None]]
"""Tells a channel's linkers of its change (``bot.telegram.channel_state``)."""


async def bot_member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None:
        return
    svc, chat_id = services(context), change.chat.id
    order: MembershipOrder = context.bot_data.setdefault(_ORDER, MembershipOrder())
    async with order.lock:  # applied one at a time, in the order they happened
        if not order.take(chat_id, change.date, update.update_id):
            logger.info("ignoring a membership change of chat %s older than one applied", chat_id)
            return
        tell = await _apply(change, context)
    if tell is not None:  # told outside the lock: a notice waits for its send slot
        await tell(context.bot, svc.store, svc.config.delivery, chat_id)


async def _apply(change: ChatMemberUpdated, context: ContextTypes.DEFAULT_TYPE) -> Tell | None:
    """Store what ``change`` means for its chat; who must be told of it, if anyone."""
    if change.chat.type == ChatType.CHANNEL:
        return await _channel_rights_changed(change, context)
    if change.new_chat_member.status in _GONE:
        chat_id = change.chat.id
        logger.info("the bot was removed from or blocked in chat %s; pausing it", chat_id)
        await services(context).store.set_chat_active(chat_id, False)
    return None


async def _channel_rights_changed(
    change: ChatMemberUpdated, context: ContextTypes.DEFAULT_TYPE
) -> Tell | None:
    """A channel the bot knows pauses when the bot may no longer post there, and resumes when
    it may again; a channel never linked is left to ``/channel``."""
    svc = services(context)
    chat_id = change.chat.id
    if await svc.store.get_chat(chat_id) is None:
        return None
    posting = can_post(change.new_chat_member)
    if not await svc.store.set_chat_active(chat_id, posting):
        return None
    logger.info(
        "the bot %s post in channel %s; %s it",
        "may" if posting else "may no longer",
        chat_id,
        "resuming" if posting else "pausing",
    )
    return tell_resumed if posting else tell_paused
