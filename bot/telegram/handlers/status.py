"""/status: the operator's glance at feeds, chats and delivery, without opening the database."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

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
        f"Outbox: {stats.outbox_pending} waiting, {stats.outbox_failed} failed",
        f"Alerts sent today: {stats.sent_today}",
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
