"""Counts across the tables for /status and ``topic-alert check``: a cold path, read with
sqlite-utils' ``count_where`` except the queries that split today's sends and time the
latest ones.

Sends are counted through ``outbox_sent`` (state, time: migration v12), so a reply costs the
same whatever number of sent rows the outbox keeps; the counts of pending rows read those
rows' index entries, as many as are pending. States are written into the SQL as literals
(``bot.store.outbox``), as the partial indexes over pending rows need.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.clock import utcnow
from bot.sources import FeedKind
from bot.store.connection import Connected
from bot.store.outbox import FAILED, MERGED, PENDING, SENT
from bot.store.rows import Latency, RecentSends, StoreStats, from_iso, to_iso
from bot.store.states import FeedOrigin, FeedState, Paused, PollStatus, ShownAs


class StatsTable(Connected):
    def stats(self, *, now: datetime | None = None) -> StoreStats:
        now = now or utcnow()
        today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        feeds, chats = self._table("feeds"), self._table("chats")
        subscriptions = self._table("subscriptions")
        outbox = self._table("outbox")
        shared = f"origin != '{FeedOrigin.PRIVATE}'"
        private = f"origin = '{FeedOrigin.PRIVATE}'"
        return StoreStats(
            feeds=feeds.count_where(f"enabled AND {shared}"),
            feeds_failing=feeds.count_where(f"enabled AND error_count > 0 AND {shared}"),
            chat_feeds=feeds.count_where(f"enabled AND {private}"),
            chat_feeds_failing=feeds.count_where(f"enabled AND error_count > 0 AND {private}"),
            chats=chats.count_where("active"),
            subscriptions=subscriptions.count,
            subscriptions_paused=subscriptions.count_where("paused != ?", [Paused.NO]),
            articles=int(self._table("meta").get("articles")["value"]),  # see migration v12
            outbox_pending=outbox.count_where(f"status = {PENDING}"),
            outbox_failed=outbox.count_where(f"status = {FAILED}"),
            outbox_copies_waiting=outbox.count_where(f"status = {MERGED}"),
            outbox_scheduled=self._scheduled_after(now),
            **self._shown_since(today),
            oldest_due=self._oldest_due(now),
            last_poll_at=from_iso(
                self.conn.execute("SELECT max(last_polled_at) FROM feeds").fetchone()[0]
            ),
            feeds_search=feeds.count_where("enabled AND origin = ?", [FeedOrigin.SEARCH]),
        )

    def feed_states(self, *, chats: bool = False) -> dict[FeedState, int]:
        """How many feeds are in each :class:`FeedState` (every state present, 0 or more): the
        shared ones, or with ``chats`` those chats brought (counted apart, as /status does)."""
        # SQL: one pass with FILTER clauses, which count_where has no form for.
        row = self.conn.execute(
            f"""SELECT count(*) FILTER (WHERE enabled AND error_count = 0),
                      count(*) FILTER (WHERE enabled AND error_count > 0),
                      count(*) FILTER (WHERE NOT enabled AND last_status = :gone),
                      count(*) FILTER (WHERE NOT enabled AND last_status IS NOT :gone)
               FROM feeds WHERE (origin = :private) = {int(chats)}""",
            {"gone": PollStatus.GONE, "private": FeedOrigin.PRIVATE},
        ).fetchone()
        return dict(zip(FeedState, row, strict=True))

    def feed_kinds(self) -> dict[FeedKind, int]:
        """How many enabled feeds are of each :class:`FeedKind` (every kind present)."""
        rows = self.conn.execute("SELECT kind, count(*) FROM feeds WHERE enabled GROUP BY kind")
        counted = dict(rows.fetchall())
        return {kind: counted.get(kind, 0) for kind in FeedKind}

    def _scheduled_after(self, moment: datetime) -> int:
        """Pending rows that wait for a digest due after ``moment``."""
        # SQL: a join, which count_where has no form for; CROSS JOIN reads the digests due
        # after ``moment`` first (outbox_due_at), not every pending row.
        (count,) = self.conn.execute(
            f"""SELECT count(*) FROM outbox_due CROSS JOIN outbox
               ON outbox.id = outbox_due.outbox_id
               WHERE outbox.status = {PENDING} AND outbox_due.due_at > ?""",
            (to_iso(moment),),
        ).fetchone()
        return int(count)

    def _oldest_due(self, moment: datetime) -> datetime | None:
        """When the oldest pending row due at ``moment`` fell due: when it was queued, or, for
        a row that waited for a digest or the end of quiet hours, when that time came (it did
        not fall behind while it waited on purpose).

        Two look-ups rather than one pass over the pending rows: the first pending row not
        waiting for a digest (rows are queued in id order), and the earliest digest due.
        """
        # SQL: NOT EXISTS and a join, which sqlite-utils has no form for.
        queued = self.conn.execute(
            f"""SELECT created_at FROM outbox WHERE status = {PENDING} AND NOT EXISTS (
                   SELECT 1 FROM outbox_due WHERE outbox_due.outbox_id = outbox.id)
               ORDER BY id LIMIT 1"""
        ).fetchone()
        scheduled = self.conn.execute(
            f"""SELECT outbox_due.due_at FROM outbox_due CROSS JOIN outbox
               ON outbox.id = outbox_due.outbox_id
               WHERE outbox_due.due_at <= ? AND outbox.status = {PENDING}
               ORDER BY outbox_due.due_at LIMIT 1""",
            (to_iso(moment),),
        ).fetchone()
        return min(
            (datetime.fromisoformat(row[0]) for row in (queued, scheduled) if row), default=None
        )

    def _shown_since(self, moment: datetime) -> dict[str, int]:
        """How the rows sent since ``moment`` were shown, as ``StoreStats`` fields."""
        # SQL: five counts in one pass, with FILTER clauses sqlite-utils has no form for.
        row = self.conn.execute(
            f"""SELECT count(*),
                      count(*) FILTER (WHERE shown_as = :alert AND story_of IS NULL),
                      count(*) FILTER (WHERE shown_as = :alert AND story_of IS NOT NULL),
                      count(*) FILTER (WHERE shown_as = :digest),
                      count(*) FILTER (WHERE shown_as = :also)
               FROM outbox WHERE status = {SENT} AND sent_at >= :since""",
            {
                "alert": ShownAs.ALERT,
                "digest": ShownAs.DIGEST,
                "also": ShownAs.ALSO,
                "since": to_iso(moment),
            },
        ).fetchone()
        names = ("sent_today", "alone_today", "copies_alone_today", "digested_today", "also_today")
        return dict(zip(names, row, strict=True))

    def recent_sends(self, since: datetime) -> RecentSends:
        """What was sent since ``since``, and how long the alerts sent as they happen took:
        queued → sent for each, published → sent for those whose article has a date.

        Rows of a scheduled digest (or held through quiet hours) are counted but not timed:
        they wait on purpose, and would make the figures say nothing about delivery.
        """
        count = self._table("outbox").count_where(
            f"status = {SENT} AND sent_at >= ?", [to_iso(since)]
        )
        # SQL: a join and a left join, which sqlite-utils has no form for.
        rows = self.conn.execute(
            f"""SELECT (julianday(outbox.sent_at) - julianday(outbox.created_at)) * 86400,
                      (julianday(outbox.sent_at) - julianday(articles.published_at)) * 86400
               FROM outbox JOIN articles ON articles.id = outbox.article_id
               LEFT JOIN outbox_due ON outbox_due.outbox_id = outbox.id
               WHERE outbox.status = {SENT} AND outbox.sent_at >= ? AND outbox.shown_as = ?
                   AND outbox_due.outbox_id IS NULL""",
            (to_iso(since), ShownAs.ALERT),
        ).fetchall()
        stored = [row[0] for row in rows]
        published = [row[1] for row in rows if row[1] is not None]
        return RecentSends(count, _latency(stored), _latency(published))


def _latency(seconds: Sequence[float]) -> Latency | None:
    """The median and 95th percentile (nearest rank) of ``seconds``; None for no values. A
    negative one (a feed whose clock runs ahead) counts as 0."""
    if not seconds:
        return None
    ordered = sorted(max(0.0, value) for value in seconds)

    def rank(share: float) -> float:
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    return Latency(p50=rank(0.5), p95=rank(0.95))
