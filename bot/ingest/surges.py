"""Surge alerts: after a poll is stored, whether any topic it matched now surges.

A topic with surge alerts on surges when the stories it matched in the last hour are at
least ``[surges] factor`` times its hourly average over the week before that hour, and at
least ``min_stories``. A topic followed for less than a week is compared with the time it has
(an hour at least: before that there is nothing to compare with). The chat then gets one
message, queued in the outbox as a row of its own (``Store.add_surge``), so quiet hours,
retries and recording treat it as any alert; the topic stays quiet for ``cooldown_hours``.

Only the topics a poll matched are asked about, one statement each over their own counted
stories (``Store.topic_activity``): a poll's cost does not grow with the outbox. Every
moment is the poll's, from the injected clock (``bot.clock``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from bot.config import SurgesConfig
from bot.store import AsyncStore, Surge, TopicActivity
from bot.store.surges import HOUR, WEEK

logger = logging.getLogger(__name__)

TOP_STORIES = 5
"""Stories a surge message lists."""


def judge(activity: TopicActivity, config: SurgesConfig, now: datetime) -> Surge | None:
    """The surge ``activity`` shows at ``now``, or None; a topic that surged within the
    cool-down does not surge again. ``top`` is left for the store to fill in."""
    if activity.last_hour < config.min_stories:
        return None
    cooldown = timedelta(hours=config.cooldown_hours)
    if activity.last_surge_at is not None and now - activity.last_surge_at < cooldown:
        return None
    start = max(now - HOUR - WEEK, activity.followed_since)
    hours = (now - HOUR - start) / HOUR
    if hours < 1:
        return None
    usual = activity.before / hours
    if activity.last_hour < config.factor * usual:
        return None
    return Surge(activity.last_hour, usual, hours, top=())


class SurgeWatch:
    """Finds the surges of the topics a poll matched; see the module docstring."""

    def __init__(self, store: AsyncStore, config: SurgesConfig) -> None:
        self.store = store
        self.config = config
        self.lookback = WEEK + HOUR
        """How far back the stories counted for a topic are read; older ones may go."""

    async def check(self, topics: Collection[int], now: datetime) -> int:
        """Queue a message for each of ``topics`` (subscription ids with surge alerts on, that
        the poll stored stories for) that surges at ``now``; how many were queued."""
        if not topics:
            return 0
        queued = 0
        quiet_since = now - timedelta(hours=self.config.cooldown_hours)
        for activity in await self.store.topic_activity(topics, now=now, week=WEEK):
            surge = judge(activity, self.config, now)
            if surge is None:
                continue
            stored = await self.store.add_surge(
                activity.subscription.id, surge, at=now, quiet_since=quiet_since, top=TOP_STORIES
            )
            if stored is not None:
                queued += 1
                sub = activity.subscription
                logger.info(
                    "chat %s topic #%d surges: %d stories in the last hour, %.2f an hour usually",
                    sub.chat_id,
                    sub.number,
                    stored.stories,
                    stored.usual,
                )
        return queued
