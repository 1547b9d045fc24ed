"""A group upgraded to a supergroup gets a new chat id; its topics must move with it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.services import services

logger = logging.getLogger(__name__)


async def chat_migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    old_id, new_id = message.chat.id, message.migrate_to_chat_id
    if new_id is None:  # app.py's filter lets only the old group's "migrated to" through
        return
    logger.info("chat %s became supergroup %s", old_id, new_id)
    await services(context).store.migrate_chat(old_id, new_id)
