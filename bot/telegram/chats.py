"""Facts about the chat a command came from: its stored row and its forum topic."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Chat, Message

from bot.store import AsyncStore, ChatRow
from bot.timezones import chat_zone

logger = logging.getLogger(__name__)


async def register_chat(store: AsyncStore, chat: Chat) -> tuple[ChatRow, bool]:
    """Store the chat, reactivating it; returns the row and whether it had been inactive.

    A chat goes inactive when Telegram reports the bot blocked; the store then pauses its
    subscriptions, and ``upsert_chat`` resumes exactly those (not the ones paused by hand).
    """
    before = await store.get_chat(chat.id)
    row = await store.upsert_chat(chat.id, type=chat.type, title=chat.title)
    returning = before is not None and not before.active
    if returning:
        logger.info("chat %s is back; its subscriptions resume", chat.id)
    return row, returning


async def stored_zone(store: AsyncStore, chat_id: int, default: str) -> ZoneInfo:
    """The time zone the chat chose with /timezone, else ``default`` (the config's)."""
    row = await store.get_chat(chat_id)
    return chat_zone(row.timezone if row else None, default)


def topic_thread(message: Message) -> int | None:
    """The forum topic a message was posted in; None outside forum topics.

    In ordinary groups ``message_thread_id`` names a reply chain, not a place alerts can go.
    """
    return message.message_thread_id if message.is_topic_message else None
