"""/feeds, /addfeed URL and /removefeed N: a chat's own feeds and the operators' shared ones.

A chat's /addfeed brings a feed of its own (``bot.telegram.chat_feeds``), matched against its
own topics only; an operator's adds a shared feed, as the config file's are, unless they
write ``/addfeed private URL``. /addfeed also takes a Telegram channel and a page with CSS
selectors (``bot.telegram.source_argument`` reads which).

Checking a new URL (fetching it, following autodiscovery) is the fetcher's job, injected as
``HandlerDeps.validate_feed`` so this package never imports the feed code itself.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _, format_number, isolate
from bot.markup import esc, shorten
from bot.sources import Source
from bot.store import AsyncStore, FeedOrigin, FeedRow
from bot.telegram import chat_feeds, feed_approval, texts
from bot.telegram.access import can_manage_chat, is_bot_admin
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import ascii_number, command_argument, echo
from bot.telegram.chat_feeds import Brought, feed_argument
from bot.telegram.feed_lines import feed_line, linked
from bot.telegram.replies import reply, reply_lines
from bot.telegram.search_lines import own_search_lines
from bot.telegram.services import HandlerDeps, services
from bot.telegram.source_argument import SourceArgumentError
from bot.telegram.updates import chat_of, message_of, user_of

logger = logging.getLogger(__name__)

MAX_URL = 2048
"""The longest address /addfeed takes: what browsers and servers commonly accept."""


async def list_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chat's own feeds, numbered first, then the operators' shared ones: /removefeed
    takes the numbers of both lists."""
    svc = services(context)
    chat_id = (await acting_chat(update, context)).id
    own, shared = await _numbered_feeds(svc.store, chat_id)
    searches = [feed for feed in await svc.store.chat_searches(chat_id) if feed.enabled]
    if not own and not shared and not searches:
        await reply(update, _("No sources are configured yet."))
        return
    lines = []
    if own:
        lines.append(
            _("<b>This chat's feeds</b> ({count} of {limit})").format(
                count=format_number(len(own)),
                limit=format_number(svc.config.access.feeds_per_chat),
            )
        )
        lines += [f"{n}. {feed_line(feed)}" for n, feed in enumerate(own, start=1)]
    if shared:
        lines.append(_("<b>Sources</b> ({count})").format(count=format_number(len(shared))))
        lines += [f"{n}. {feed_line(feed)}" for n, feed in enumerate(shared, start=len(own) + 1)]
    everything = await svc.store.list_feeds()
    others = sum(feed.origin is FeedOrigin.SEARCH for feed in everything) - len(searches)
    await reply_lines(update, lines + own_search_lines(searches, others))


async def add_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An operator's address becomes a shared feed (``private URL``: their chat's own); any
    other chat's becomes its own, as ``[access] chat_feeds`` allows."""
    svc = services(context)
    try:
        argument = feed_argument(command_argument(message_of(update), limit=MAX_URL))
    except SourceArgumentError as exc:
        await reply(update, str(exc))
        return
    shared = is_bot_admin(user_of(update).id, context) and not argument.private
    refused = chat_feeds.not_enabled(svc) if shared else await chat_feeds.refusal(update, context)
    if refused is not None:
        await reply(update, refused)
        return
    chat_id = (await acting_chat(update, context)).id
    if not shared and await chat_feeds.quota_reached(svc, chat_id):
        await reply(update, chat_feeds.quota_text(svc.config.access.feeds_per_chat))
        return
    checked = await _checked(update, svc, chat_id, argument.source, shared=shared)
    if checked is None:
        return
    source, title = checked
    if shared:
        await _add_shared(update, svc, source, title)
    elif chat_feeds.needs_approval(update, context):
        await _ask_operators(update, context, chat_id, source, title)
    else:
        brought, feed = await chat_feeds.bring(svc, chat_id, source, title)
        if brought is Brought.ADDED:
            logger.info("feed %s added by chat %s", source.url, chat_id)
        await reply(
            update, chat_feeds.brought_text(brought, feed, svc.config.access.feeds_per_chat)
        )


