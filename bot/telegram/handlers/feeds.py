"""/feeds for everyone; /addfeed URL and /removefeed N for the bot's operators.

Checking a new URL (fetching it, following autodiscovery) is the fetcher's job, injected as
``Services.validate_feed`` so this package never imports the feed code itself.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import ContextTypes

from bot.markup import esc, link, shorten
from bot.store import AsyncStore, FeedOrigin, FeedRow
from bot.telegram.access import bot_admins_only
from bot.telegram.arguments import ascii_number, command_argument, echo
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.updates import message_of, user_of

logger = logging.getLogger(__name__)

MAX_URL = 2048
"""The longest address /addfeed takes: what browsers and servers commonly accept."""
ERROR_CHARS = 500
"""How much of a refused feed's error the reply shows."""


async def list_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    feeds = await services(context).store.list_feeds()
    if not feeds:
        await reply(update, "No sources are configured yet.")
        return
    lines = [f"<b>Sources</b> ({len(feeds)})"]
    lines += [f"{n}. {describe(feed)}" for n, feed in enumerate(feeds, start=1)]
    await reply_lines(update, lines)


def describe(feed: FeedRow) -> str:
    health = f" — failing: {esc(feed.last_error or 'error')}" if feed.error_count else ""
    return link(feed.display_name, feed.url) + health


@bot_admins_only
async def add_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    url = command_argument(message_of(update), limit=MAX_URL)
    if _scheme(url) not in ("http", "https"):
        await reply(update, "Give the address of a feed or a site: <code>/addfeed https://…</code>")
        return
    if svc.validate_feed is None:
        await reply(update, "Adding sources from the chat is not enabled on this bot.")
        return
    if await _already_watched(update, svc.store, url):
        return
    try:
        final_url, title = await svc.validate_feed(url)
    except Exception as exc:  # the validator's errors are as varied as the web it fetches
        reason = str(exc).removeprefix(f"{url}: ")  # the reply names the address once
        logger.info("addfeed %s refused: %s", url, reason)
        reason = shorten(reason, ERROR_CHARS)
        await reply(update, f"I could not use {esc(echo(url))} as a feed: {esc(reason)}")
        return
    if await _already_watched(update, svc.store, final_url):
        return
    feed = await svc.store.add_feed(final_url, name=title, origin=FeedOrigin.CHAT)
    if svc.feed_added is not None:
        await svc.feed_added(feed)
    logger.info("feed %s added by user %s", final_url, user_of(update).id)
    await reply(update, f"Added {link(feed.display_name, feed.url)}. /feeds lists all sources.")


@bot_admins_only
async def remove_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    number = ascii_number(command_argument(message_of(update)))
    feeds = await svc.store.list_feeds()
    if number is None or not 1 <= number <= len(feeds):
        await reply(update, f"Give a number from /feeds, 1 to {len(feeds)}.")
        return
    feed = feeds[number - 1]
    await svc.store.remove_feed(feed.id)
    if svc.feed_removed is not None:
        await svc.feed_removed(feed)
    logger.info("feed %s removed by user %s", feed.url, user_of(update).id)
    await reply(update, f"Removed {link(feed.display_name, feed.url)}.")


async def _already_watched(update: Update, store: AsyncStore, url: str) -> bool:
    """Answer for a feed that is polled already, and say whether it was one: the address as
    typed is checked before any fetch, the feed it led to (a site's own feed) after."""
    feed = await store.feed_by_url(url)
    if feed is None or not feed.enabled:  # a removed feed comes back as added
        return False
    await reply(
        update, f"{link(feed.display_name, feed.url)} is already watched. /feeds lists all sources."
    )
    return True


def _scheme(url: str) -> str:
    """The URL's scheme, '' when it cannot be read as a URL at all (``http://[``)."""
    try:
        return urlsplit(url).scheme
    except ValueError:
        return ""
