"""The ``subscriptions`` table: the rules each chat follows, each numbered for as long as it
exists (``chats.last_topic_number`` counts the numbers given)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlite_utils.db import NotFoundError

from bot.clock import utcnow
from bot.store.chats import ChatsTable
from bot.store.errors import DuplicateSubscription, SubscriptionLimitReached, UnknownRow
from bot.store.rows import SubscriptionRow, to_iso
from bot.store.states import OutboxStatus, Paused

if TYPE_CHECKING:
    from rules import Rule


class SubscriptionsTable(ChatsTable):
    def add_subscription(
        self,
        chat_id: int,
        rule: Rule,
        *,
        thread_id: int | None = None,
        created_by: int | None = None,
        limit: int = 50,
        frequency: str | None = None,
        surge: bool = False,
        now: datetime | None = None,
    ) -> SubscriptionRow:
        """Store a rule for a chat (in a forum, for one thread of it); the same rule twice in a
        thread (same canonical form) and the limit are errors.

        The topic gets the chat's next number, one past any it ever had: a number in an old
        message never comes to mean another topic.
        ``frequency`` is how often it is delivered (None: realtime); ``surge``, whether the chat
        is told when it surges. ``now`` is the process's clock (``bot.clock``): a surge compares
        with the topic's history since then.
        """
        existing = self.list_subscriptions(chat_id)
        for sub in existing:
            if sub.canonical == rule.canonical and sub.thread_id == thread_id:
                raise DuplicateSubscription(sub)
        if len(existing) >= limit:
            raise SubscriptionLimitReached(limit)
        if self.get_chat(chat_id) is None:
            self.upsert_chat(chat_id)
        with self._transaction():
            (number,) = self.conn.execute(
                """UPDATE chats SET last_topic_number = last_topic_number + 1 WHERE id = ?
                   RETURNING last_topic_number""",
                (chat_id,),
            ).fetchone()
            table = self._table("subscriptions").insert(
                {
                    "chat_id": chat_id,
                    "number": number,
                    "thread_id": thread_id,
                    "rule": rule.grouped,  # as every reply shows it: grouping written out
                    "canonical": rule.canonical,
                    "created_by": created_by,
                    "created_at": to_iso(now or utcnow()),
                    "surge": int(surge),
                }
                | ({"frequency": frequency} if frequency else {})
            )
        assert table.last_rowid is not None, "inserted just above"
        return self.get_subscription(table.last_rowid)

    def get_subscription(self, sub_id: int) -> SubscriptionRow:
        try:
            row = self._table("subscriptions").get(sub_id)
        except NotFoundError:
            raise UnknownRow(f"there is no subscription with id {sub_id}") from None
        return SubscriptionRow.from_row(row)

    def list_subscriptions(self, chat_id: int) -> list[SubscriptionRow]:
        rows = self._table("subscriptions").rows_where("chat_id = ?", [chat_id], order_by="number")
        return [SubscriptionRow.from_row(row) for row in rows]

    def remove_subscription(self, sub_id: int) -> None:
        """Remove a rule; what waits for its scheduled digest alone, and its surge not yet
        told, are dropped with it (an alert as it happens that is already queued still goes
        out)."""
        # SQL: outbox rows found by the JSON list of subscriptions they name.
        with self._transaction():
            self.conn.execute(
                f"""UPDATE outbox SET status = '{OutboxStatus.DROPPED}',
                        last_error = 'unsubscribed before its digest was due'
                    WHERE status IN ('{OutboxStatus.PENDING}', '{OutboxStatus.MERGED}')
                      AND subscription_ids = json_array(:sub)
                      AND (surge OR id IN (SELECT outbox_id FROM outbox_due)
                           OR (SELECT frequency FROM subscriptions WHERE id = :sub) IS NOT NULL)""",
                {"sub": sub_id},
            )
            self._table("subscriptions").delete_where("id = ?", [sub_id])

    def restore_subscription(self, sub: SubscriptionRow) -> SubscriptionRow:
        """Follow a just-removed topic again as it was (Undo after Unsubscribe): its number,
        rule, thread, frequency, pause and alert count, and its id while no topic has taken
        it, so the alerts that named it name it again. What waited for its digest was dropped
        with it and stays dropped. The same rule followed in its thread since is an error."""
        for other in self.list_subscriptions(sub.chat_id):
            if other.canonical == sub.canonical and other.thread_id == sub.thread_id:
                raise DuplicateSubscription(other)
        taken = self.conn.execute("SELECT 1 FROM subscriptions WHERE id = ?", (sub.id,))
        table = self._table("subscriptions").insert(
            {
                "chat_id": sub.chat_id,
                "number": sub.number,
                "thread_id": sub.thread_id,
                "rule": sub.rule,
                "canonical": sub.canonical,
                "paused": Paused.BY_USER if sub.paused else Paused.NO,
                "alerts": sub.alerts,
                "frequency": sub.frequency,
                "surge": int(sub.surge),
                "created_at": to_iso(utcnow()),
            }
            | ({} if taken.fetchone() else {"id": sub.id})
        )
        assert table.last_rowid is not None, "inserted just above"
        return self.get_subscription(table.last_rowid)

    def set_frequency(self, sub_id: int, frequency: str | None) -> None:
        """How often a rule is delivered from now on (None: realtime). Its alerts waiting for
        a digest are scheduled again by the sender, by the new frequency."""
        # SQL: outbox rows found by the JSON list of subscriptions they name.
        with self._transaction():
            self.conn.execute(
                "UPDATE subscriptions SET frequency = ? WHERE id = ?", (frequency, sub_id)
            )
            waiting = f"""SELECT outbox.id FROM outbox JOIN outbox_due ON outbox_id = outbox.id
                WHERE status = '{OutboxStatus.PENDING}'
                  AND EXISTS (SELECT 1 FROM json_each(subscription_ids) WHERE value = ?)"""
            self.conn.execute(
                f"UPDATE outbox SET not_before = NULL WHERE id IN ({waiting})", (sub_id,)
            )
            self.conn.execute(f"DELETE FROM outbox_due WHERE outbox_id IN ({waiting})", (sub_id,))

    def change_rule(self, sub_id: int, rule: Rule) -> SubscriptionRow:
        """Follow ``rule`` instead under the same number and thread (a rule read otherwise
        than meant, corrected from its confirmation); the thread's own duplicate is an error."""
        sub = self.get_subscription(sub_id)
        for other in self.list_subscriptions(sub.chat_id):
            same_place = other.thread_id == sub.thread_id and other.id != sub.id
            if same_place and other.canonical == rule.canonical:
                raise DuplicateSubscription(other)
        self.conn.execute(
            "UPDATE subscriptions SET rule = ?, canonical = ? WHERE id = ?",
            (rule.grouped, rule.canonical, sub_id),
        )
        return self.get_subscription(sub_id)

    def set_paused(self, sub_id: int, paused: bool) -> None:
        # SQL: an unknown id is no error (sqlite-utils' update raises NotFoundError).
        self.conn.execute(
            "UPDATE subscriptions SET paused = ? WHERE id = ?",
            (Paused.BY_USER if paused else Paused.NO, sub_id),
        )

    def subscriptions_version(self) -> int:
        """A counter that changes whenever the set of active rules may have changed."""
        # Hot path (the matcher asks before every poll it matches): hand-written SQL.
        (version,) = self.conn.execute(
            "SELECT value FROM meta WHERE key = 'subscriptions_version'"
        ).fetchone()
        return int(version)

    def active_subscriptions(self) -> list[SubscriptionRow]:
        """Everything the matcher should know: unpaused rules of active chats."""
        # Hot path (every change of the version above, up to 100,000 rows): hand-written SQL.
        rows = self._dicts(
            """SELECT subscriptions.* FROM subscriptions JOIN chats ON chats.id = chat_id
               WHERE paused = ? AND chats.active ORDER BY subscriptions.id""",
            (Paused.NO,),
        )
        return [SubscriptionRow.from_row(row) for row in rows]
