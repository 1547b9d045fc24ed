"""/list: the chat's topics with the numbers other commands take."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.markup import esc
from bot.store import SubscriptionRow
from bot.telegram import texts
from bot.telegram.handlers.frequency import frequency_note
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.updates import chat_of
from bot.timezones import chat_zone


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = chat_of(update)
    subs = await svc.store.list_subscriptions(chat.id)
    if not subs:
        await reply(update, texts.NO_SUBSCRIPTIONS)
        return
    stored = await svc.store.get_chat(chat.id)
    zone = chat_zone(stored.timezone if stored else None, svc.config.delivery.timezone)
    lines = [describe(sub) + scheduled_note(sub, zone) for sub in subs]
    await reply_lines(update, ["<b>Topics followed here</b>", *lines])


def describe(sub: SubscriptionRow) -> str:
    state = "paused" if sub.paused else "active"
    alerts = "1 alert" if sub.alerts == 1 else f"{sub.alerts} alerts"
    return f"{sub.number}. <code>{esc(sub.rule)}</code> — {state}, {alerts}"


def scheduled_note(sub: SubscriptionRow, zone: ZoneInfo) -> str:
    """ ", daily 08:00, next digest 4 Dec 08:00 CET" for a topic delivered as a digest; ''
    for one delivered as it happens (the default)."""
    return f", {frequency_note(sub.frequency, zone)}" if sub.frequency else ""
