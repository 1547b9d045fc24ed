"""/timezone Area/City: the zone in which this chat's alerts and previews show times."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.markup import esc
from bot.telegram.access import managers_only
from bot.telegram.arguments import command_argument
from bot.telegram.chats import register_chat
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import chat_of, message_of
from bot.timezones import timezone_name

logger = logging.getLogger(__name__)

EXAMPLE = "Europe/Berlin"
MAX_NAME = 64
"""Twice the longest IANA zone name (America/Argentina/ComodRivadavia has 32 characters)."""


@managers_only
async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    name = command_argument(message_of(update), limit=MAX_NAME)
    chat, _ = await register_chat(svc.store, chat_of(update))
    if not name:
        current = chat.timezone or svc.config.delivery.timezone
        await reply(
            update,
            f"Times here are shown in {esc(current)}. "
            f"Change it with <code>/timezone {EXAMPLE}</code>.",
        )
        return
    canonical = timezone_name(name)
    if canonical is None:
        await reply(
            update,
            f"I do not know the time zone <code>{esc(name)}</code>. Use an Area/City name "
            f"such as <code>{EXAMPLE}</code>, <code>Asia/Jerusalem</code> or <code>UTC</code>.",
        )
        return
    await svc.store.set_chat_timezone(chat.id, canonical)
    logger.info("chat %s set time zone %s", chat.id, canonical)
    await reply(update, f"Times here are now shown in {esc(canonical)}.")
