"""One poll's writes as one transaction: its new articles, their stories and their alerts.

Spans ``articles`` and ``outbox`` (hence a mixin over both); the pipeline's hot path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.article import Article
from bot.store.articles import ArticlesTable
from bot.store.errors import PollWriteAborted
from bot.store.outbox import OutboxTable
from bot.store.rows import StoredPoll


class PollsTable(ArticlesTable, OutboxTable):
    _poll_writes_stopped = False

    def store_poll(
        self,
        feed_id: int,
        articles: Sequence[Article],
        *,
        seen_at: datetime,
        matches: Mapping[tuple[int, str], Sequence[int]] | None = None,
        thread_ids: Mapping[int, int | None] | None = None,
        stories: Mapping[str, tuple[int, str]] | None = None,
    ) -> StoredPoll:
        """Store a poll's new articles, their stories and their alerts in one transaction.

        An article counts as seen once stored, and is never matched again: were the articles
        committed before their outbox rows, a crash, a stop or a lock in between would lose
        those alerts for good. So it is all or nothing. ``matches`` and ``stories`` name
        articles by id (they are matched and clustered before they have rows):
        ``matches[(chat_id, article id)]`` lists the subscriptions an article matched (see
        :meth:`enqueue_alerts`), ``stories[article id]`` is the ``(feed_id, article id)`` of
        the first article of the story it repeats, stored before or in this poll. Articles
        that turn out not to be new (:meth:`add_articles`) are left out with their matches.
        The new stories are counted for their topics at ``seen_at``, for surges.
        """
        self._check_stopped()
        with self._transaction():
            stored = self.add_articles(feed_id, articles, seen_at=seen_at)
            rowids = {s.article.id: s.rowid for s in stored}
            firsts = self._story_rowids(stories or {}, rowids)
            if firsts:
                self.set_stories(firsts)
            (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()
            alerts = self.enqueue_alerts(
                {
                    (chat_id, rowids[guid]): sub_ids
                    for (chat_id, guid), sub_ids in (matches or {}).items()
                    if guid in rowids
                },
                thread_ids=thread_ids,
                stories=firsts,
            )
            if alerts:
                self._record_topic_stories(after=last, at=seen_at)
            self._check_stopped()
        return StoredPoll(stored, alerts)

    def stop_poll_writes(self) -> None:
        """From now on, :meth:`store_poll` rolls back instead of committing, the one running
        included; callable from any thread (the bot calls it when a stop has waited long
        enough for polls being stored). Nothing is lost: their articles stay unseen.

        The one running is not interrupted: its statements end, then it rolls back (another
        writer's statement must not fail on our account).
        """
        self._poll_writes_stopped = True

    def _check_stopped(self) -> None:
        if self._poll_writes_stopped:
            raise PollWriteAborted("rolled back: the bot is stopping")

    def _story_rowids(
        self, stories: Mapping[str, tuple[int, str]], rowids: Mapping[str, int]
    ) -> dict[int, int]:
        """Rowid → the rowid of its story's first article, for the stored ones of ``stories``
        whose first article is stored (in this poll or before)."""
        pairs = [(rowids[guid], *first) for guid, first in stories.items() if guid in rowids]
        found: dict[int, int] = {}
        for sql, params in self._batches(pairs):
            rows = self.conn.execute(
                f"""WITH story(rowid, feed_id, guid) AS ({sql})
                    SELECT story.rowid, articles.id FROM story
                    JOIN articles ON articles.feed_id = story.feed_id
                        AND articles.guid = story.guid""",
                params,
            ).fetchall()
            found.update((rowid, first) for rowid, first in rows if rowid != first)
        return found
