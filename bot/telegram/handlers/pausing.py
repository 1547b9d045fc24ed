"""/pause [N|RULE] and /resume [N|RULE]; without an argument they apply to every topic."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

import rules
from bot.i18n import _
from bot.telegram import texts
from bot.telegram.access import managers_only
from bot.telegram.arguments import command_argument, select_subscriptions
from bot.telegram.chats import topic_thread
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.topics import numbered
from bot.telegram.updates import chat_of, message_of

logger = logging.getLogger(__name__)


@managers_only
async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_paused(update, context, paused=True)


@managers_only
async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_paused(update, context, paused=False)


async def _set_paused(update: Update, context: ContextTypes.DEFAULT_TYPE, *, paused: bool) -> None:
    store = services(context).store
    chat_id = chat_of(update).id
    subs = await store.list_subscriptions(chat_id)
    if not subs:
        await reply(update, _(texts.NO_SUBSCRIPTIONS))
        return
    message = message_of(update)
    argument = command_argument(message, limit=rules.MAX_LENGTH)
    chosen = select_subscriptions(
        subs, argument, empty_means_all=True, thread_id=topic_thread(message)
    )
    for sub in chosen:
        await store.set_paused(sub.id, paused)
    logger.info("chat %s %s %d topic(s)", chat_id, "paused" if paused else "resumed", len(chosen))
    verb = "Paused" if paused else "Resumed"
    if argument:
        [sub] = chosen
        if sub.paused == paused:
            state = "paused" if paused else "active"
            await reply(update, f"{numbered(sub)} is already {state}.")
        else:
            await reply(update, f"{verb} {numbered(sub)}")
    else:
        await reply(update, f"{verb} all {len(chosen)} topic(s) of this chat.")
