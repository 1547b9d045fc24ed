"""/list: the chat's topics with the numbers other commands take."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _, format_number, isolate, ngettext
from bot.markup import esc
from bot.store import SubscriptionRow
from bot.telegram import texts
from bot.telegram.acting import acting_chat
from bot.telegram.chats import stored_settings
from bot.telegram.frequency_wording import frequency_note
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.topics import rule_code
from bot.telegram.updates import chat_of
from bot.timezones import zone_label


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    acting = await acting_chat(update, context)
    subs = await svc.store.list_subscriptions(acting.id)
    if not subs:
        await reply(update, _(texts.NO_SUBSCRIPTIONS))
        return
    settings = await stored_settings(svc, acting.id)
    forum = bool(chat_of(update).is_forum) or any(sub.thread_id is not None for sub in subs)
    now = svc.now()
    threads = await svc.store.thread_names(acting.id) if forum else {}
    lines = [
        surge_note(
            scheduled_note(describe(sub, forum=forum, threads=threads), sub, settings.zone, now),
            sub,
        )
        for sub in subs
    ]
    if settings.quiet:
        lines.append(
            _("Quiet hours: {hours} ({zone}); /quiet changes them.").format(
                hours=isolate(esc(settings.quiet)), zone=isolate(esc(zone_label(settings.zone.key)))
            )
        )
    await reply_lines(update, [_("<b>Topics followed here</b>"), *lines])


def describe(
    sub: SubscriptionRow, *, forum: bool = False, threads: Mapping[int, str] | None = None
) -> str:
    """A /list line: the number commands take, the rule with its grouping shown, its state
    and, in a forum, the thread its alerts go to: by its name when the bot saw the thread
    created or renamed (``threads``), else by its number."""
    alerts = ngettext("{count} alert", "{count} alerts", sub.alerts).format(
        count=format_number(sub.alerts)
    )
    state = (
        _("{number}. {rule} — paused, {alerts}")
        if sub.paused
        else _("{number}. {rule} — active, {alerts}")
    )
    line = state.format(number=sub.number, rule=isolate(rule_code(sub.rule)), alerts=alerts)
    if not forum:
        return line
    if sub.thread_id is None:
        # TRANSLATORS: "General" is the name Telegram gives a forum's first thread; name it
        # as the apps in your language do (the text "General" alone).
        return _("{line}, posts in General").format(line=line)
    name = (threads or {}).get(sub.thread_id)
    if name is None:
        return _("{line}, posts in thread {thread}").format(line=line, thread=sub.thread_id)
    # TRANSLATORS: {name} is the name the forum gave the thread, e.g. "News from Baku".
    return _("{line}, posts in the thread {name}").format(line=line, name=isolate(esc(name)))


def scheduled_note(line: str, sub: SubscriptionRow, zone: ZoneInfo, now: datetime) -> str:
    """``line`` followed by ", daily 08:00, next digest 4 Dec 08:00 CET" for a topic delivered
    as a digest; unchanged for one delivered as it happens (the default)."""
    if not sub.frequency:
        return line
    # TRANSLATORS: {schedule} is e.g. "daily 08:00, next digest 4 Dec 08:00 CET".
    return _("{line}, {schedule}").format(
        line=line, schedule=frequency_note(sub.frequency, zone, now)
    )


def surge_note(line: str, sub: SubscriptionRow) -> str:
    """``line`` followed by ", 📈 surge alerts" for a topic with surge alerts on (/surge)."""
    if not sub.surge:
        return line
    return _("{line}, 📈 surge alerts").format(line=line)
