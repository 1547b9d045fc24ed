"""/surge N [on|off]: show or change whether the chat (or the channel selected in it) is told
when one topic surges."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _, isolate
from bot.markup import esc
from bot.telegram.access import managers_only
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import ArgumentError, command_argument, echo, select_subscriptions
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
    on = _switch(how)
    await svc.store.set_surge(sub.id, on)
    logger.info("chat %s turned surge alerts of topic %s %s", chat.id, sub.id, how)
    await reply(update, f"{numbered(sub)} — {surge_state(on, svc.config.surges)}")


def _switch(word: str) -> bool:
    """ "on" or "off", in English or in the chat's language."""
    # TRANSLATORS: the words /surge 2 on and /surge 2 off take, typed by the user.
    if word in ("on", _("on").casefold()):
        return True
    if word in ("off", _("off").casefold()):
        return False
    refused = _("{word} is neither on nor off.").format(word=isolate(esc(repr(echo(word)))))
    raise ArgumentError(f"{refused}\n{usage()}")
