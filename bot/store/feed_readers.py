"""Feeds that chats bring: which chats added each private feed (``feed_readers``), and the
requests waiting for an operator's approval (``feed_requests``).

A private feed is one ``feeds`` row however many chats added it, so it is polled once; its
articles are matched and searched only for its readers (:data:`VISIBLE_TO`). When its last
reader removes it, it is removed as an operator's /removefeed removes a feed: no longer
polled, its articles kept until pruned so that they never alert again.
"""

from __future__ import annotations

from collections import defaultdict

from bot.clock import utcnow
from bot.sources import PageSelectors, Source
from bot.store.chats import ChatsTable
from bot.store.feeds import _FEED_SELECT, FeedsTable, selectors_json
from bot.store.rows import FeedRequest, FeedRow, to_iso
from bot.store.states import FeedOrigin

VISIBLE_TO = f"""(feeds.origin != '{FeedOrigin.PRIVATE}' OR EXISTS (SELECT 1 FROM feed_readers
    WHERE feed_readers.feed_id = feeds.id AND feed_readers.chat_id = ?))"""
"""The SQL condition that a row of ``feeds`` is one the chat given as its parameter may read
from: shared, or brought by that chat."""


class FeedReadersTable(FeedsTable, ChatsTable):
    def add_chat_feed(
        self, chat_id: int, source: Source, *, name: str | None, interval: int | None
    ) -> FeedRow:
        """Make ``source`` one of the chat's own feeds, polled every ``interval`` seconds (the
        chat feeds' minimum, when longer than the default); a shared feed with this URL stays
        shared and is returned as it is (the caller says it is watched already)."""
        with self._transaction():
            feed = self.add_feed(
                source.url,
                name=name,
                origin=FeedOrigin.PRIVATE,
                kind=source.kind,
                selectors=source.selectors,
            )
            if feed.origin is not FeedOrigin.PRIVATE:
                return feed
            if self.get_chat(chat_id) is None:
                self.upsert_chat(chat_id)
            self.conn.execute(
                "INSERT OR IGNORE INTO feed_readers(feed_id, chat_id, added_at) VALUES (?, ?, ?)",
                (feed.id, chat_id, to_iso(utcnow())),
            )
            self.conn.execute("UPDATE feeds SET interval = ? WHERE id = ?", (interval, feed.id))
        return self.get_feed(feed.id)

    def share_feed(self, feed_id: int) -> FeedRow:
        """An operator added a feed that chats brought: it becomes shared by every chat (its
        readers' quotas no longer count it) and follows the default poll interval."""
        with self._transaction():
            self.conn.execute(
                "UPDATE feeds SET origin = ?, interval = NULL WHERE id = ? AND origin = ?",
                (FeedOrigin.CHAT, feed_id, FeedOrigin.PRIVATE),
            )
            self.conn.execute("DELETE FROM feed_readers WHERE feed_id = ?", (feed_id,))
        return self.get_feed(feed_id)

    def chat_feeds(self, chat_id: int) -> list[FeedRow]:
        """The chat's own feeds, in the order it added them."""
        rows = self._dicts(
            _FEED_SELECT
            + """ JOIN feed_readers ON feed_readers.feed_id = feeds.id
                  WHERE feed_readers.chat_id = ? AND feeds.enabled
                  ORDER BY feed_readers.added_at, feeds.id""",
            (chat_id,),
        )
        return [FeedRow.from_row(row) for row in rows]

    def shared_feeds(self) -> list[FeedRow]:
        """The operators' feeds (config file, /addfeed by an operator, OPML from the CLI); not
        the news searches, which come and go with the topics that use them."""
        rows = self._dicts(
            _FEED_SELECT + " WHERE enabled AND origin NOT IN (?, ?) ORDER BY id",
            (FeedOrigin.PRIVATE, FeedOrigin.SEARCH),
        )
        return [FeedRow.from_row(row) for row in rows]

    def remove_chat_feed(self, chat_id: int, feed_id: int) -> bool:
        """The chat no longer reads the feed; True when no chat does any more and the feed
        was removed with it."""
        with self._transaction():
            self.conn.execute(
                "DELETE FROM feed_readers WHERE feed_id = ? AND chat_id = ?", (feed_id, chat_id)
            )
            (left,) = self.conn.execute(
                "SELECT count(*) FROM feed_readers WHERE feed_id = ?", (feed_id,)
            ).fetchone()
            if left:
                return False
            self.remove_feed(feed_id)
        return True

    def readers_of(self, feed_id: int) -> frozenset[int] | None:
        """The chats whose topics the feed's articles are matched against: None for a shared
        feed (every chat's), else the chats that brought it (none, once all removed it)."""
        origin = self.conn.execute("SELECT origin FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        if origin is None or origin[0] != FeedOrigin.PRIVATE:
            return None
        rows = self.conn.execute("SELECT chat_id FROM feed_readers WHERE feed_id = ?", (feed_id,))
        return frozenset(chat_id for (chat_id,) in rows)

    def all_readers(self) -> dict[int, list[int]]:
        """Each private feed's readers (feed id → chat ids): whom its failures are told to."""
        readers: dict[int, list[int]] = defaultdict(list)
        for feed_id, chat_id in self.conn.execute(
            "SELECT feed_id, chat_id FROM feed_readers ORDER BY feed_id, chat_id"
        ):
            readers[feed_id].append(chat_id)
        return dict(readers)

    def request_feed(self, chat_id: int, source: Source, title: str | None) -> FeedRequest:
        """Keep a chat's /addfeed for an operator to approve or refuse."""
        if self.get_chat(chat_id) is None:
            self.upsert_chat(chat_id)
        (request_id,) = self.conn.execute(
            """INSERT INTO feed_requests(chat_id, url, title, selectors, requested_at)
               VALUES (?, ?, ?, ?, ?) RETURNING id""",
            (chat_id, source.url, title, selectors_json(source.selectors), to_iso(utcnow())),
        ).fetchone()
        return FeedRequest(request_id, chat_id, source.url, title, source.selectors)

    def take_feed_request(self, request_id: int) -> FeedRequest | None:
        """The request, removed (an operator answered it); None when another operator's
        answer took it already."""
        row = self.conn.execute(
            "DELETE FROM feed_requests WHERE id = ? RETURNING id, chat_id, url, title, selectors",
            (request_id,),
        ).fetchone()
        if row is None:
            return None
        request_id, chat_id, url, title, selectors = row
        read = PageSelectors.from_json(selectors) if selectors else None
        return FeedRequest(request_id, chat_id, url, title, read)
