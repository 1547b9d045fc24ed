"""What ``GET /metrics`` answers: Prometheus text, named ``topic_alert_*``.

Two sources, never counting one thing twice:

* what the process did since it started, from :class:`bot.ops.activity.Activity`'s registry
  (polls, new articles, alerts queued and settled, Bot API answers, alert latency), with the
  build info, the start time and the process's memory and CPU (``ProcessCollector``) beside;
* what the database holds, read at each scrape: feeds by state and by kind, articles, the
  outbox backlog and the age of its oldest due row, subscriptions and chats, and the last poll.

A scrape while the store has a fault still answers: ``topic_alert_storage_healthy`` is 0,
``topic_alert_storage_fault`` names the kind, and the database's figures are left out rather
than waiting on a disk that fails (so is any figure the store does not give within
:data:`STORE_SECONDS`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client import (
    CollectorRegistry,
    Gauge,
    Info,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot import installed_version
from bot.ops.activity import Activity
from bot.sources import FeedKind
from bot.store import AsyncStore, FeedState, StoreStats
from bot.store.health import FaultKind

logger = logging.getLogger(__name__)

STORE_SECONDS = 5.0
"""How long a scrape waits for the database's figures (Prometheus gives up after 10 s)."""


class ProcessFigures(ProcessCollector):
    """prometheus-client's process memory and CPU, also under the shipped systemd unit.

    The collector reads the machine's boot time from ``/proc/stat`` and reports nothing at all
    without it; the unit's ``ProcSubset=pid`` hides that file (only ``/proc/<pid>`` stays). The
    boot time is then worked out from this process's own start: when it began counting
    (``started_at``, moments after exec) less its start in clock ticks since boot, which
    ``/proc/self/stat`` still shows. Only ``process_start_time_seconds`` depends on it, off by
    the moments between exec and ``started_at``.
    """

    def __init__(self, started_at: float, *, proc: str = "/proc", registry: CollectorRegistry):
        self._started_at = started_at
        super().__init__(proc=proc, registry=registry)

    def _boot_time(self) -> float:
        try:
            return float(super()._boot_time())  # type: ignore[no-untyped-call]
        except OSError:
            with open(os.path.join(self._proc, "self", "stat"), "rb") as stat:
                ticks_since_boot = float(stat.read().split(b")")[-1].split()[19])
            return self._started_at - ticks_since_boot / self._ticks


class Metrics:
    """The exposition for one process; registers the static figures on the activity's registry
    (once per process: a second Metrics for the same Activity would duplicate them)."""

    def __init__(self, activity: Activity, store: AsyncStore):
        self.activity = activity
        self.store = store
        # A "*_created" twin of every counter says only when the process started.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus-client
        registry = activity.registry
        ProcessFigures(activity.started_at.timestamp(), registry=registry)
        Info("topic_alert_build", "The running version.", registry=registry).info(
            {"version": installed_version()}
        )
        Gauge(
            "topic_alert_start_time_seconds",
            "When the process started (Unix time).",
            registry=registry,
        ).set(activity.started_at.timestamp())

    async def exposition(self) -> bytes:
        """The scrape's text: the activity's registry, then the store's figures."""
        stored = await self._store_figures()
        families = [*self.activity.registry.collect(), *self._now(), *stored]
        return generate_latest(_Families(families))

    def _now(self) -> Iterator[Metric]:
        uptime = datetime.now(UTC) - self.activity.started_at
        yield _gauge("uptime_seconds", "Seconds since the process started.", uptime.total_seconds())
        fault = self.store.health.fault
        yield _gauge(
            "storage_healthy",
            "1 when the database takes writes, 0 during a storage fault (then the database's "
            "figures are left out).",
            0 if fault else 1,
        )
        kinds = GaugeMetricFamily(
            "topic_alert_storage_fault",
            "1 for the kind of the storage fault under way, 0 for the others.",
            labels=["kind"],
        )
        for kind in FaultKind:
            kinds.add_metric([kind], 1 if fault is not None and fault.kind is kind else 0)
        yield kinds

    async def _store_figures(self) -> list[Metric]:
        if self.store.health.fault is not None:
            return []
        try:
            async with asyncio.timeout(STORE_SECONDS):
                stats = await self.store.stats()
                states = await self.store.feed_states()
                chat_states = await self.store.feed_states(chats=True)
                kinds = await self.store.feed_kinds()
        except (sqlite3.Error, TimeoutError) as exc:
            logger.debug("metrics without the database's figures: %r", exc)
            return []
        return list(_stored(stats, states, chat_states, kinds))


def _stored(
    stats: StoreStats,
    states: dict[FeedState, int],
    chat_states: dict[FeedState, int],
    kinds: dict[FeedKind, int],
) -> Iterator[Metric]:
    for name, whose, counts in (
        ("topic_alert_feeds", "Shared feeds (config file, operators)", states),
        ("topic_alert_chat_feeds", "Feeds chats brought with /addfeed or OPML", chat_states),
    ):
        feeds = GaugeMetricFamily(
            name,
            f"{whose} by state: ok, failing (last poll failed), gone (410), disabled (removed).",
            labels=["state"],
        )
        for state, count in counts.items():
            feeds.add_metric([state], count)
        yield feeds
    by_kind = GaugeMetricFamily(
        "topic_alert_feeds_by_kind",
        "Enabled feeds by kind: feed (RSS/Atom), telegram (a channel's preview), page (CSS).",
        labels=["kind"],
    )
    for kind, count in kinds.items():
        by_kind.add_metric([kind], count)
    yield by_kind
    yield _gauge(
        "search_feeds",
        "News searches polled for topics (counted in feeds too).",
        stats.feeds_search,
    )
    yield _gauge("articles_stored", "Articles in the database.", stats.articles)
    outbox = GaugeMetricFamily(
        "topic_alert_outbox",
        "Alerts not sent: due (now or after a retry wait), scheduled (for a digest or the end "
        "of quiet hours), copies (of a story, waiting for its first alert), failed (given up).",
        labels=["state"],
    )
    for waiting, count in (
        ("due", stats.outbox_pending - stats.outbox_scheduled),
        ("scheduled", stats.outbox_scheduled),
        ("copies", stats.outbox_copies_waiting),
        ("failed", stats.outbox_failed),
    ):
        outbox.add_metric([waiting], count)
    yield outbox
    age = (datetime.now(UTC) - stats.oldest_due).total_seconds() if stats.oldest_due else 0.0
    yield _gauge(
        "outbox_oldest_due_age_seconds",
        "How long the oldest alert that is due has waited since it was queued; 0 when none is.",
        max(0.0, age),
    )
    subscriptions = GaugeMetricFamily(
        "topic_alert_subscriptions", "Topics chats follow, active or paused.", labels=["state"]
    )
    subscriptions.add_metric(["active"], stats.subscriptions - stats.subscriptions_paused)
    subscriptions.add_metric(["paused"], stats.subscriptions_paused)
    yield subscriptions
    yield _gauge("chats", "Chats the bot is in (not blocked or removed).", stats.chats)
    if stats.last_poll_at is not None:
        yield _gauge(
            "last_poll_timestamp_seconds",
            "When a feed was last polled (Unix time), by this process or an earlier one.",
            stats.last_poll_at.timestamp(),
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"topic_alert_{name}", documentation, value=value)


class _Families(Collector):
    """Metric families gathered for one scrape, in the shape ``generate_latest`` reads."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families
