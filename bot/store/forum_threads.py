"""The ``forum_threads`` table: the names of a forum's threads, as the service messages the bot
sees (a thread created, renamed) give them, so that /list can name a thread, not number it.

Telegram has no call that gives a thread's name: a thread the bot never saw created or
renamed has none here, and whoever shows it falls back to its number.
"""

from __future__ import annotations

from bot.clock import utcnow
from bot.store.connection import Connected
from bot.store.rows import to_iso


class ForumThreadsTable(Connected):
    def name_thread(self, chat_id: int, thread_id: int, name: str) -> None:
        """Keep ``name`` as the thread's (created or renamed); the chat is registered as a
        supergroup if it is not yet (threads come before any command there)."""
        with self._transaction():
            self.conn.execute(
                """INSERT OR IGNORE INTO chats(id, type, created_at)
                   VALUES (?, 'supergroup', ?)""",
                (chat_id, to_iso(utcnow())),
            )
            self.conn.execute(
                """INSERT INTO forum_threads(chat_id, thread_id, name) VALUES (?, ?, ?)
                   ON CONFLICT (chat_id, thread_id) DO UPDATE SET name = excluded.name""",
                (chat_id, thread_id, name),
            )

    def thread_names(self, chat_id: int) -> dict[int, str]:
        """The names known of the chat's threads, by thread id."""
        rows = self.conn.execute(
            "SELECT thread_id, name FROM forum_threads WHERE chat_id = ?", (chat_id,)
        )
        return dict(rows.fetchall())
