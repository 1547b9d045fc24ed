"""/list: the chat's topics with the numbers other commands take."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.markup import esc
from bot.schedule import stored_quiet
from bot.store import SubscriptionRow
from bot.telegram import texts
from bot.telegram.handlers.frequency import frequency_note
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.topics import rule_code, thread_name
from bot.telegram.updates import chat_of
from bot.timezones import chat_zone


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = chat_of(update)
    subs = await svc.store.list_subscriptions(chat.id)
    if not subs:
        await reply(update, _(texts.NO_SUBSCRIPTIONS))
        return
    stored = await svc.store.get_chat(chat.id)
    zone = chat_zone(stored.timezone if stored else None, svc.config.delivery.timezone)
    forum = bool(chat.is_forum) or any(sub.thread_id is not None for sub in subs)
    lines = [describe(sub, forum=forum) + scheduled_note(sub, zone) for sub in subs]
    quiet = stored_quiet(stored.quiet if stored else None, svc.config.delivery.quiet_hours)
    if quiet:
        lines.append(f"Quiet hours: {esc(quiet)} ({esc(zone.key)}); /quiet changes them.")
    await reply_lines(update, ["<b>Topics followed here</b>", *lines])


def describe(sub: SubscriptionRow, *, forum: bool = False) -> str:
    """A /list line: the number commands take, the rule with its grouping shown, its state
    and, in a forum, the thread its alerts go to."""
    state = "paused" if sub.paused else "active"
    alerts = "1 alert" if sub.alerts == 1 else f"{sub.alerts} alerts"
    where = f", posts in {thread_name(sub.thread_id)}" if forum else ""
    return f"{sub.number}. {rule_code(sub.rule)} — {state}, {alerts}{where}"


def scheduled_note(sub: SubscriptionRow, zone: ZoneInfo) -> str:
    """ ", daily 08:00, next digest 4 Dec 08:00 CET" for a topic delivered as a digest; ''
    for one delivered as it happens (the default)."""
    return f", {frequency_note(sub.frequency, zone)}" if sub.frequency else ""
