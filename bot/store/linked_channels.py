"""The ``linked_channels`` table: channels managed from a private chat with ``/channel``.

A person who administers a channel links it from their private chat; that chat may link
several and select one, which its topic commands then act on (``bot.telegram.acting``). Two
administrators of one channel may each link it from their own chat. The channel itself is a
row of ``chats`` like any other (type ``channel``), so its topics, settings, pausing and
delivery are those of every chat. A channel no one links any more has its topics paused
(``Paused.UNLINKED``) and its waiting alerts dropped, so the bot posts nothing unasked there;
linking it again resumes them.
"""

from __future__ import annotations

from bot.clock import utcnow
from bot.store.connection import Connected
from bot.store.rows import ChatRow, Linked, LinkedChannel, Unlinked, to_iso
from bot.store.states import OutboxStatus, Paused

UNLINKED_REASON = "no one manages the channel any more"
"""Why an alert waiting for a channel unlinked by its last manager was dropped."""


class LinkedChannelsTable(Connected):
    def link_channel(
        self,
        channel: ChatRow,
        *,
        private_chat_id: int,
        linked_by: int,
        username: str | None,
    ) -> Linked:
        """Link ``channel`` (already a row of ``chats``) to a private chat and select it there.

        Linking again (the check passed once more) refreshes who linked it and its @name; the
        topics paused when no one managed it resume.
        """
        # SQL: an upsert that keeps linked_at, and "select this one, none other" in one go.
        with self._transaction():
            self.conn.execute(
                """INSERT INTO linked_channels
                       (channel_id, private_chat_id, linked_by, username, linked_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (channel_id, private_chat_id) DO UPDATE
                   SET linked_by = excluded.linked_by, username = excluded.username""",
                (channel.id, private_chat_id, linked_by, username, to_iso(utcnow())),
            )
            self.select_channel(private_chat_id, channel.id)
            resumed = self._set_topics_paused(channel.id, Paused.UNLINKED, Paused.NO)
        [linked] = [c for c in self.linked_channels(private_chat_id) if c.chat.id == channel.id]
        return Linked(linked, resumed)

    def unlink_channel(self, channel_id: int, private_chat_id: int) -> Unlinked:
        """``private_chat_id`` no longer manages ``channel_id``. When no chat links it any
        more, its active topics pause (``Paused.UNLINKED``) and the alerts waiting for it are
        dropped (failed with :data:`UNLINKED_REASON`): nobody is left to stop what it posts."""
        with self._transaction():
            self.conn.execute(
                "DELETE FROM linked_channels WHERE channel_id = ? AND private_chat_id = ?",
                (channel_id, private_chat_id),
            )
            if self.channel_links(channel_id):
                return Unlinked(managed=True, paused=0)
            paused = self._set_topics_paused(channel_id, Paused.NO, Paused.UNLINKED)
            self.conn.execute(
                "UPDATE outbox SET status = ?, last_error = ? WHERE chat_id = ? AND status = ?",
                (OutboxStatus.FAILED, UNLINKED_REASON, channel_id, OutboxStatus.PENDING),
            )
        return Unlinked(managed=False, paused=paused)

    def _set_topics_paused(self, channel_id: int, was: Paused, to: Paused) -> int:
        """Move the channel's topics paused as ``was`` to ``to``; how many moved."""
        return self.conn.execute(
            "UPDATE subscriptions SET paused = ? WHERE chat_id = ? AND paused = ?",
            (to, channel_id, was),
        ).rowcount

    def select_channel(self, private_chat_id: int, channel_id: int | None) -> None:
        """Commands of ``private_chat_id`` act on the channel ``channel_id`` from now on
        (None: on the private chat itself again)."""
        self.conn.execute(
            "UPDATE linked_channels SET selected = (channel_id IS ?) WHERE private_chat_id = ?",
            (channel_id, private_chat_id),
        )

    def linked_channels(self, private_chat_id: int) -> list[LinkedChannel]:
        """The channels linked from ``private_chat_id``, by name."""
        return [
            LinkedChannel.from_row(row)
            for row in self._dicts(
                """SELECT chats.*, linked_channels.* FROM linked_channels
                   JOIN chats ON chats.id = linked_channels.channel_id
                   WHERE private_chat_id = ?
                   ORDER BY coalesce(username, title) COLLATE NOCASE, channel_id""",
                (private_chat_id,),
            )
        ]

    def selected_channel(self, private_chat_id: int) -> LinkedChannel | None:
        """The channel ``private_chat_id``'s commands act on; None: the private chat itself."""
        return next((c for c in self.linked_channels(private_chat_id) if c.selected), None)

    def channel_links(self, channel_id: int) -> list[LinkedChannel]:
        """Every private chat that linked ``channel_id``: whom to tell when it pauses."""
        return [
            LinkedChannel.from_row(row)
            for row in self._dicts(
                """SELECT chats.*, linked_channels.* FROM linked_channels
                   JOIN chats ON chats.id = linked_channels.channel_id
                   WHERE channel_id = ? ORDER BY private_chat_id""",
                (channel_id,),
            )
        ]
