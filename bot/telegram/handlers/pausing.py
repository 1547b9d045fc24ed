"""/pause [N|RULE] and /resume [N|RULE]; without an argument they apply to every topic."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

import rules
from bot.i18n import _, format_number, ngettext
from bot.store import SubscriptionRow
from bot.telegram import texts
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
async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_paused(update, context, paused=True)


@managers_only
async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_paused(update, context, paused=False)


async def _set_paused(update: Update, context: ContextTypes.DEFAULT_TYPE, *, paused: bool) -> None:
    store = services(context).store
    chat_id = (await acting_chat(update, context)).id
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
    await reply(update, _answer(chosen, paused=paused, one=bool(argument)))


def _answer(chosen: list[SubscriptionRow], *, paused: bool, one: bool) -> str:
    """What /pause or /resume did: to the one topic named (``chosen`` as it was before), or
    to every topic of the chat."""
    if not one:
        count = len(chosen)
        if paused:
            text = ngettext(
                "Paused {count} topic of this chat.",
                "Paused all {count} topics of this chat.",
                count,
            )
        else:
            text = ngettext(
                "Resumed {count} topic of this chat.",
                "Resumed all {count} topics of this chat.",
                count,
            )
        return text.format(count=format_number(count))
    [sub] = chosen
    topic = numbered(sub)
    if sub.paused == paused:
        already = _("{topic} is already paused.") if paused else _("{topic} is already active.")
        return already.format(topic=topic)
    return (_("Paused {topic}") if paused else _("Resumed {topic}")).format(topic=topic)
