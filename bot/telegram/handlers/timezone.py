"""/timezone Area/City: the zone in which this chat's alerts and previews show times."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.i18n import _, isolate
from bot.markup import esc
from bot.telegram.access import managers_only
from bot.telegram.arguments import command_argument
from bot.telegram.chats import register_chat
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import message_of
from bot.timezones import timezone_name

logger = logging.getLogger(__name__)

EXAMPLE = "Europe/Berlin"
MAX_NAME = 64
"""Twice the longest IANA zone name (America/Argentina/ComodRivadavia has 32 characters)."""


@managers_only
async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    name = command_argument(message_of(update), limit=MAX_NAME)
    chat, _returning = await register_chat(svc.store, update)
    if not name:
        current = chat_settings(chat, svc.config.delivery).zone.key
        await reply(
            update,
            _(
                "Times here are shown in {zone}. Change it with <code>/timezone {example}</code>."
            ).format(zone=isolate(esc(current)), example=EXAMPLE),
        )
        return
    canonical = timezone_name(name)
    if canonical is None:
        await reply(
            update,
            _(
                "I do not know the time zone <code>{name}</code>. Use an Area/City name "
                "such as <code>{example}</code>, <code>Asia/Jerusalem</code> or <code>UTC</code>."
            ).format(name=esc(name), example=EXAMPLE),
        )
        return
    await svc.store.set_chat_timezone(chat.id, canonical)
    logger.info("chat %s set time zone %s", chat.id, canonical)
    await reply(
        update, _("Times here are now shown in {zone}.").format(zone=isolate(esc(canonical)))
    )
