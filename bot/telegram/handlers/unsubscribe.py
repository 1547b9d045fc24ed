"""/unsubscribe N|RULE (also /unsub, /remove)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

import rules
from bot.i18n import _
from bot.telegram.access import managers_only
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import command_argument, select_subscriptions
from bot.telegram.chats import topic_thread
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.topics import numbered
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)


@managers_only
async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    store = services(context).store
    chat_id = (await acting_chat(update, context)).id
    subs = await store.list_subscriptions(chat_id)
    argument = command_argument(message_of(update), limit=rules.MAX_LENGTH)
    thread_id = topic_thread(message_of(update))
    [sub] = select_subscriptions(subs, argument, empty_means_all=False, thread_id=thread_id)
    await store.remove_subscription(sub.id)
    logger.info("chat %s unsubscribed from %r", chat_id, sub.canonical)
    await reply(update, _("Stopped following {topic}").format(topic=numbered(sub)))
