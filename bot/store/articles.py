"""The ``articles`` table and its full-text index (``article_words``, the words as rules fold
them): what was seen (so nothing alerts twice), and what /search looks through."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.article import Article
from bot.store.connection import Connected
from bot.store.errors import UnknownRow
from bot.store.feed_readers import VISIBLE_TO
from bot.store.rows import StoredArticle, from_iso, to_iso
from bot.store.states import OutboxStatus

_ARTICLE_SELECT = "SELECT articles.*, feeds.url AS feed_url FROM articles"
DATED = "min(coalesce(published_at, seen_at), seen_at)"
"""An article's date for a search's window: when it was published, else when it was stored,
and never later than it was stored (a feed whose clock is ahead). Written as the index
``articles_dated`` (migration v11) is, so that SQLite uses it."""
_WITH_FEED = " JOIN feeds ON feeds.id = feed_id"


class ArticlesTable(Connected):
    # Storing a poll is the hot path: a handful of statements whatever its size (see
    # connection.values), hand-written SQL. Reads join the feed's URL, searches are FTS5.

    def add_articles(
        self, feed_id: int, articles: Iterable[Article], *, seen_at: datetime
    ) -> list[StoredArticle]:
        """Store what is new and return only that.

        An article is old when its feed already has its id or any feed already has its
        canonical URL (the same story syndicated with other tracking parameters); of two
        entries of one call with the same id or URL, the first is stored. The whole batch is a
        handful of statements, whatever its size (see :func:`bot.store.connection.values`).
        """
        with self._transaction():
            new = self._new_articles(feed_id, list(articles))
            if not new:
                return []
            (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
            seen = to_iso(seen_at)
            rows = [
                (
                    feed_id,
                    article.id,
                    article.url,
                    article.title,
                    article.text,
                    to_iso(article.published) if article.published else None,
                    seen,
                    article.source,
                    article.language,
                    json.dumps(list(article.authors), ensure_ascii=False),
                    json.dumps(list(article.tags), ensure_ascii=False),
                )
                for article in new
            ]
            for sql, params in self._batches(rows):
                self.conn.execute(
                    """INSERT INTO articles(feed_id, guid, url, title, text, published_at,
                           seen_at, source, language, authors, tags) """
                    + sql,
                    params,
                )
            # Rows after ``last`` are this transaction's, in the order they were inserted.
            rowids = sorted(self._ints("SELECT id AS n FROM articles WHERE id > ?", (last,)))
            # FTS5 writes its pending terms out as an index segment at every statement, so the
            # poll's articles go in with one statement: one segment per poll (see migration v2).
            self.conn.execute(
                """INSERT INTO article_words(rowid, title, text, source)
                   SELECT id, rule_words(title), rule_words(text), rule_source(source, url)
                   FROM articles WHERE id > ?""",
                (last,),
            )
        return [
            StoredArticle(rowid, feed_id, article, seen_at, None)
            for rowid, article in zip(rowids, new, strict=True)
        ]

    def unseen_articles(self, feed_id: int, articles: Iterable[Article]) -> list[Article]:
        """The articles ``add_articles`` would store now, without storing them.

        Lets the pipeline spend work on new entries only (fetching a teaser's full page),
        under the same rule: not this feed's id, not any feed's canonical URL.
        """
        return self._new_articles(feed_id, list(articles))

    def _new_articles(self, feed_id: int, articles: list[Article]) -> list[Article]:
        """Those of ``articles`` that are new: not known, and first of the batch with their id
        and URL."""
        known: set[int] = set()
        rows = [(position, article.id, article.url) for position, article in enumerate(articles)]
        for sql, params in self._batches(rows):
            known.update(
                self._ints(
                    f"""WITH batch(position, guid, url) AS ({sql})
                        SELECT position AS n FROM batch
                        WHERE EXISTS (SELECT 1 FROM articles
                                      WHERE articles.feed_id = ? AND articles.guid = batch.guid)
                           OR EXISTS (SELECT 1 FROM articles WHERE articles.url = batch.url)""",
                    (*params, feed_id),
                )
            )
        new: list[Article] = []
        ids: set[str] = set()
        urls: set[str] = set()
        for position, article in enumerate(articles):
            if position in known or article.id in ids or article.url in urls:
                continue
            new.append(article)
            ids.add(article.id)
            if article.url:
                urls.add(article.url)
        return new

    def set_stories(self, stories: Mapping[int, int]) -> None:
        """Record which story each article repeats (article rowid → the story's first
        article), in one transaction."""
        with self._transaction():
            for sql, params in self._batches(list(stories.items())):
                self.conn.execute(
                    f"""WITH story(rowid, first) AS ({sql})
                        UPDATE articles SET story_id = story.first FROM story
                        WHERE articles.id = story.rowid""",
                    params,
                )

    def get_article(self, rowid: int) -> StoredArticle:
        rows = self._dicts(_ARTICLE_SELECT + _WITH_FEED + " WHERE articles.id = ?", (rowid,))
        if not rows:
            raise UnknownRow(f"there is no article with id {rowid}")
        return _stored(rows[0])

    def article_in_feed(self, feed_id: int, guid: str) -> StoredArticle | None:
        """The article feed ``feed_id`` gave the id ``guid``, if it is stored (the key the
        story memory knows an article by)."""
        rows = self._dicts(
            _ARTICLE_SELECT + _WITH_FEED + " WHERE articles.feed_id = ? AND guid = ?",
            (feed_id, guid),
        )
        return _stored(rows[0]) if rows else None

    def recent_articles(
        self, since: datetime, limit: int | None = None, *, reader: int | None
    ) -> list[StoredArticle]:
        """Articles first seen since ``since``, newest first (for previews and story memory);
        with ``reader``, only those of the feeds that chat may read (:data:`VISIBLE_TO`)."""
        visible, params = _visible(reader)
        sql = (
            _ARTICLE_SELECT
            + _WITH_FEED
            + f""" WHERE seen_at >= ? AND {visible}
                   ORDER BY coalesce(published_at, seen_at) DESC, articles.id DESC"""
        )
        params = [to_iso(since), *params]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_stored(row) for row in self._dicts(sql, params)]

    def alerted_articles(self, since: datetime) -> list[StoredArticle]:
        """Articles seen since ``since`` that matched someone, oldest first (story memory)."""
        rows = self._dicts(
            _ARTICLE_SELECT
            + _WITH_FEED
            + """ WHERE seen_at >= ? AND articles.id IN (SELECT article_id FROM outbox)
                  ORDER BY articles.id""",
            (to_iso(since),),
        )
        return [_stored(row) for row in rows]

    def search_articles(self, query: str, limit: int = 20) -> list[StoredArticle]:
        """Full-text search (FTS5 syntax) over titles and bodies, best match first.

        Words are compared folded as rules fold them (``article_words``): ``elysee`` finds
        ``Élysée``; ASCII letters in ``query`` may be in any case, other letters folded.
        """
        # SQL: FTS5's own rank (sqlite-utils' search() orders by its own bm25 expression).
        rows = self._dicts(
            """SELECT articles.*, feeds.url AS feed_url FROM article_words
               JOIN articles ON articles.id = article_words.rowid JOIN feeds ON feeds.id = feed_id
               WHERE article_words MATCH ? ORDER BY rank LIMIT ?""",
            ("{title text} : (" + query + ")", limit),
        )
        return [_stored(row) for row in rows]

    def oldest_article_dated(self) -> datetime | None:
        """The date (:data:`DATED`) of the oldest stored article: how far back a search can
        go, counted as its window is."""
        (oldest,) = self.conn.execute(f"SELECT min({DATED}) FROM articles").fetchone()
        return from_iso(oldest)

    def newest_article_id(self) -> int:
        """The id of the latest stored article (0 for none): where a search's window ends."""
        (newest,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()
        return int(newest)

    def search_candidates(
        self,
        match: str | None,
        *,
        since: datetime | None,
        before: int,
        limit: int,
        reader: int | None,
    ) -> list[StoredArticle]:
        """Up to ``limit`` articles with ids below ``before`` dated (:data:`DATED`: published,
        else stored) since ``since``, latest stored first, narrowed to those FTS5 ``match``
        finds in ``article_words`` (the words as rules fold them) when given.

        The candidates of a /search (``bot.search``), whose rule then decides. Ids are in the
        order articles were stored, which FTS5 walks backwards without sorting; an article
        dated since ``since`` was stored since then too (its date is never later), so
        ``since`` is turned into the first id stored in the window (``articles_seen`` index)
        and the walk stops there rather than at the oldest match in the store. With
        ``reader``, only articles of the feeds that chat may read (:data:`VISIBLE_TO`).
        """
        visible, shown_to = _visible(reader)
        first = 0
        if since is not None:
            (found,) = self.conn.execute(
                "SELECT min(id) FROM articles WHERE seen_at >= ?", (to_iso(since),)
            ).fetchone()
            if found is None:
                return []
            first = found
        dated = to_iso(since) if since is not None else ""
        if match is None:
            sql = (
                _ARTICLE_SELECT
                + _WITH_FEED
                + f""" WHERE articles.id >= ? AND articles.id < ? AND {DATED} >= ?
                       AND {visible} ORDER BY articles.id DESC LIMIT ?"""
            )
            params: tuple[Any, ...] = (first, before, dated, *shown_to, limit)
        else:
            sql = f"""SELECT articles.*, feeds.url AS feed_url FROM article_words
                      JOIN articles ON articles.id = article_words.rowid
                      JOIN feeds ON feeds.id = feed_id
                      WHERE article_words MATCH ? AND article_words.rowid >= ?
                        AND article_words.rowid < ? AND {DATED} >= ? AND {visible}
                      ORDER BY article_words.rowid DESC LIMIT ?"""
            params = (match, first, before, dated, *shown_to, limit)
        return [_stored(row) for row in self._dicts(sql, params)]

    def prune_articles(self, older_than: datetime) -> int:
        """Delete old articles, but never one an outbox row still refers to unsent.

        Settled outbox rows go with them, except a story's first alert that a row being kept
        (newer, or a copy still waiting to be shown) points at.
        """
        with self._transaction():
            self.conn.execute(
                """DELETE FROM outbox WHERE status NOT IN (:pending, :merged) AND created_at < :t
                   AND id NOT IN (SELECT story_of FROM outbox AS copy
                                  WHERE copy.story_of IS NOT NULL AND (copy.created_at >= :t
                                        OR copy.status IN (:pending, :merged)))""",
                {
                    "t": to_iso(older_than),
                    "pending": OutboxStatus.PENDING,
                    "merged": OutboxStatus.MERGED,
                },
            )
            old = """FROM articles WHERE seen_at < ?
                     AND id NOT IN (SELECT article_id FROM outbox)"""
            self.conn.execute(
                """INSERT INTO article_words(article_words, rowid, title, text, source)
                   SELECT 'delete', id, rule_words(title), rule_words(text),
                          rule_source(source, url) """
                + old,
                (to_iso(older_than),),
            )
            cur = self.conn.execute("DELETE " + old, (to_iso(older_than),))
        return cur.rowcount


def _stored(row: dict[str, Any]) -> StoredArticle:
    return StoredArticle.from_row(row, row["feed_url"])


def _visible(reader: int | None) -> tuple[str, list[Any]]:
    """The condition (and its parameters) that keeps the articles ``reader`` may read; every
    article when None (the operator's CLI, the bot's own story memory)."""
    if reader is None:
        return "1", []
    return VISIBLE_TO, [reader]
