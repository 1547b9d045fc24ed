"""/quiet HH:MM-HH:MM [silent] | off: the hours in which this chat gets no buzz."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.i18n import _, isolate
from bot.markup import esc
from bot.schedule import OFF, ScheduleError, parse_quiet
from bot.telegram.access import managers_only
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import ArgumentError, command_argument
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import message_of
from bot.timezones import zone_label

logger = logging.getLogger(__name__)

MAX_ARGUMENT = 40


def usage() -> str:
    """How to set quiet hours, as HTML."""
    return _(
        "Set them with <code>/quiet 22:00-07:00</code> (alerts wait and come as one digest when "
        "they end) or <code>/quiet 22:00-07:00 silent</code> (alerts come without a sound); "
        "<code>/quiet off</code> ends them."
    )


@managers_only
async def set_quiet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    acting = await acting_chat(update, context)
    argument = command_argument(message_of(update), limit=MAX_ARGUMENT)
    chat = await acting.row(svc, update)
    settings = chat_settings(chat, svc.config.delivery)
    zone = isolate(esc(zone_label(settings.zone.key)))
    if not argument:
        quiet = settings.quiet
        if quiet is None:
            now = _("No quiet hours.")
        elif quiet.silent:
            now = _("Quiet hours here: {hours} silent ({zone}).").format(
                hours=quiet.span, zone=zone
            )
        else:
            now = _("Quiet hours here: {hours} ({zone}).").format(hours=quiet.span, zone=zone)
        await reply(update, f"{now}\n{usage()}")
        return
    try:
        quiet = parse_quiet(argument)
    except ScheduleError as exc:
        raise ArgumentError(esc(str(exc))) from None
    await svc.store.set_chat_quiet(chat.id, str(quiet) if quiet else OFF)
    logger.info("chat %s set quiet hours %s", chat.id, quiet)
    if quiet is None:
        await reply(update, _("No quiet hours any more: alerts come as they happen."))
    elif quiet.silent:
        await reply(
            update,
            _("Quiet hours {hours} silent ({zone}): alerts then arrive without a sound.").format(
                hours=quiet.span, zone=zone
            ),
        )
    else:
        await reply(
            update,
            _(
                "Quiet hours {hours} ({zone}): alerts then wait, and come as one digest "
                "when they end."
            ).format(hours=quiet.span, zone=zone),
        )
