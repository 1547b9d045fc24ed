"""Feeds that chats bring: what /addfeed, an OPML document and an operator's Approve share.

Who may bring feeds (``[access] chat_feeds``; in groups and channels their administrators),
the one reading of /addfeed's argument, and adding a checked address as a chat's own feed
within ``[access] feeds_per_chat``: a URL an operator's feed already has stays theirs
(shared), one the chat has already is not counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from telegram import Update
from telegram.ext import ContextTypes

from bot.config import Config
from bot.i18n import Deferred, _, format_number, ngettext
from bot.sources import Source
from bot.store import FeedOrigin, FeedRow
from bot.telegram import texts
from bot.telegram.access import can_manage_chat, is_bot_admin
from bot.telegram.feed_lines import linked
from bot.telegram.services import HandlerDeps, services
from bot.telegram.source_argument import source_argument

ERROR_CHARS = 500
"""How much of a refused feed's error a reply shows."""
PRIVATE_WORD = "private"
"""``/addfeed private URL``: an operator's feed for their chat alone, not shared."""


@dataclass(frozen=True)
class FeedArgument:
    """What /addfeed was given."""

    source: Source
    private: bool = False
    """The operator asked for a feed of this chat's own (``private`` before the address)."""


def feed_argument(text: str) -> FeedArgument:
    """/addfeed's argument read once, here: ``SOURCE`` or ``private SOURCE``, the source as
    ``bot.telegram.source_argument`` reads it (raises its SourceArgumentError)."""
    word, _space, rest = text.partition(" ")
    if word.lower() == PRIVATE_WORD and rest.strip():
        return FeedArgument(source_argument(rest), private=True)
    return FeedArgument(source_argument(text))


class Brought(Enum):
    """What came of adding an address as a chat's own feed."""

    ADDED = "added"
    OWN = "own"
    """The chat has this feed already."""
    SHARED = "shared"
    """An operators' feed has this address: every chat reads it already."""
    QUOTA = "quota"
    """The chat has as many feeds of its own as ``[access] feeds_per_chat`` allows."""


def may_bring_feeds(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether ``[access] chat_feeds`` lets the sender bring feeds at all (operators always);
    "approval" without operators to approve is "admins": a request would wait for nobody."""
    user = update.effective_user
    access = services(context).config.access
    if is_bot_admin(user.id if user else None, context):
        return True
    return access.chat_feeds == "everyone" or (
        access.chat_feeds == "approval" and bool(access.admins)
    )


async def refusal(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Why the sender may not change this chat's feeds, or None when they may."""
    if not may_bring_feeds(update, context):
        return _(texts.BOT_ADMINS_ONLY)
    if not await can_manage_chat(update, context):
        return _(texts.ADMINS_ONLY)
    return not_enabled(services(context))


def not_enabled(svc: HandlerDeps) -> str | None:
    """Why no feed can be added from a chat on this process (no way to check an address)."""
    if svc.validate_feed is None:
        return _("Adding sources from the chat is not enabled on this bot.")
    return None


def needs_approval(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether a feed this sender brings waits for an operator's Approve first."""
    user = update.effective_user
    approval = services(context).config.access.chat_feeds == "approval"
    return approval and not is_bot_admin(user.id if user else None, context)


def chat_feed_interval(config: Config) -> int | None:
    """The poll interval a chat's own feed gets: ``[access] chat_feed_interval`` when it is
    longer than ``[polling] interval``; None (the default) otherwise."""
    longest = config.access.chat_feed_interval
    return longest if longest > config.polling.interval else None


async def standing(svc: HandlerDeps, chat_id: int, url: str) -> tuple[Brought, FeedRow] | None:
    """What the chat already has of ``url``: an operators' feed, its own, or (None) nothing."""
    feed = await svc.store.feed_by_url(url)
    if feed is None or not feed.enabled:
        return None
    if feed.origin is not FeedOrigin.PRIVATE:
        return Brought.SHARED, feed
    own = await svc.store.chat_feeds(chat_id)
    return (Brought.OWN, feed) if any(mine.id == feed.id for mine in own) else None


async def quota_reached(svc: HandlerDeps, chat_id: int) -> bool:
    return len(await svc.store.chat_feeds(chat_id)) >= svc.config.access.feeds_per_chat


async def bring(
    svc: HandlerDeps, chat_id: int, source: Source, title: str | None
) -> tuple[Brought, FeedRow | None]:
    """Add the checked ``source`` as one of the chat's own feeds, within its quota, and have
    it polled."""
    known = await standing(svc, chat_id, source.url)
    if known is not None:
        return known
    if await quota_reached(svc, chat_id):
        return Brought.QUOTA, None
    feed = await svc.store.add_chat_feed(
        chat_id, source, name=title, interval=chat_feed_interval(svc.config)
    )
    if feed.origin is not FeedOrigin.PRIVATE:  # an operator added it meanwhile
        return Brought.SHARED, feed
    if svc.feed_added is not None:
        await svc.feed_added(feed)
    return Brought.ADDED, feed


def brought_text(brought: Brought, feed: FeedRow | None, limit: int) -> str:
    """The reply to a feed a chat brought, in the chat's language."""
    if brought is Brought.QUOTA or feed is None:
        return quota_text(limit)
    if brought is Brought.SHARED:
        return already_watched(feed)
    if brought is Brought.OWN:
        return _("{feed} is already one of this chat's feeds. /feeds lists them.").format(
            feed=linked(feed)
        )
    return _(
        "Added {feed} to this chat's own feeds: its articles are matched against this chat's "
        "topics only. /feeds lists them."
    ).format(feed=linked(feed))


def already_watched(feed: FeedRow) -> str:
    return _("{feed} is already watched. /feeds lists all sources.").format(feed=linked(feed))


def quota_text(limit: int) -> str:
    """Which quota was reached: the feeds one chat may have of its own."""
    return ngettext(
        "This chat has {count} feed of its own, the most one chat may have on this bot. "
        "/removefeed removes one.",
        "This chat has {count} feeds of its own, the most one chat may have on this bot. "
        "/removefeed removes one.",
        limit,
    ).format(count=format_number(limit))


def refusal_reason(exc: Exception, url: str) -> str:
    """Why the validator refused ``url``, in the chat's language when the error says it in a
    template (the fetcher's and parser's do); otherwise its English message, without the
    address the reply names already."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, Deferred):
        return reason.translated()
    return str(exc).removeprefix(f"{url}: ")
