"""The ``linked_channels`` table: channels managed from a private chat with ``/channel``.

A person who administers a channel links it from their private chat; that chat may link
several and select one, which its topic commands then act on (``bot.telegram.acting``). Two
administrators of one channel may each link it from their own chat. The channel itself is a
row of ``chats`` like any other (type ``channel``), so its topics, settings, pausing and
delivery are those of every chat.
"""

from __future__ import annotations

from bot.clock import utcnow
from bot.store.connection import Connected
from bot.store.rows import ChatRow, LinkedChannel, to_iso


class LinkedChannelsTable(Connected):
    def link_channel(
        self,
        channel: ChatRow,
        *,
        private_chat_id: int,
        linked_by: int,
        username: str | None,
    ) -> LinkedChannel:
        """Link ``channel`` (already a row of ``chats``) to a private chat and select it there.

        Linking again (the check passed once more) refreshes who linked it and its @name.
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
        [linked] = [c for c in self.linked_channels(private_chat_id) if c.chat.id == channel.id]
        return linked

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
