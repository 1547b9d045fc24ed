"""The ``chat_hints`` table: the hints given once per chat, and to which chats they were given."""

from __future__ import annotations

from bot.store.connection import Connected


class HintsTable(Connected):
    def first_hint(self, chat_id: int, hint: str) -> bool:
        """Record that the chat is given ``hint``; False when it already was (then do not give
        it again). The chat is a known one: hints follow its commands."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO chat_hints(chat_id, hint) VALUES (?, ?)", (chat_id, hint)
        )
        return cursor.rowcount > 0
