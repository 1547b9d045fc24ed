"""/frequency N [how often]: show or change how often one topic is delivered."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.i18n import _
from bot.markup import esc
from bot.schedule import (
    FREQUENCY_HELP,
    ScheduleError,
    parse_frequency,
)
from bot.store import SubscriptionRow
from bot.telegram.access import managers_only
from bot.telegram.arguments import ArgumentError
from bot.telegram.frequency_wording import frequency_note
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.topic_setting import topic_setting
from bot.telegram.topics import numbered

logger = logging.getLogger(__name__)

MAX_ARGUMENT = 64


def usage() -> str:
    """How to use the command, as HTML."""
    return _(
        "Say which topic and how often, e.g. <code>/frequency 2 daily 08:00</code> ({choices})."
    ).format(choices=esc(_(FREQUENCY_HELP)))


@managers_only
async def set_frequency(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    setting = await topic_setting(update, context, usage=usage(), limit=MAX_ARGUMENT)
    chat, sub = setting.chat, setting.topic
    zone, now = chat_settings(chat, svc.config.delivery).zone, svc.now()
    how = setting.asked.removeprefix("@")
    if not how:
        await reply(update, f"{topic_frequency(sub, sub.frequency, zone, now)}\n{usage()}")
        return
    try:
        frequency = parse_frequency(how)
    except ScheduleError as exc:
        raise ArgumentError(esc(str(exc))) from None
    await svc.store.set_frequency(sub.id, None if frequency.realtime else str(frequency))
    logger.info("chat %s set topic %s to %s", chat.id, sub.id, frequency)
    await reply(update, topic_frequency(sub, str(frequency), zone, now))


def topic_frequency(sub: SubscriptionRow, stored: str | None, zone: ZoneInfo, now: datetime) -> str:
    """ "#2 Azerbaijan — daily 08:00, next digest …." as HTML."""
    return _("{topic} — {frequency}.").format(
        topic=numbered(sub), frequency=frequency_note(stored, zone, now)
    )
