"""Surges: each topic's stories with the time they came (``topic_stories``) and the surges
found in them (``surges``, each beside the outbox row that tells its chat).

A poll asks about the topics it matched only, one statement per topic over the index of
``topic_stories`` (the topic, then the time), so its cost is that of the topic's own week of
stories, never of the outbox. The judging is ``bot.ingest.surges``; this module counts,
stores and hands the figures out.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from bot.store.connection import Connected, json_ids
from bot.store.rows import (
    SubscriptionRow,
    Surge,
    SurgeStory,
    TopicActivity,
    from_iso,
    to_iso,
)
from bot.store.states import OutboxStatus

HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
"""How far back before the last hour a topic's usual rate looks (``bot.ingest.surges``)."""


class SurgesTable(Connected):
    def set_surge(self, sub_id: int, on: bool) -> None:
        """Tell the topic's chat when it surges from now on (or no longer)."""
        # SQL: an unknown id is no error, as for set_paused.
        self.conn.execute("UPDATE subscriptions SET surge = ? WHERE id = ?", (int(on), sub_id))

    def _record_topic_stories(self, after: int, at: datetime) -> None:
        """Count the stories of the outbox rows queued after row ``after`` for each topic they
        name, at ``at`` (the poll's time): a story's copies are no new story, and a surge's
        own row is none at all. Runs in the poll's transaction (``store_poll``)."""
        self.conn.execute(
            """INSERT OR IGNORE INTO topic_stories(subscription_id, at, outbox_id)
               SELECT topic.value, ?, outbox.id
               FROM outbox, json_each(outbox.subscription_ids) AS topic
               WHERE outbox.id > ? AND outbox.story_of IS NULL AND NOT outbox.surge
                 AND topic.value IN (SELECT id FROM subscriptions)""",
            (to_iso(at), after),
        )

    def topic_activity(
        self, sub_ids: Collection[int], *, now: datetime, week: timedelta
    ) -> list[TopicActivity]:
        """Each topic's stories in the hour up to ``now`` and in the ``week`` before that hour
        (from when it was followed, when that is later), and when it last surged: one
        statement per topic, each an index range of its own rows."""
        hour_ago, week_ago = to_iso(now - HOUR), to_iso(now - HOUR - week)
        found = []
        for sub_id in sorted(sub_ids):
            rows = self._dicts(
                """SELECT subscriptions.*,
                       (SELECT count(*) FROM topic_stories
                        WHERE subscription_id = :id AND at > :hour_ago) AS last_hour,
                       (SELECT count(*) FROM topic_stories
                        WHERE subscription_id = :id AND at <= :hour_ago
                          AND at > max(:week_ago, subscriptions.created_at)) AS before,
                       (SELECT max(at) FROM surges WHERE subscription_id = :id) AS last_surge
                   FROM subscriptions WHERE id = :id""",
                {"id": sub_id, "hour_ago": hour_ago, "week_ago": week_ago},
            )
            for row in rows:
                found.append(
                    TopicActivity(
                        SubscriptionRow.from_row(row),
                        last_hour=row["last_hour"],
                        before=row["before"],
                        followed_since=datetime.fromisoformat(row["created_at"]),
                        last_surge_at=from_iso(row["last_surge"]),
                    )
                )
        return found

    def add_surge(
        self, sub_id: int, surge: Surge, *, at: datetime, quiet_since: datetime, top: int
    ) -> Surge | None:
        """Queue the message that topic ``sub_id`` surges, found at ``at``, listing the ``top``
        stories of its last hour with the most outlets; None when it surged after
        ``quiet_since`` already (its cool-down: two polls may find the same surge) or has no
        story left to list. ``surge.top`` is filled in here."""
        with self._transaction():
            recent = self.conn.execute(
                "SELECT 1 FROM surges WHERE subscription_id = ? AND at > ?",
                (sub_id, to_iso(quiet_since)),
            ).fetchone()
            stories = self._top_stories(sub_id, since=at - HOUR, limit=top)
            if recent or not stories:
                return None
            found = Surge(
                surge.stories,
                surge.usual,
                surge.history_hours,
                tuple(SurgeStory(row["title"], row["url"], row["outlets"]) for row in stories),
                at,
            )
            first = stories[0]
            (outbox_id,) = self.conn.execute(
                """INSERT INTO outbox(chat_id, thread_id, article_id, subscription_ids, status,
                                      surge, created_at)
                   VALUES (?, ?, ?, json_array(?), ?, 1, ?) RETURNING id""",
                (
                    first["chat_id"],
                    first["thread_id"],
                    first["article_id"],
                    sub_id,
                    OutboxStatus.PENDING,
                    to_iso(at),
                ),
            ).fetchone()
            self.conn.execute(
                """INSERT INTO surges(outbox_id, subscription_id, at, stories, usual,
                                      history_hours, top)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    outbox_id,
                    sub_id,
                    to_iso(at),
                    found.stories,
                    found.usual,
                    found.history_hours,
                    json.dumps([[s.title, s.url, s.outlets] for s in found.top]),
                ),
            )
        return found

    def _top_stories(self, sub_id: int, *, since: datetime, limit: int) -> list[dict]:
        """The topic's stories since ``since``, those published by the most outlets (its
        first article's and its copies' sources) first, then the latest."""
        return self._dicts(
            """SELECT outbox.chat_id, outbox.thread_id, outbox.article_id,
                      articles.title, articles.url,
                      1 + (SELECT count(DISTINCT other.source) FROM outbox AS copy
                           JOIN articles AS other ON other.id = copy.article_id
                           WHERE copy.story_of = outbox.id AND other.source <> articles.source)
                          AS outlets
               FROM topic_stories
               JOIN outbox ON outbox.id = topic_stories.outbox_id
               JOIN articles ON articles.id = outbox.article_id
               WHERE topic_stories.subscription_id = ? AND topic_stories.at > ?
               ORDER BY outlets DESC, topic_stories.at DESC, outbox.id DESC
               LIMIT ?""",
            (sub_id, to_iso(since), limit),
        )

    def surged_topics(
        self, sub_ids: Collection[int], *, since: datetime, until: datetime
    ) -> set[int]:
        """The topics among ``sub_ids`` that surged after ``since`` and by ``until``: what a
        digest of that period marks."""
        return set(
            self._ints(
                """SELECT DISTINCT subscription_id AS n FROM surges
                   WHERE subscription_id IN (SELECT value FROM json_each(?))
                     AND at > ? AND at <= ?""",
                (json_ids(sub_ids), to_iso(since), to_iso(until)),
            )
        )

    def prune_topic_stories(self, older_than: datetime) -> int:
        """Forget the stories counted before ``older_than`` (no rate looks back that far)."""
        cur = self.conn.execute("DELETE FROM topic_stories WHERE at < ?", (to_iso(older_than),))
        return cur.rowcount

    def _surges_of(self, outbox_ids: Sequence[int]) -> dict[int, Surge]:
        """The surges the outbox rows ``outbox_ids`` tell of, by row."""
        return {
            row["outbox_id"]: Surge(
                row["stories"],
                row["usual"],
                row["history_hours"],
                tuple(
                    SurgeStory(title, url, outlets)
                    for title, url, outlets in json.loads(row["top"])
                ),
                datetime.fromisoformat(row["at"]),
            )
            for row in self._dicts(
                "SELECT * FROM surges WHERE outbox_id IN (SELECT value FROM json_each(?))",
                (json_ids(outbox_ids),),
            )
        }
