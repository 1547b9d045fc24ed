"""/status: the operator's glance at feeds, chats and delivery, without opening the database."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _, format_number, ngettext
from bot.store import StoreStats
from bot.telegram.access import bot_admins_only
from bot.telegram.handlers.feeds import describe
from bot.telegram.replies import reply_lines
from bot.telegram.services import services


@bot_admins_only
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    store = services(context).store
    stats = await store.stats()
    lines = [
        _("<b>Status</b>"),
        ngettext(
            "Feeds: {total} ({count} failing)",
            "Feeds: {total} ({count} failing)",
            stats.feeds_failing,
        ).format(total=format_number(stats.feeds), count=format_number(stats.feeds_failing)),
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
        *_outbox_lines(stats),
        _("Storage: {state}").format(state=store.health.describe()),
    ]
    feeds = await store.list_feeds()
    failing = [feed for feed in feeds if feed.error_count]
    if failing:
        lines.append(_("<b>Failing feeds</b>"))
        lines += [
            "• "
            + ngettext(
                "{feed} ({count} in a row)", "{feed} ({count} in a row)", feed.error_count
            ).format(feed=describe(feed), count=format_number(feed.error_count))
            for feed in failing
        ]
    teasers = [feed for feed in feeds if feed.fulltext_failures]
    if teasers:
        lines.append(_("<b>Article pages that could not be read</b> (feed text used instead)"))
        lines += [
            f"• {describe(feed)}: {format_number(feed.fulltext_failures)}" for feed in teasers
        ]
    await reply_lines(update, lines)


def _outbox_lines(stats: StoreStats) -> list[str]:
    """What waits, and how today's alerts reached their chats: a story's copy is either named
    on its first alert or sent on its own, and this says which."""
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
    shown = [f"• {how}: {format_number(count)}" for how, count in ways if count]
    sent = _("Alerts sent today: {count}").format(count=format_number(stats.sent_today))
    return [", ".join(parts), sent, *shown]
