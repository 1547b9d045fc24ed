"""What every handler needs, kept in ``application.bot_data`` under one typed key.

Handlers reach the store and config through :func:`services` instead of reading loose
``bot_data`` keys, so a typo is an AttributeError at the first test rather than a None in a chat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot.clock import Clock, utcnow
from bot.ops.activity import Activity
from bot.sources import Source

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store import AsyncStore, FeedRow

FeedValidator = Callable[[Source], Awaitable[tuple[str, str | None]]]
"""``(source) -> (final_url, title)``: read once (a feed with autodiscovery, a channel's
preview, a page through its selectors); raise to refuse it.

The chat reads the error's ``reason`` (a :class:`bot.i18n.deferred.Deferred`) in its own
language when it has one, its English message otherwise."""
FeedChanged = Callable[["FeedRow"], Awaitable[None]]
"""Told after /addfeed stored or /removefeed disabled a feed, so the poll schedule follows."""

KEY = "services"


@dataclass(frozen=True)
class HandlerDeps:
    """What the chat commands use of the process (its store, config, feed checks and
    counters), given to :func:`bot.telegram.build_application`; the whole process is
    :class:`bot.wiring.Services`."""

    store: AsyncStore
    config: Config
    validate_feed: FeedValidator | None = None
    feed_added: FeedChanged | None = None
    feed_removed: FeedChanged | None = None
    activity: Activity = field(default_factory=Activity)
    """The process's counters (uptime, Bot API answers, alerts sent), for /status."""
    now: Clock = utcnow
    """The process's clock (``bot.wiring.Services.now``): next digests, /search spans, /status."""


def services(context: ContextTypes.DEFAULT_TYPE) -> HandlerDeps:
    return context.bot_data[KEY]
