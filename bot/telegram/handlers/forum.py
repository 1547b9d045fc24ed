"""A forum's thread created or renamed: its name is kept for /list, which has no other way to
learn it (the Bot API gives thread names only in these service messages)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.services import services
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)


async def thread_named(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = message_of(update)
    change = message.forum_topic_created or message.forum_topic_edited
    thread_id = message.message_thread_id
    if change is None or change.name is None or thread_id is None:
        return  # an edit of the icon alone leaves the name as it was
    logger.info("chat %s thread %s is named %r", message.chat.id, thread_id, change.name)
    await services(context).store.name_thread(message.chat.id, thread_id, change.name)
