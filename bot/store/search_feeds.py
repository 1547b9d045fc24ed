"""The ``search_feeds`` and ``search_topics`` tables: the news searches kept for topics.

A search feed is a ``feeds`` row of origin ``search``, polled and matched like any other; what
this module adds is which query it asks and which topics use it, so that topics with the same
query share one feed, the caps hold, and a feed no active topic uses stops being polled
(``bot.news_search`` decides the queries).
"""

from __future__ import annotations

from bot.store.errors import SearchLimitReached
from bot.store.feeds import FeedsTable
from bot.store.rows import FeedRow, SearchLink, SearchWanted, SubscriptionRow
from bot.store.states import FeedOrigin, Paused

_USED = f"""EXISTS (SELECT 1 FROM search_topics JOIN subscriptions
                         ON subscriptions.id = search_topics.subscription_id
                     JOIN chats ON chats.id = subscriptions.chat_id
                     WHERE search_topics.feed_id = search_feeds.feed_id
                       AND subscriptions.paused = {int(Paused.NO)} AND chats.active)"""
"""Whether an active topic uses the search feed of the ``search_feeds`` row in scope."""


class SearchFeedsTable(FeedsTable):
    # Cold paths (a /subscribe, a change of the topics): hand-written SQL for the joins and the
    # conditional update sqlite-utils has no form for.

    def search_links(self) -> dict[int, SearchLink]:
        """Every topic's search: subscription id → the link."""
        rows = self._dicts(
            """SELECT subscription_id, search_topics.feed_id, rule, query, language, region
               FROM search_topics JOIN search_feeds USING (feed_id)"""
        )
        return {row["subscription_id"]: SearchLink(**row) for row in rows}

    def link_search(
        self, sub: SubscriptionRow, wanted: SearchWanted, *, max_feeds: int, max_per_chat: int
    ) -> tuple[FeedRow, bool]:
        """Link the topic ``sub`` to the search ``wanted`` (its only one), creating the feed
        unless another topic asks the same; returns the feed and whether it starts being
        polled now (new, or no active topic used it).

        SearchLimitReached when the chat's topics already use ``max_per_chat`` other searches,
        or a new feed would make more than ``max_feeds`` searches polled; the topic then has
        none.
        """
        with self._transaction():
            self.conn.execute("DELETE FROM search_topics WHERE subscription_id = ?", (sub.id,))
            existing = self._search_feed(wanted)
            used = self._ints(
                """SELECT DISTINCT feed_id AS n FROM search_topics
                   JOIN subscriptions ON subscriptions.id = subscription_id
                   WHERE chat_id = ?""",
                (sub.chat_id,),
            )
            if existing not in used and len(used) >= max_per_chat:
                raise SearchLimitReached(max_per_chat, per_chat=True)
            polled = existing is not None and self.get_feed(existing).enabled
            if not polled and self._polled_searches() >= max_feeds:
                raise SearchLimitReached(max_feeds, per_chat=False)
            if existing is None:
                feed = self.add_feed(
                    wanted.url,
                    name=wanted.query,
                    origin=FeedOrigin.SEARCH,
                    interval=wanted.interval,
                )
                self.conn.execute(
                    """INSERT INTO search_feeds(feed_id, query, key, language, region)
                       VALUES (?, ?, ?, ?, ?)""",
                    (feed.id, wanted.query, wanted.key, wanted.language, wanted.region),
                )
            else:
                # SQL: an update that leaves a polled feed as it is (no feeds_version bump).
                self.conn.execute(
                    "UPDATE feeds SET enabled = 1 WHERE id = ? AND NOT enabled", (existing,)
                )
                feed = self.get_feed(existing)
            self.conn.execute(
                "INSERT INTO search_topics(subscription_id, feed_id, rule) VALUES (?, ?, ?)",
                (sub.id, feed.id, sub.rule),
            )
        return feed, not polled

    def unlink_search(self, subscription_id: int) -> None:
        """The topic no longer uses a search (its rule cannot be one, or news search is off)."""
        self.conn.execute("DELETE FROM search_topics WHERE subscription_id = ?", (subscription_id,))

    def poll_used_searches(self) -> int:
        """Poll the search feeds some active topic uses and only those (a topic paused,
        removed or relinked, a chat gone or back); returns how many were switched."""
        changed = self.conn.execute(
            f"""UPDATE feeds SET enabled = used.yes
                FROM (SELECT feed_id, {_USED} AS yes FROM search_feeds) AS used
                WHERE feeds.id = used.feed_id AND feeds.enabled != used.yes
                  AND feeds.origin = ?""",
            (FeedOrigin.SEARCH,),
        )
        return changed.rowcount

    def chat_searches(self, chat_id: int) -> list[FeedRow]:
        """The search feeds the chat's own topics use (paused ones too): what its /feeds may
        name, since a query tells what a topic follows."""
        rows = self._dicts(
            """SELECT feeds.*, (SELECT count(*) FROM articles
                                WHERE articles.feed_id = feeds.id) AS articles
               FROM feeds WHERE feeds.id IN (
                   SELECT feed_id FROM search_topics
                   JOIN subscriptions ON subscriptions.id = subscription_id
                   WHERE chat_id = ?)
               ORDER BY feeds.id""",
            (chat_id,),
        )
        return [FeedRow.from_row(row) for row in rows]

    def _search_feed(self, wanted: SearchWanted) -> int | None:
        ids = self._ints(
            "SELECT feed_id AS n FROM search_feeds WHERE key = ? AND language = ? AND region = ?",
            (wanted.key, wanted.language, wanted.region),
        )
        return ids[0] if ids else None

    def _polled_searches(self) -> int:
        (count,) = self.conn.execute(
            "SELECT count(*) FROM feeds WHERE origin = ? AND enabled", (FeedOrigin.SEARCH,)
        ).fetchone()
        return int(count)
