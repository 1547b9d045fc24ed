"""The ``chats`` table: who the bot talks to, whether they still listen, their zone and language."""

from __future__ import annotations

from sqlite_utils.db import NotFoundError

from bot.clock import utcnow
from bot.store.connection import Connected
from bot.store.rows import ChatRow, GoneChat, to_iso
from bot.store.states import Paused


class ChatsTable(Connected):
    def upsert_chat(
        self,
        chat_id: int,
        *,
        type: str = "private",
        title: str | None = None,
        telegram_language: str | None = None,
    ) -> ChatRow:
        """Register a chat or bring it back: /start after a block resumes its subscriptions.

        ``telegram_language`` (the language_code of who sent the command) is kept as the
        chat's language when it chose none: a private chat follows its person's latest one; a
        group keeps the first, so members with other settings do not toggle it.
        """
        chats = self._table("chats")
        with self._transaction():
            chats.insert(
                {"id": chat_id, "type": type, "title": title, "created_at": to_iso(utcnow())},
                ignore=True,
            )
            # A chat that comes back keeps the title it had when Telegram sends none.
            chats.update(chat_id, {"type": type} | ({"title": title} if title else {}))
            if telegram_language:
                self.conn.execute(
                    """UPDATE chats SET telegram_language = ?
                       WHERE id = ? AND (type = 'private' OR telegram_language IS NULL)""",
                    (telegram_language, chat_id),
                )
            self.set_chat_active(chat_id, True)
        chat = self.get_chat(chat_id)
        assert chat is not None, "written in the transaction above"
        return chat

    def get_chat(self, chat_id: int) -> ChatRow | None:
        try:
            return ChatRow.from_row(self._table("chats").get(chat_id))
        except NotFoundError:
            return None

    def set_chat_active(self, chat_id: int, active: bool) -> bool:
        """A chat that blocked the bot is inactive and its subscriptions are paused; returns
        whether this changed the chat (it was the other way), so that whoever must be told
        of it (a channel's linkers) is told once, however many reports of it come.

        They are paused as :attr:`Paused.CHAT_GONE`, so coming back resumes exactly those and
        leaves the ones the user paused alone (sqlite-utils updates by key only).
        """
        was, to = (Paused.CHAT_GONE, Paused.NO) if active else (Paused.NO, Paused.CHAT_GONE)
        with self._transaction():
            changed = self.conn.execute(
                "UPDATE chats SET active = ? WHERE id = ? AND active = ?",
                (int(active), chat_id, int(not active)),
            ).rowcount
            self.conn.execute(
                "UPDATE subscriptions SET paused = ? WHERE chat_id = ? AND paused = ?",
                (to, chat_id, was),
            )
        return changed > 0

    def chats_gone(self) -> list[GoneChat]:
        """The inactive chats whose topics are paused because they blocked or removed the bot."""
        # SQL: a join and a count, which sqlite-utils has no form for.
        rows = self._dicts(
            """SELECT chats.*, count(*) AS topics FROM chats
               JOIN subscriptions ON subscriptions.chat_id = chats.id
               WHERE NOT chats.active AND subscriptions.paused = ?
               GROUP BY chats.id ORDER BY chats.id""",
            (Paused.CHAT_GONE,),
        )
        return [GoneChat(ChatRow.from_row(row), row["topics"]) for row in rows]

    def set_chat_timezone(self, chat_id: int, timezone: str) -> None:
        # SQL: an unknown chat is no error (sqlite-utils' update raises NotFoundError).
        self.conn.execute("UPDATE chats SET timezone = ? WHERE id = ?", (timezone, chat_id))

    def set_chat_language(self, chat_id: int, language: str | None) -> None:
        """The chat's /language choice; None goes back to its person's Telegram language."""
        self.conn.execute("UPDATE chats SET language = ? WHERE id = ?", (language, chat_id))

    def set_chat_quiet(self, chat_id: int, quiet: str | None) -> None:
        """Quiet hours as /quiet wrote them ('22:00-07:00 silent', 'off'); None: the default."""
        self.conn.execute("UPDATE chats SET quiet = ? WHERE id = ?", (quiet, chat_id))

    def set_chat_translate(self, chat_id: int, translate: bool | None) -> None:
        """The chat's /translate choice; None goes back to ``[translate] by_default``."""
        value = None if translate is None else int(translate)
        self.conn.execute("UPDATE chats SET translate = ? WHERE id = ?", (value, chat_id))

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its subscriptions and pending alerts follow it."""
        # SQL: moves rows of three tables by a column that is not their key.
        with self._transaction():
            if self.get_chat(new_id):
                # Numbered after the supergroup's own topics, whose numbers it already shows.
                (last,) = self.conn.execute(
                    "SELECT last_topic_number FROM chats WHERE id = ?", (new_id,)
                ).fetchone()
                self.conn.execute(
                    """UPDATE subscriptions SET chat_id = ?, number = number + ?
                       WHERE chat_id = ?""",
                    (new_id, last, old_id),
                )
                self.conn.execute(
                    """UPDATE chats SET last_topic_number = last_topic_number
                           + (SELECT last_topic_number FROM chats WHERE id = ?)
                       WHERE id = ?""",
                    (old_id, new_id),
                )
                self.conn.execute(
                    "UPDATE OR IGNORE outbox SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
                )
                self.conn.execute(
                    "UPDATE OR IGNORE feed_readers SET chat_id = ? WHERE chat_id = ?",
                    (new_id, old_id),
                )
                self.conn.execute("DELETE FROM chats WHERE id = ?", (old_id,))
            else:
                self.conn.execute(
                    "UPDATE chats SET id = ?, type = 'supergroup' WHERE id = ?", (new_id, old_id)
                )
