"""/surge N [on|off]: show or change whether the chat (or the channel selected in it) is told
when one topic surges."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.telegram.access import managers_only
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import (
    ArgumentError,
    command_argument,
    on_or_off,
    select_subscriptions,
)
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.surge_wording import surge_state
from bot.telegram.topics import numbered
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)

MAX_ARGUMENT = 32


def usage() -> str:
    """How to use the command, as HTML."""
    return _(
        "Say which topic, and on or off: <code>/surge 2 on</code> tells you when topic 2 "
        "suddenly has far more stories than usual."
    )


@managers_only
async def set_surge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    acting = await acting_chat(update, context)
    number, _space, how = command_argument(message_of(update), limit=MAX_ARGUMENT).partition(" ")
    if not number:
        raise ArgumentError(usage())
    chat = await acting.row(svc, update)
    subs = await svc.store.list_subscriptions(chat.id)
    [sub] = select_subscriptions(subs, number, empty_means_all=False)
    how = how.strip().casefold()
    if not how:
        state = surge_state(sub.surge, svc.config.surges)
        await reply(update, f"{numbered(sub)} — {state}\n{usage()}")
        return
    on = on_or_off(how, usage())
    await svc.store.set_surge(sub.id, on)
    logger.info("chat %s turned surge alerts of topic %s %s", chat.id, sub.id, how)
    await reply(update, f"{numbered(sub)} — {surge_state(on, svc.config.surges)}")
