"""/quiet HH:MM-HH:MM [silent] | off: the hours in which this chat gets no buzz."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.markup import esc
from bot.schedule import OFF, ScheduleError, parse_quiet, stored_quiet
from bot.telegram.access import managers_only
from bot.telegram.arguments import ArgumentError, command_argument
from bot.telegram.chats import register_chat
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import message_of
from bot.timezones import chat_zone

logger = logging.getLogger(__name__)

MAX_ARGUMENT = 40
USAGE = (
    "Set them with <code>/quiet 22:00-07:00</code> (alerts wait and come as one digest when "
    "they end) or <code>/quiet 22:00-07:00 silent</code> (alerts come without a sound); "
    "<code>/quiet off</code> ends them."
)


@managers_only
async def set_quiet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    argument = command_argument(message_of(update), limit=MAX_ARGUMENT)
    chat, _ = await register_chat(svc.store, update)
    zone = chat_zone(chat.timezone, svc.config.delivery.timezone).key
    if not argument:
        quiet = stored_quiet(chat.quiet, svc.config.delivery.quiet_hours)
        now = f"Quiet hours here: {esc(quiet)} ({esc(zone)})." if quiet else "No quiet hours."
        await reply(update, f"{now}\n{USAGE}")
        return
    try:
        quiet = parse_quiet(argument)
    except ScheduleError as exc:
        raise ArgumentError(esc(str(exc))) from None
    await svc.store.set_chat_quiet(chat.id, str(quiet) if quiet else OFF)
    logger.info("chat %s set quiet hours %s", chat.id, quiet)
    if quiet is None:
        await reply(update, "No quiet hours any more: alerts come as they happen.")
    elif quiet.silent:
        await reply(
            update,
            f"Quiet hours {esc(quiet)} ({esc(zone)}): alerts then arrive without a sound.",
        )
    else:
        await reply(
            update,
            f"Quiet hours {esc(quiet)} ({esc(zone)}): alerts then wait, and come as one digest "
            "when they end.",
        )
