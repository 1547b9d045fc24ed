"""/feeds for everyone; /addfeed URL and /removefeed N for the bot's operators.

/addfeed also takes a Telegram channel and a page with CSS selectors
(``bot.telegram.source_argument`` reads which).

Checking a new URL (fetching it, following autodiscovery) is the fetcher's job, injected as
``HandlerDeps.validate_feed`` so this package never imports the feed code itself.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import Deferred, _, format_number, isolate
from bot.markup import esc, shorten
from bot.store import AsyncStore, FeedOrigin, FeedRow
from bot.telegram.access import bot_admins_only
from bot.telegram.arguments import ascii_number, command_argument, echo
from bot.telegram.feed_lines import feed_line, linked
from bot.telegram.replies import reply, reply_lines
from bot.telegram.search_lines import own_search_lines
from bot.telegram.services import services
from bot.telegram.source_argument import SourceArgumentError, source_argument
from bot.telegram.updates import chat_of, message_of, user_of

logger = logging.getLogger(__name__)

MAX_URL = 2048
"""The longest address /addfeed takes: what browsers and servers commonly accept."""
ERROR_CHARS = 500
"""How much of a refused feed's error the reply shows."""


async def list_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    store = services(context).store
    everything = await store.list_feeds()
    feeds = _listed(everything)
    own = [f for f in await store.chat_searches(chat_of(update).id) if f.enabled]
    others = len(everything) - len(feeds) - len(own)
    if not everything:
        await reply(update, _("No sources are configured yet."))
        return
    lines = [_("<b>Sources</b> ({count})").format(count=format_number(len(feeds)))]
    lines += [f"{n}. {feed_line(feed)}" for n, feed in enumerate(feeds, start=1)]
    await reply_lines(update, lines + own_search_lines(own, others))


def _listed(feeds: list[FeedRow]) -> list[FeedRow]:
    """The feeds /feeds numbers and /removefeed takes: not the news searches, which come and
    go with the topics that use them (``bot.news_search``)."""
    return [feed for feed in feeds if feed.origin is not FeedOrigin.SEARCH]


@bot_admins_only
async def add_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    try:
        source = source_argument(command_argument(message_of(update), limit=MAX_URL))
    except SourceArgumentError as exc:
        await reply(update, str(exc))
        return
    url = source.url
    if svc.validate_feed is None:
        await reply(update, _("Adding sources from the chat is not enabled on this bot."))
        return
    if await _already_watched(update, svc.store, url):
        return
    try:
        final_url, title = await svc.validate_feed(source)
    except Exception as exc:  # the validator's errors are as varied as the web it fetches
        logger.info("addfeed %s refused: %s", url, str(exc).removeprefix(f"{url}: "))
        await reply(
            update,
            _("I could not use {url} as a feed: {reason}").format(
                url=isolate(esc(echo(url))), reason=esc(shorten(_refusal(exc, url), ERROR_CHARS))
            ),
        )
        return
    if await _already_watched(update, svc.store, final_url):
        return
    feed = await svc.store.add_feed(
        final_url,
        name=title,
        origin=FeedOrigin.CHAT,
        kind=source.kind,
        selectors=source.selectors,
    )
    if svc.feed_added is not None:
        await svc.feed_added(feed)
    logger.info("feed %s added by user %s", final_url, user_of(update).id)
    await reply(update, _("Added {feed}. /feeds lists all sources.").format(feed=linked(feed)))


@bot_admins_only
async def remove_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    number = ascii_number(command_argument(message_of(update)))
    feeds = _listed(await svc.store.list_feeds())
    if number is None or not 1 <= number <= len(feeds):
        await reply(update, _("Give a number from /feeds, 1 to {last}.").format(last=len(feeds)))
        return
    feed = feeds[number - 1]
    await svc.store.remove_feed(feed.id)
    if svc.feed_removed is not None:
        await svc.feed_removed(feed)
    logger.info("feed %s removed by user %s", feed.url, user_of(update).id)
    if feed.origin is FeedOrigin.CONFIG:
        # The file is read again at every start: the operator should know it still lists
        # the feed, and that the removal holds anyway.
        # TRANSLATORS: config.toml is the name of the bot's configuration file; keep it.
        removed = _(
            "Removed {feed}. It is also listed in config.toml: it stays removed, after "
            "restarts too, until it is deleted there or added again with /addfeed."
        )
    else:
        removed = _("Removed {feed}.")
    await reply(update, removed.format(feed=linked(feed)))


async def _already_watched(update: Update, store: AsyncStore, url: str) -> bool:
    """Answer for a feed that is polled already, and say whether it was one: the address as
    typed is checked before any fetch, the feed it led to (a site's own feed) after."""
    feed = await store.feed_by_url(url)
    if feed is None or not feed.enabled:  # a removed feed comes back as added
        return False
    await reply(
        update, _("{feed} is already watched. /feeds lists all sources.").format(feed=linked(feed))
    )
    return True


def _refusal(exc: Exception, url: str) -> str:
    """Why the validator refused ``url``, in the chat's language when the error says it in a
    template (the fetcher's and parser's do); otherwise its English message, without the
    address the reply names already."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, Deferred):
        return reason.translated()
    return str(exc).removeprefix(f"{url}: ")
