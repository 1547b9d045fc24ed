"""Facts about the chat a command came from: its stored row and its forum topic."""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.chat_settings import ChatSettings, chat_settings
from bot.store import AsyncStore, ChatRow
from bot.telegram.services import HandlerDeps
from bot.telegram.updates import chat_of

logger = logging.getLogger(__name__)


async def register_chat(store: AsyncStore, update: Update) -> tuple[ChatRow, bool]:
    """Store the update's chat, reactivating it; returns the row and whether it had been
    inactive. The sender's Telegram language is kept as the chat's default language.

    A chat goes inactive when Telegram reports the bot blocked; the store then pauses its
    subscriptions, and ``upsert_chat`` resumes exactly those (not the ones paused by hand).
    """
    chat, user = chat_of(update), update.effective_user
    before = await store.get_chat(chat.id)
    row = await store.upsert_chat(
        chat.id,
        type=chat.type,
        title=chat.title,
        telegram_language=user.language_code if user else None,
    )
    returning = before is not None and not before.active
    if returning:
        logger.info("chat %s is back; its subscriptions resume", chat.id)
    return row, returning


async def stored_settings(svc: HandlerDeps, chat_id: int) -> ChatSettings:
    """The settings of the chat ``chat_id`` as stored (the config's when it is not)."""
    return chat_settings(await svc.store.get_chat(chat_id), svc.config.delivery)


def topic_thread(message: Message) -> int | None:
    """The forum topic a message was posted in; None outside forum topics.

    In ordinary groups ``message_thread_id`` names a reply chain, not a place alerts can go.
    """
    return message.message_thread_id if message.is_topic_message else None
