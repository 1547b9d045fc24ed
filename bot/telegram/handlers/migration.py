"""A group upgraded to a supergroup gets a new chat id; its topics must move with it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.services import services
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)


async def chat_migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = message_of(update)
    old_id, new_id = message.chat.id, message.migrate_to_chat_id
    if new_id is None:  # MIGRATE also matches the supergroup's "migrated from" message
        return
    logger.info("chat %s became supergroup %s", old_id, new_id)
    await services(context).store.migrate_chat(old_id, new_id)
