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

from bot.ops.activity import Activity, Window
from bot.store import AsyncStore, FeedState, PollStatus

logger = logging.getLogger(__name__)


async def log_activity(activity: Activity, store: AsyncStore, period: timedelta) -> None:
    """Write the summary of what happened since the last call, if anything did."""
    window = activity.take_window()
    if not _happened(window):
        return
    logger.info("last %g s: %s", period.total_seconds(), describe(window, await _failing(store)))


def describe(window: Window, failing: int | None) -> str:
    """The summary's text: the figures that are not zero, and the failing feeds if known."""
    parts = []
    if window.polls:
        outcomes = ", ".join(
            f"{window.polls[status]} {status.words}"
            for status in PollStatus
            if window.polls[status]
        )
        parts.append(f"{window.polls.total()} polls ({outcomes})")
    for count, what in (
        (window.new_articles, "new articles"),
        (window.alerts_queued, "alerts queued"),
        (window.alerts_sent, "alerts sent"),
        (window.alerts_failed, "alerts given up"),
        (window.floods, "flood waits (429)"),
    ):
        if count:
            parts.append(f"{count} {what}")
    text = ", ".join(parts)
    return text if failing is None else f"{text}; {failing} feeds failing now"


def _happened(window: Window) -> bool:
    return any(
        (
            window.polls,
            window.new_articles,
            window.alerts_queued,
            window.alerts_sent,
            window.alerts_failed,
            window.floods,
        )
    )


async def _failing(store: AsyncStore) -> int | None:
    """Feeds failing now; None when the store cannot say (its fault is logged on its own)."""
    if store.health.fault is not None:
        return None
    try:
        return (await store.feed_states())[FeedState.FAILING]
    except sqlite3.Error:
        return None
