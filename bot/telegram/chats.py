"""Facts about the chat a command came from: its stored row and its forum topic."""

from __future__ import annotations

import logging

from telegram import Chat, Message

from bot.store import AsyncStore, ChatRow

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


def topic_thread(message: Message) -> int | None:
    """The forum topic a message was posted in; None outside forum topics.

    In ordinary groups ``message_thread_id`` names a reply chain, not a place alerts can go.
    """
    return message.message_thread_id if message.is_topic_message else None
