"""The ``outbox`` table: every alert, written before it is sent and marked sent only after.

Everything here is on a hot path (a poll queues its alerts in its transaction, the sender's
loop reads and settles rows a few times a second), so it is hand-written SQL that takes a
handful of statements whatever the batch (see :func:`bot.store.connection.values`). The
states are the enums' values, written into the SQL text as the constants they are.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from bot.clock import utcnow
from bot.store.connection import Row, json_ids
from bot.store.errors import UnknownRow
from bot.store.rows import (
    ChatRow,
    Delivered,
    OutboxRow,
    StoredArticle,
    StoryCopy,
    StoryUpdate,
    SubscriptionRow,
    from_iso,
    to_iso,
)
from bot.store.states import OutboxStatus, ShownAs
from bot.store.surges import SurgesTable


def _literal(state: StrEnum) -> str:
    """A state as an SQL string literal (the enums' values are plain words)."""
    return f"'{state}'"


PENDING = _literal(OutboxStatus.PENDING)
SENT = _literal(OutboxStatus.SENT)
FAILED = _literal(OutboxStatus.FAILED)
MERGED = _literal(OutboxStatus.MERGED)
ALSO = _literal(ShownAs.ALSO)


class OutboxTable(SurgesTable):
    def enqueue_alerts(
        self,
        matches: Mapping[tuple[int, int], Sequence[int]],
        *,
        thread_ids: Mapping[int, int | None] | None = None,
        stories: Mapping[int, int] | None = None,
    ) -> int:
        """Write one pending row per (chat, forum thread, article) listing every subscription of
        that thread the article matched.

        ``matches`` lists per (chat, article) the matched subscriptions; ``thread_ids`` maps a
        subscription id to its forum thread (absent: none), so an article that matches topics
        of two threads of a forum is an alert in each. ``stories`` maps an article to the
        first article of its story: when that thread already has an alert for the story, this
        row is a "merged" copy, shown as "Also: <source>" on that alert instead of a new
        message. A row that already exists is left as it is, so a re-match after a restart
        cannot send twice. Returns how many new messages were queued (merged copies not
        counted). (The story's alert is its first row there: a surge naming the same article
        comes later.)
        """
        thread_ids = thread_ids or {}
        stories = stories or {}
        per_thread: dict[tuple[int, int | None, int], list[int]] = {}
        for (chat_id, rowid), sub_ids in matches.items():
            for sub_id in sub_ids:
                per_thread.setdefault((chat_id, thread_ids.get(sub_id), rowid), []).append(sub_id)
        rows = [
            (chat_id, thread_id, rowid, json.dumps(sorted(sub_ids)), stories.get(rowid))
            for (chat_id, thread_id, rowid), sub_ids in per_thread.items()
        ]
        if not rows:
            return 0
        created_at = to_iso(utcnow())
        with self._transaction():
            (last,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()
            # The first articles of stories go in before the copies, which look their alerts up.
            for batch in ([r for r in rows if r[4] is None], [r for r in rows if r[4] is not None]):
                for sql, params in self._batches(batch):
                    self.conn.execute(
                        f"""INSERT OR IGNORE INTO outbox(chat_id, thread_id, article_id,
                                subscription_ids, status, story_of, created_at)
                            SELECT chat_id, thread_id, article_id, subscription_ids,
                                   CASE WHEN story_of IS NULL THEN {PENDING} ELSE {MERGED} END,
                                   story_of, ?
                            FROM (SELECT column1 AS chat_id, column2 AS thread_id,
                                         column3 AS article_id, column4 AS subscription_ids,
                                         (SELECT min(id) FROM outbox WHERE chat_id = column1
                                             AND ifnull(thread_id, 0) = ifnull(column2, 0)
                                             AND article_id = column5 AND story_of IS NULL)
                                             AS story_of
                                  FROM ({sql}))""",
                        (created_at, *params),
                    )
            (created,) = self.conn.execute(
                f"SELECT count(*) FROM outbox WHERE id > ? AND status = {PENDING}", (last,)
            ).fetchone()
        return int(created)

    def story_updates(self) -> list[StoryUpdate]:
        """Copies of a story whose first alert has settled, with what that alert names.

        A copy waits (status ``merged``) while its first alert is pending; once that alert is
        sent or failed, the sender either names the copy on it or sends the copy on its own.
        Chats that blocked the bot are left until they come back.
        """
        originals = self._dicts(
            f"""SELECT * FROM outbox WHERE id IN (
                   SELECT copy.story_of FROM outbox AS copy
                   JOIN outbox AS original ON original.id = copy.story_of
                   JOIN chats ON chats.id = original.chat_id
                   WHERE copy.status = {MERGED} AND original.status IN ({SENT}, {FAILED})
                     AND chats.active)
               ORDER BY id"""
        )
        if not originals:
            return []
        copies: dict[int, list[Row]] = {}
        for copy in self._dicts(
            f"""SELECT outbox.id, outbox.story_of, outbox.status, outbox.shown_as,
                      articles.source, articles.url
               FROM outbox JOIN articles ON articles.id = outbox.article_id
               WHERE outbox.story_of IN (SELECT value FROM json_each(?))
                 AND (outbox.status = {MERGED} OR outbox.shown_as = {ALSO})
               ORDER BY outbox.id""",
            (json.dumps([row["id"] for row in originals]),),
        ):
            copies.setdefault(copy["story_of"], []).append(copy)
        updates = []
        for original in self._outbox_rows(originals):
            mine = copies.get(original.id, [])
            updates.append(
                StoryUpdate(
                    original,
                    named=tuple(_story_copy(c) for c in mine if c["status"] == OutboxStatus.SENT),
                    waiting=tuple(
                        _story_copy(c) for c in mine if c["status"] == OutboxStatus.MERGED
                    ),
                )
            )
        return updates

    def waiting_copies(self, original_ids: Sequence[int]) -> dict[int, list[StoryCopy]]:
        """Copies of a story waiting (status ``merged``) on each of these first alerts, which
        a scheduled digest names on its line for the story rather than list apart."""
        copies: dict[int, list[StoryCopy]] = {}
        for row in self._dicts(
            f"""SELECT outbox.id, outbox.story_of, articles.source, articles.url
                FROM outbox JOIN articles ON articles.id = outbox.article_id
                WHERE outbox.story_of IN (SELECT value FROM json_each(?))
                  AND outbox.status = {MERGED}
                ORDER BY outbox.id""",
            (json_ids(original_ids),),
        ):
            copies.setdefault(row["story_of"], []).append(_story_copy(row))
        return copies

    def send_alone(self, reasons: Mapping[int, str]) -> None:
        """Copies of a story that cannot be named on its first alert become alerts of their own
        (pending again, due now); ``reasons`` (outbox id → why) stay on the row for /status."""
        with self._transaction():
            for sql, params in self._batches(list(reasons.items())):
                self.conn.execute(
                    f"""WITH alone(id, reason) AS ({sql})
                        UPDATE outbox SET status = {PENDING}, not_before = NULL,
                            last_error = 'not named on its first alert: ' || alone.reason
                        FROM alone WHERE outbox.id = alone.id AND outbox.status = {MERGED}""",
                    params,
                )

    def pending_alerts(
        self, limit: int = 100, *, now: datetime | None = None, skip: Collection[int] = ()
    ) -> list[OutboxRow]:
        """Due, unsent alerts of active chats, whole chats at a time, oldest first.

        Chats come in the order of their oldest due alert, each with every due alert it has,
        until ``limit`` rows are reached (always at least one chat, however many it has). So
        what a chat receives (one digest, or alerts one by one) depends on that chat's alerts
        alone, never on how many other chats wait or in which order rows were queued. Chats
        in ``skip`` (already taken by the caller) are left out.

        The cost is that of the chats and the rows handed out, whatever the outbox holds: each
        chat's oldest due row is one look-up in ``outbox_pending`` (see migration v12), and
        its rows are read only when it is taken.
        """
        at = to_iso(now or utcnow())
        taken: list[Row] = []
        for chat_id in self._chats_due(at, skip):
            taken += self._dicts(
                f"""SELECT * FROM outbox INDEXED BY outbox_pending
                    WHERE chat_id = ? AND status = {PENDING}
                       AND (not_before IS NULL OR not_before <= ?)
                    ORDER BY id""",
                (chat_id, at),
            )
            if len(taken) >= limit:
                break
        return self._outbox_rows(taken)

    def _chats_due(self, at: str, skip: Collection[int]) -> list[int]:
        """Active chats with rows due at ``at``, in the order of their oldest due row.

        ``INDEXED BY``: on a small or new outbox the planner would rather read every pending
        row in id order (``outbox_status``), a cost that grows with the backlog.
        """
        oldest = f"""SELECT min(id) FROM outbox INDEXED BY outbox_pending
                     WHERE chat_id = chats.id AND status = {PENDING} AND not_before"""
        rows = self.conn.execute(
            f"""WITH oldest AS MATERIALIZED (
                   SELECT id, ({oldest} IS NULL) AS now_, ({oldest} <= :at) AS later
                   FROM chats
                   WHERE active AND id NOT IN (SELECT value FROM json_each(:skip)))
               SELECT id FROM oldest WHERE coalesce(now_, later) IS NOT NULL
               ORDER BY min(coalesce(now_, later), coalesce(later, now_))""",
            {"at": at, "skip": json_ids(skip)},
        )
        return [chat_id for (chat_id,) in rows]

    def get_alert(self, outbox_id: int) -> OutboxRow:
        """One outbox row with its chat, article and the subscriptions it still has: what an
        alert's buttons act on."""
        rows = self._outbox_rows(self._dicts("SELECT * FROM outbox WHERE id = ?", (outbox_id,)))
        if not rows:
            raise UnknownRow(f"there is no outbox row with id {outbox_id}")
        return rows[0]

    def _outbox_rows(self, rows: Sequence[Row]) -> list[OutboxRow]:
        """Outbox rows with their chat, article and subscriptions (and a surge's figures),
        loaded in a few queries whatever their number."""
        if not rows:
            return []

        def ids(values: Iterable[int]) -> tuple[str]:
            return (json_ids(values),)

        chats = {
            row["id"]: ChatRow.from_row(row)
            for row in self._dicts(
                "SELECT * FROM chats WHERE id IN (SELECT value FROM json_each(?))",
                ids(row["chat_id"] for row in rows),
            )
        }
        articles = {
            row["id"]: StoredArticle.from_row(row, row["feed_url"])
            for row in self._dicts(
                """SELECT articles.*, feeds.url AS feed_url FROM articles
                   JOIN feeds ON feeds.id = feed_id
                   WHERE articles.id IN (SELECT value FROM json_each(?))""",
                ids(row["article_id"] for row in rows),
            )
        }
        sub_ids = {row["id"]: json.loads(row["subscription_ids"]) for row in rows}
        subs = {
            row["id"]: SubscriptionRow.from_row(row)
            for row in self._dicts(
                "SELECT * FROM subscriptions WHERE id IN (SELECT value FROM json_each(?))",
                ids(s for listed in sub_ids.values() for s in listed),
            )
        }
        due = {
            row["outbox_id"]: (from_iso(row["due_at"]), from_iso(row["period_from"]))
            for row in self._dicts(
                "SELECT * FROM outbox_due WHERE outbox_id IN (SELECT value FROM json_each(?))",
                ids(row["id"] for row in rows),
            )
        }
        surges = self._surges_of([row["id"] for row in rows if row["surge"]])
        return [
            OutboxRow(
                id=row["id"],
                chat=chats[row["chat_id"]],
                thread_id=row["thread_id"],
                article=articles[row["article_id"]],
                # unsubscribed after the match: the alert still names the rest
                subscriptions=tuple(subs[s] for s in sub_ids[row["id"]] if s in subs),
                attempts=row["attempts"],
                created_at=datetime.fromisoformat(row["created_at"]),
                message_id=row["message_id"],
                status=OutboxStatus(row["status"]),
                shown_as=ShownAs(row["shown_as"]) if row["shown_as"] else None,
                due_at=due[row["id"]][0] if row["id"] in due else None,
                period_from=due[row["id"]][1] if row["id"] in due else None,
                surge=surges.get(row["id"]),
            )
            for row in rows
        ]

    def mark_sent(self, delivered: Sequence[Delivered]) -> None:
        """Record Telegram's answers, all in one transaction; from here on those alerts are
        never sent again.

        A row already recorded is left as it is, so recording the same answer twice (after a
        storage fault, not knowing whether the first try was kept) changes nothing.
        """
        rows = [(d.outbox_id, d.message_id, str(d.shown_as)) for d in delivered]
        counts: Counter[int] = Counter()
        with self._transaction():
            for sql, params in self._batches(rows):
                settled = self.conn.execute(
                    f"""WITH shown(id, message_id, shown_as) AS ({sql})
                        UPDATE outbox SET status = {SENT}, message_id = shown.message_id,
                            shown_as = shown.shown_as, sent_at = ?, attempts = attempts + 1
                        FROM shown WHERE outbox.id = shown.id
                            AND outbox.status IN ({PENDING}, {MERGED})
                        RETURNING outbox.subscription_ids, outbox.shown_as""",
                    (*params, to_iso(utcnow())),
                ).fetchall()
                # A subscription counts the alerts it caused; a copy named on one adds none.
                counts.update(
                    sub_id
                    for listed, shown_as in settled
                    if shown_as != ShownAs.ALSO
                    for sub_id in json.loads(listed)
                )
            for sql, params in self._batches(list(counts.items())):
                self.conn.execute(
                    f"""WITH counted(id, n) AS ({sql})
                        UPDATE subscriptions SET alerts = alerts + counted.n
                        FROM counted WHERE subscriptions.id = counted.id""",
                    params,
                )

    def schedule_alerts(self, due: Mapping[int, tuple[datetime, datetime]]) -> None:
        """Pending rows (outbox id → (due, period start)) wait for a scheduled digest.

        A row already waiting for one keeps where its period began: alerts held through
        quiet hours after their own digest was due still say how long they waited.
        """
        rows = [(outbox_id, to_iso(at), to_iso(since)) for outbox_id, (at, since) in due.items()]
        with self._transaction():
            for sql, params in self._batches(rows):
                self.conn.execute(
                    f"""INSERT INTO outbox_due(outbox_id, due_at, period_from)
                        SELECT column1, column2, column3 FROM ({sql}) WHERE true
                        ON CONFLICT (outbox_id) DO UPDATE SET due_at = excluded.due_at""",
                    params,
                )
                self.conn.execute(
                    f"""WITH due(id, at, since) AS ({sql})
                        UPDATE outbox SET not_before = due.at
                        FROM due WHERE outbox.id = due.id AND outbox.status = {PENDING}""",
                    params,
                )

    def mark_failed(self, outbox_id: int, reason: str) -> None:
        self.conn.execute(
            f"""UPDATE outbox SET status = {FAILED}, last_error = ?, attempts = attempts + 1
               WHERE id = ?""",
            (reason, outbox_id),
        )

    def defer_alert(self, outbox_id: int, reason: str, retry_at: datetime) -> None:
        """A transient failure: keep the row pending, try again after ``retry_at``."""
        self.conn.execute(
            """UPDATE outbox SET last_error = ?, not_before = ?, attempts = attempts + 1
               WHERE id = ?""",
            (reason, to_iso(retry_at), outbox_id),
        )


def _story_copy(row: Row) -> StoryCopy:
    return StoryCopy(row["id"], row["source"], row["url"])
