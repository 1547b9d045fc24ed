"""The ``feeds`` table: what to poll, and what each poll learned (validators, errors, moves)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from bot.clock import utcnow
from bot.sources import FeedKind, PageSelectors
from bot.store.connection import Connected
from bot.store.errors import UnknownRow
from bot.store.rows import FeedRow, PollOutcome, to_iso
from bot.store.states import FAILED_POLLS, FeedOrigin, PollStatus

if TYPE_CHECKING:
    from bot.config import FeedSpec

_FEED_SELECT = """
SELECT feeds.*, (SELECT count(*) FROM articles WHERE articles.feed_id = feeds.id) AS articles
FROM feeds
"""


class FeedsTable(Connected):
    # Feeds are written with upserts that keep columns a plain upsert would overwrite
    # (created_at, a configured name), and read with their article counts: hand-written SQL.
    # The scheduler lists them and every poll records into them, so these are hot paths too.

    def sync_config_feeds(self, specs: Iterable[FeedSpec]) -> list[FeedRow]:
        """Merge the config file's feeds with stored ones: one row per URL, never two.

        A config feed that left the file is disabled (its articles stay for dedup). One an
        operator removed stays off although the file lists it: the file is read at every
        start and CLI command, and switching it back on each time made a removal last until
        the next one. Returns those feeds, for the daemon to name at start.
        """
        specs = list(specs)
        with self._transaction():
            for spec in specs:
                source = spec.source
                self.conn.execute(
                    """INSERT INTO feeds(url, name, origin, interval, full_text, created_at,
                           kind, selectors)
                       VALUES (:url, :name, :origin, :interval, :full_text, :created_at,
                           :kind, :selectors)
                       ON CONFLICT(url) DO UPDATE SET name = excluded.name, origin = :origin,
                           interval = excluded.interval, full_text = excluded.full_text,
                           enabled = feeds.removed_at IS NULL, kind = excluded.kind,
                           selectors = excluded.selectors""",
                    {
                        "url": source.url,
                        "kind": source.kind,
                        "selectors": selectors_json(source.selectors),
                        "name": spec.name,
                        "origin": FeedOrigin.CONFIG,
                        "interval": spec.interval,
                        "full_text": int(spec.full_text),
                        "created_at": to_iso(utcnow()),
                    },
                )
            urls = [spec.source.url for spec in specs]
            marks = ",".join("?" * len(urls))
            # Once the file no longer lists it, an operator's removal has nothing left to
            # hold off: the mark goes, so listing the feed again brings it back.
            self.conn.execute(
                f"""UPDATE feeds SET enabled = 0, removed_at = NULL
                    WHERE origin = ? AND url NOT IN ({marks})""",
                (FeedOrigin.CONFIG, *urls),
            )
            removed = self._dicts(
                _FEED_SELECT + " WHERE origin = ? AND removed_at IS NOT NULL ORDER BY id",
                (FeedOrigin.CONFIG,),
            )
        return [FeedRow.from_row(row) for row in removed]

    def add_feed(
        self,
        url: str,
        *,
        name: str | None = None,
        origin: FeedOrigin = FeedOrigin.CHAT,
        interval: int | None = None,
        full_text: bool = False,
        kind: FeedKind = FeedKind.FEED,
        selectors: PageSelectors | None = None,
    ) -> FeedRow:
        """Add a feed, or re-enable the one with this URL (an operator's removal undone).

        Re-enabling a feed makes it the adder's (``origin``): a feed that left the config file
        and came back by /addfeed must not be disabled again by the next config sync. A page
        added again takes the selectors given this time.
        """
        self.conn.execute(
            """INSERT INTO feeds(url, name, origin, interval, full_text, created_at, kind,
                   selectors)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET enabled = 1, removed_at = NULL,
                   origin = CASE WHEN feeds.enabled THEN feeds.origin ELSE excluded.origin END,
                   name = coalesce(excluded.name, feeds.name), kind = excluded.kind,
                   selectors = excluded.selectors""",
            (
                url,
                name,
                origin,
                interval,
                int(full_text),
                to_iso(utcnow()),
                kind,
                selectors_json(selectors),
            ),
        )
        feed = self.feed_by_url(url)
        assert feed is not None, "written just above"
        return feed

    def feed_by_url(self, url: str) -> FeedRow | None:
        rows = self._dicts(_FEED_SELECT + " WHERE url = ?", (url,))
        return FeedRow.from_row(rows[0]) if rows else None

    def get_feed(self, feed_id: int) -> FeedRow:
        rows = self._dicts(_FEED_SELECT + " WHERE id = ?", (feed_id,))
        if not rows:
            raise UnknownRow(f"there is no feed with id {feed_id}")
        return FeedRow.from_row(rows[0])

    def list_feeds(self, *, enabled_only: bool = True) -> list[FeedRow]:
        where = " WHERE enabled" if enabled_only else ""
        return [FeedRow.from_row(row) for row in self._dicts(_FEED_SELECT + where + " ORDER BY id")]

    def remove_feed(self, feed_id: int) -> None:
        """Stop polling a feed, an operator's decision that outlasts the config file listing
        it (see :meth:`sync_config_feeds`); its articles stay until pruned so they never alert
        again."""
        # SQL: an unknown id is no error (sqlite-utils' update raises NotFoundError).
        self.conn.execute(
            "UPDATE feeds SET enabled = 0, removed_at = ? WHERE id = ?",
            (to_iso(utcnow()), feed_id),
        )

    def feeds_version(self) -> int:
        """A counter that changes whenever the feeds to poll may have changed (added, enabled,
        disabled, given another interval), whichever process changed them."""
        # SQL: read every minute by the daemon's scheduler; the same form as
        # subscriptions_version.
        (version,) = self.conn.execute(
            "SELECT value FROM meta WHERE key = 'feeds_version'"
        ).fetchone()
        return int(version)

    def polled_feeds(self) -> dict[int, int | None]:
        """Each enabled feed's id and its own interval (None: the ``[polling]`` default): what
        the scheduler compares its jobs with, without the article counts of a full listing."""
        rows = self.conn.execute("SELECT id, interval FROM feeds WHERE enabled")
        return dict(rows.fetchall())

    def record_polls(self, polls: Sequence[tuple[int, PollOutcome]]) -> None:
        """Write what each poll learned onto its feed, in one UPDATE for all (the pipeline
        gathers the polls that finish while one such write runs); a feed that moved for good
        gets its new URL in the same transaction. Of two polls of one feed, the later counts."""
        latest = dict(polls)
        rows = [_poll_row(feed_id, outcome) for feed_id, outcome in latest.items()]
        moved = [
            (outcome.new_url, feed_id) for feed_id, outcome in latest.items() if outcome.new_url
        ]
        # Without a move the UPDATE is its own transaction: BEGIN and COMMIT would be two more
        # statements, each a wait for the GIL (see connection.values).
        with self._transaction() if moved else contextlib.nullcontext():
            for sql, params in self._batches(rows):
                self.conn.execute(
                    f"""WITH poll(id, polled_at, status, next_poll_at, error, failed,
                            keep_validators, etag, last_modified, title, ttl, fulltext_failures)
                            AS ({sql})
                        UPDATE feeds SET polls = polls + 1, last_polled_at = poll.polled_at,
                            last_status = poll.status, next_poll_at = poll.next_poll_at,
                            last_error = poll.error,
                            error_count = CASE WHEN poll.failed THEN error_count + 1 ELSE 0 END,
                            failing_since = CASE WHEN poll.failed
                                THEN coalesce(failing_since, poll.polled_at) ELSE NULL END,
                            etag = CASE WHEN poll.keep_validators
                                THEN feeds.etag ELSE poll.etag END,
                            last_modified = CASE WHEN poll.keep_validators
                                THEN feeds.last_modified ELSE poll.last_modified END,
                            title = coalesce(poll.title, feeds.title),
                            ttl_minutes = coalesce(poll.ttl, ttl_minutes),
                            fulltext_failures = feeds.fulltext_failures + poll.fulltext_failures,
                            enabled = CASE WHEN poll.status = ? THEN 0 ELSE enabled END
                        FROM poll WHERE feeds.id = poll.id""",
                    (*params, PollStatus.GONE),
                )
            for new_url, feed_id in moved:
                if self.feed_by_url(new_url) is None:
                    self.conn.execute("UPDATE feeds SET url = ? WHERE id = ?", (new_url, feed_id))


def selectors_json(selectors: PageSelectors | None) -> str | None:
    """A page's selectors as the ``selectors`` columns keep them; None for other kinds."""
    return selectors.to_json() if selectors else None


def _poll_row(feed_id: int, outcome: PollOutcome) -> tuple[Any, ...]:
    """A poll's values for :meth:`FeedsTable.record_polls`. A failed poll keeps the validators
    (the content they describe is still what we have), and so does a 304."""
    failed = outcome.status in FAILED_POLLS
    return (
        feed_id,
        to_iso(outcome.polled_at),
        outcome.status,
        to_iso(outcome.next_poll_at),
        outcome.error,
        failed,
        failed or outcome.status == PollStatus.NOT_MODIFIED,
        outcome.etag,
        outcome.last_modified,
        outcome.title,
        outcome.ttl_minutes,
        outcome.fulltext_failures,
    )