async def _checked(
    update: Update, svc: HandlerDeps, chat_id: int, source: Source, *, shared: bool
) -> tuple[Source, str | None] | None:
    """The source at its address once fetched (a site's own feed found) and its title, or
    None when the reply said why not: the chat has it already, or it is no usable source."""
    assert svc.validate_feed is not None, "refused before, as not enabled"
    url = source.url
    if await _known(update, svc, chat_id, url, shared=shared):
        return None
    try:
        final_url, title = await svc.validate_feed(source)
    except Exception as exc:  # the validator's errors are as varied as the web it fetches
        logger.info("addfeed %s refused: %s", url, str(exc).removeprefix(f"{url}: "))
        await reply(
            update,
            _("I could not use {url} as a feed: {reason}").format(
                url=isolate(esc(echo(url))),
                reason=esc(shorten(chat_feeds.refusal_reason(exc, url), chat_feeds.ERROR_CHARS)),
            ),
        )
        return None
    if await _known(update, svc, chat_id, final_url, shared=shared):
        return None
    return replace(source, url=final_url), title


async def _ask_operators(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    source: Source,
    title: str | None,
) -> None:
    """``[access] chat_feeds = "approval"``: the operators get the request with buttons."""
    svc = services(context)
    request = await svc.store.request_feed(chat_id, source, title)
    await feed_approval.ask_operators(context.bot, svc, request, chat_of(update))
    logger.info("feed %s requested by chat %s", source.url, chat_id)
    await reply(
        update,
        _("I asked the operators to approve {url}; this chat will be told their answer.").format(
            url=isolate(esc(source.url))
        ),
    )


async def _add_shared(update: Update, svc: HandlerDeps, source: Source, title: str | None) -> None:
    """An operator's feed, shared by every chat; one that chats brought becomes shared."""
    feed = await svc.store.feed_by_url(source.url)
    if feed is not None and feed.enabled and feed.origin is FeedOrigin.PRIVATE:
        feed = await svc.store.share_feed(feed.id)
    else:
        feed = await svc.store.add_feed(
            source.url,
            name=title,
            origin=FeedOrigin.CHAT,
            kind=source.kind,
            selectors=source.selectors,
        )
    if svc.feed_added is not None:
        await svc.feed_added(feed)
    logger.info("feed %s added by user %s", source.url, user_of(update).id)
    await reply(update, _("Added {feed}. /feeds lists all sources.").format(feed=linked(feed)))


async def remove_feed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A number of /feeds: the chat's own feed for whoever may change the chat's feeds, a
    shared one for the operators only."""
    svc = services(context)
    number = ascii_number(command_argument(message_of(update)))
    chat_id = (await acting_chat(update, context)).id
    own, shared = await _numbered_feeds(svc.store, chat_id)
    operator = is_bot_admin(user_of(update).id, context)
    last = len(own) + len(shared) if operator else len(own)
    if not operator and not own:
        brings = chat_feeds.may_bring_feeds(update, context) and not shared
        refused = _("This chat has no feeds of its own.") if brings else _(texts.BOT_ADMINS_ONLY)
        await reply(update, refused)
        return
    if number is None or not 1 <= number <= last:
        await reply(update, _("Give a number from /feeds, 1 to {last}.").format(last=last))
        return
    if number > len(own):
        await _remove_shared(update, svc, shared[number - len(own) - 1])
        return
    if not await can_manage_chat(update, context):
        await reply(update, _(texts.ADMINS_ONLY))
        return
    feed = own[number - 1]
    if await svc.store.remove_chat_feed(chat_id, feed.id) and svc.feed_removed is not None:
        await svc.feed_removed(feed)
    logger.info("feed %s removed from chat %s", feed.url, chat_id)
    await reply(update, _("Removed {feed} from this chat's feeds.").format(feed=linked(feed)))


async def _remove_shared(update: Update, svc: HandlerDeps, feed: FeedRow) -> None:
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


async def _numbered_feeds(store: AsyncStore, chat_id: int) -> tuple[list[FeedRow], list[FeedRow]]:
    """The chat's own feeds and the shared ones, in the order /feeds numbers them."""
    return await store.chat_feeds(chat_id), await store.shared_feeds()


async def _known(update: Update, svc: HandlerDeps, chat_id: int, url: str, *, shared: bool) -> bool:
    """Answer for a feed the chat reads already, and say whether it was one: the address as
    typed is checked before any fetch, the feed it led to (a site's own feed) after. For an
    operator's shared feed only shared ones count (one that chats brought becomes shared)."""
    found = await chat_feeds.standing(svc, chat_id, url)
    if found is None or (shared and found[0] is not Brought.SHARED):
        return False
    await reply(update, chat_feeds.brought_text(*found, svc.config.access.feeds_per_chat))
    return True
