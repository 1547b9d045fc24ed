"""/timezone PLACE: the zone in which this chat's alerts and previews show times.

A city, a country, an offset or an IANA name (``bot.timezones.find_zone``); a country with
several zones, or an offset no fixed zone has, is answered with the zones to choose from, and
a name the bot does not know with the names most like it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.i18n import _, format_zone_city, isolate
from bot.markup import esc
from bot.telegram.access import managers_only
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import command_argument
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import message_of
from bot.timezones import find_zone, is_fixed_offset, utc_offset, zone_label

logger = logging.getLogger(__name__)

EXAMPLE = "Europe/Berlin"
MAX_NAME = 64
"""Twice the longest IANA zone name (America/Argentina/ComodRivadavia has 32 characters)."""


@managers_only
async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    acting = await acting_chat(update, context)
    name = command_argument(message_of(update), limit=MAX_NAME)
    chat = await acting.row(svc, update)
    if not name:
        current = chat_settings(chat, svc.config.delivery).zone.key
        await reply(
            update,
            _(
                "Times here are shown in {zone}. Change it with <code>/timezone {example}</code>."
            ).format(zone=isolate(esc(zone_label(current))), example=EXAMPLE),
        )
        return
    now = svc.now()
    found = await asyncio.to_thread(find_zone, name, now)  # CLDR's names, read once, and difflib
    if len(found.zones) == 1:
        [zone] = found.zones
        await svc.store.set_chat_timezone(chat.id, zone)
        logger.info("chat %s set time zone %s", chat.id, zone)
        await reply(update, chosen(zone))
    elif found.zones:
        await reply(update, choices(name, found.zones, now))
    else:
        await reply(update, unknown(name, found.close))


def chosen(zone: str) -> str:
    """The reply to a zone set, as HTML; for a fixed offset, that it keeps no daylight saving."""
    text = _("Times here are now shown in {zone}.").format(zone=isolate(esc(zone_label(zone))))
    if is_fixed_offset(zone):
        text += "\n" + _(
            "That is a fixed offset: it does not follow daylight saving. To keep a place's "
            "clocks, send its city or country instead."
        )
    return text


def choices(name: str, zones: tuple[str, ...], now: datetime) -> str:
    """The zones a country or an offset may mean, each with the command that picks it."""
    lines = [
        _("<code>{name}</code> may mean several time zones; send one of these:").format(
            name=esc(name)
        )
    ]
    lines += [
        f"{isolate(f'<code>/timezone {esc(zone)}</code>')} — "
        f"{esc(format_zone_city(zone))}, {isolate(utc_offset(zone, now))}"
        for zone in zones
    ]
    return "\n".join(lines)


def unknown(name: str, close: tuple[str, ...]) -> str:
    """No zone by that name: the names most like it, and what the command takes."""
    lines = [_("I do not know the time zone <code>{name}</code>.").format(name=esc(name))]
    if close:
        lines.append(_("Did you mean:"))
        lines += [isolate(f"<code>/timezone {esc(near)}</code>") for near in close]
    lines.append(
        _(
            "Send a city or a country (<code>Berlin</code>, <code>Israel</code>), an offset "
            "(<code>UTC+3</code>) or an Area/City name such as <code>{example}</code>."
        ).format(example=EXAMPLE)
    )
    return "\n".join(lines)
