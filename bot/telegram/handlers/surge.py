"""/surge N [on|off]: show or change whether the chat (or the channel selected in it) is told
when one topic surges."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.telegram.access import managers_only
from bot.telegram.arguments import on_or_off
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.surge_wording import surge_state
from bot.telegram.topic_setting import topic_setting
from bot.telegram.topics import numbered

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
    setting = await topic_setting(update, context, usage=usage(), limit=MAX_ARGUMENT)
    chat, sub, how = setting.chat, setting.topic, setting.asked.casefold()
    if not how:
        state = surge_state(sub.surge, svc.config.surges)
        await reply(update, f"{numbered(sub)} — {state}\n{usage()}")
        return
    on = on_or_off(how, usage())
    await svc.store.set_surge(sub.id, on)
    logger.info("chat %s turned surge alerts of topic %s %s", chat.id, sub.id, how)
    await reply(update, f"{numbered(sub)} — {surge_state(on, svc.config.surges)}")
