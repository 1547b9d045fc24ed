"""The bot removed from a group, or blocked in a private chat: the chat goes inactive.

Telegram tells the bot itself with a ``my_chat_member`` update. Waiting for the next alert's 403
would leave the chat's topics active (matched, queued) until then, and its operators untold of
it; so the chat goes inactive now, its topics paused as the sender pauses them on a 403, and
/start (or /subscribe and the other commands that register a chat) brings them back.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from bot.telegram.services import services

logger = logging.getLogger(__name__)

_GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})
"""The bot's statuses in a chat that cannot hear from it: kicked (or blocked), or left."""


async def bot_member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in _GONE:
        return
    chat_id = change.chat.id
    logger.info("the bot was removed from or blocked in chat %s; pausing it", chat_id)
    await services(context).store.set_chat_active(chat_id, False)
