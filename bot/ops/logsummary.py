"""The log's summary: one INFO line per period in which the bot did something.

At the default level the log says what happened, not how: APScheduler's line per job and the
sender's line per cycle are DEBUG (``bot.logs``), and instead this line sums up each period
(a minute unless ``[logging] summary_every`` says otherwise) from
:meth:`bot.ops.activity.Activity.take_window`: feeds polled and how the polls ended, new
articles, alerts queued, sent and given up on, 429 answers, and how many feeds are failing
now. A quiet period writes nothing, so an idle bot's log stays short.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from bot.markup import counted
from bot.ops.activity import Activity, Window
from bot.store import AsyncStore, FeedState, PollStatus

logger = logging.getLogger(__name__)


async def log_activity(activity: Activity, store: AsyncStore, period: timedelta) -> None:
    """Write the summary of what happened since the last call, if anything did."""
    parts = describe(activity.take_window())
    if not parts:
        return
    failing = await _failing(store)
    if failing is not None:
        parts[-1] += f"; {counted(failing, 'feed')} failing now"
    logger.info("last %g s: %s", period.total_seconds(), ", ".join(parts))


def describe(window: Window) -> list[str]:
    """The summary's parts: each figure that is not zero, in words; none for a quiet period."""
    parts = []
    if window.polls:
        outcomes = ", ".join(
            f"{window.polls[status]} {status.words}"
            for status in PollStatus
            if window.polls[status]
        )
        parts.append(f"{counted(window.polls.total(), 'poll')} ({outcomes})")
    for count, what in (
        (window.new_articles, counted(window.new_articles, "new article")),
        (window.alerts_queued, f"{counted(window.alerts_queued, 'alert')} queued"),
        (window.alerts_sent, f"{counted(window.alerts_sent, 'alert')} sent"),
        (window.alerts_failed, f"{counted(window.alerts_failed, 'alert')} given up"),
        (window.floods, f"{counted(window.floods, 'flood wait')} (429)"),
    ):
        if count:
            parts.append(what)
    return parts


async def _failing(store: AsyncStore) -> int | None:
    """Feeds failing now; None when the store cannot say (its fault is logged on its own)."""
    if store.health.fault is not None:
        return None
    try:
        shared, brought = await store.feed_states(), await store.feed_states(chats=True)
        return shared[FeedState.FAILING] + brought[FeedState.FAILING]
    except sqlite3.Error:
        return None
