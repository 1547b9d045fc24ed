"""/status: the operator's glance at the process, feeds, chats and delivery, without opening
the database."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from telegram import Update
from telegram.ext import ContextTypes

from bot import installed_version
from bot.i18n import _, format_duration, format_number, format_when, ngettext
from bot.ops.activity import Activity
from bot.store import RecentSends, StoreStats
from bot.telegram import texts
from bot.telegram.access import bot_admins_only
from bot.telegram.chats import stored_settings
from bot.telegram.feed_lines import feed_line
from bot.telegram.replies import reply_lines
from bot.telegram.services import services
from bot.telegram.updates import chat_of

RECENT = timedelta(hours=1)
"""How far back "alerts sent lately" and their latency look."""
BEHIND = timedelta(minutes=1)
"""How long the oldest alert due must have waited for /status to say so: the sender looks
every few seconds, so a shorter wait is no news."""


@bot_admins_only
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    store = svc.store
    now = svc.now()
    stats = await store.stats(now=now)
    zone = (await stored_settings(svc, chat_of(update).id)).zone
    lines = [
        _("<b>Status</b>"),
        *_process_lines(svc.activity, stats, zone, now),
        _("Storage: {state}").format(state=texts.storage_state(store.health)),
        ngettext(
            "Feeds: {total} ({count} failing)",
            "Feeds: {total} ({count} failing)",
            stats.feeds_failing,
        ).format(total=format_number(stats.feeds), count=format_number(stats.feeds_failing)),
        *_search_lines(stats),
        ngettext(
            "Chats' own feeds: {total} ({count} failing)",
            "Chats' own feeds: {total} ({count} failing)",
            stats.chat_feeds_failing,
        ).format(
            total=format_number(stats.chat_feeds), count=format_number(stats.chat_feeds_failing)
        ),
        _("Chats: {count}").format(count=format_number(stats.chats)),
        ngettext(
            "Topics: {total} ({count} paused)",
            "Topics: {total} ({count} paused)",
            stats.subscriptions_paused,
        ).format(
            total=format_number(stats.subscriptions),
            count=format_number(stats.subscriptions_paused),
        ),
        _("Articles stored: {count}").format(count=format_number(stats.articles)),
        *_outbox_lines(stats, now),
        *_recent_lines(await store.recent_sends(now - RECENT)),
    ]
    feeds = await store.shared_feeds()  # a chat's own feeds are that chat's to look after
    failing = [feed for feed in feeds if feed.error_count]
    if failing:
        lines.append(_("<b>Failing feeds</b>"))
        lines += [
            "• "
            + ngettext(
                "{feed} ({count} in a row)", "{feed} ({count} in a row)", feed.error_count
            ).format(feed=feed_line(feed), count=format_number(feed.error_count))
            for feed in failing
        ]
    teasers = [feed for feed in feeds if feed.fulltext_failures]
    if teasers:
        lines.append(_("<b>Article pages that could not be read</b> (feed text used instead)"))
        lines += [
            f"• {feed_line(feed)}: {format_number(feed.fulltext_failures)}" for feed in teasers
        ]
    await reply_lines(update, lines)


def _process_lines(activity: Activity, stats: StoreStats, zone: tzinfo, now: datetime) -> list[str]:
    """Whether the bot is alive: which release runs and for how long, when it last polled a
    feed (in the chat's zone), and when Telegram last answered it."""
    running = format_duration((now - activity.started_at).total_seconds())
    last_poll = (
        _("Last poll: {time}").format(time=format_when(stats.last_poll_at, zone))
        if stats.last_poll_at
        else _("Last poll: none yet")
    )
    return [
        _("Version {version}, running for {duration}").format(
            version=installed_version(), duration=running
        ),
        last_poll,
        _telegram_line(activity),
    ]


def _outbox_lines(stats: StoreStats, now: datetime) -> list[str]:
    """What waits (and how long the oldest alert due has waited), and how today's alerts
    reached their chats: a story's copy is either named on its first alert or sent on its
    own, and this says which."""
    pending, scheduled = stats.outbox_pending, stats.outbox_scheduled
    if scheduled:
        waiting = ngettext(
            "Outbox: {waiting} waiting ({count} of them for a digest not due yet)",
            "Outbox: {waiting} waiting ({count} of them for a digest not due yet)",
            scheduled,
        ).format(waiting=format_number(pending), count=format_number(scheduled))
    else:
        waiting = ngettext("Outbox: {count} waiting", "Outbox: {count} waiting", pending).format(
            count=format_number(pending)
        )
    parts = [
        waiting,
        ngettext("{count} failed", "{count} failed", stats.outbox_failed).format(
            count=format_number(stats.outbox_failed)
        ),
    ]
    if stats.outbox_copies_waiting:
        parts.append(
            _("story copies waiting for their first alert: {count}").format(
                count=format_number(stats.outbox_copies_waiting)
            )
        )
    ways = [
        (_("as a message of their own"), stats.alone_today),
        (_("in digests"), stats.digested_today),
        (_('named as "Also:" on their story\'s first alert'), stats.also_today),
        (
            _("story copies their first alert could not name, on their own"),
            stats.copies_alone_today,
        ),
    ]
    if stats.oldest_due is not None and now - stats.oldest_due >= BEHIND:
        parts.append(
            _("the oldest due for {duration}").format(
                duration=format_duration((now - stats.oldest_due).total_seconds())
            )
        )
    shown = [f"• {how}: {format_number(count)}" for how, count in ways if count]
    sent = _("Alerts sent today: {count}").format(count=format_number(stats.sent_today))
    return [", ".join(parts), sent, *shown]


def _recent_lines(recent: RecentSends) -> list[str]:
    """Alerts sent in the last hour, and how long those sent as they happen took: from being
    queued (the poll that found them) and from their article's publication."""
    lines = [_("Alerts sent in the last hour: {count}").format(count=format_number(recent.count))]
    latencies = [
        (_("queued → sent"), recent.from_stored),
        (_("published → sent"), recent.from_published),
    ]
    lines += [
        "• "
        + _("{what}: p50 {p50}, p95 {p95}").format(
            what=what,
            p50=format_duration(latency.p50, short=True),
            p95=format_duration(latency.p95, short=True),
        )
        for what, latency in latencies
        if latency is not None
    ]
    return lines


def _telegram_line(activity: Activity) -> str:
    """When Telegram last answered the bot: a long silence means the Bot API is unreachable."""
    seconds = activity.seconds_since_reached()
    if seconds is None:
        return _("Telegram has not answered yet")
    return _("Telegram last answered {duration} ago").format(duration=format_duration(seconds))


def _search_lines(stats: StoreStats) -> list[str]:
    """How many of the feeds are topics' news searches, when there are any."""
    if not stats.feeds_search:
        return []
    return [_("News searches among them: {count}").format(count=format_number(stats.feeds_search))]
