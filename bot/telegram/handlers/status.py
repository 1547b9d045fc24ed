"""/status: the operator's glance at feeds, chats and delivery, without opening the database."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

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
        "<b>Status</b>",
        f"Feeds: {stats.feeds} ({stats.feeds_failing} failing)",
        f"Chats: {stats.chats}",
        f"Topics: {stats.subscriptions} ({stats.subscriptions_paused} paused)",
        f"Articles stored: {stats.articles}",
        *_outbox_lines(stats),
        f"Storage: {store.health.describe()}",
    ]
    feeds = await store.list_feeds()
    failing = [feed for feed in feeds if feed.error_count]
    if failing:
        lines.append("<b>Failing feeds</b>")
        lines += [f"• {describe(feed)} ({feed.error_count} in a row)" for feed in failing]
    teasers = [feed for feed in feeds if feed.fulltext_failures]
    if teasers:
        lines.append("<b>Article pages that could not be read</b> (feed text used instead)")
        lines += [f"• {describe(feed)}: {feed.fulltext_failures}" for feed in teasers]
    await reply_lines(update, lines)


def _outbox_lines(stats: StoreStats) -> list[str]:
    """What waits, and how today's alerts reached their chats: a story's copy is either named
    on its first alert or sent on its own, and this says which."""
    waiting = f"Outbox: {stats.outbox_pending} waiting"
    if stats.outbox_scheduled:
        waiting += f" ({stats.outbox_scheduled} of them for a digest not due yet)"
    waiting += f", {stats.outbox_failed} failed"
    if stats.outbox_copies_waiting:
        waiting += f", story copies waiting for their first alert: {stats.outbox_copies_waiting}"
    ways = [
        ("as a message of their own", stats.alone_today),
        ("in digests", stats.digested_today),
        ('named as "Also:" on their story\'s first alert', stats.also_today),
        ("story copies their first alert could not name, on their own", stats.copies_alone_today),
    ]
    shown = [f"• {how}: {count}" for how, count in ways if count]
    return [waiting, f"Alerts sent today: {stats.sent_today}", *shown]
