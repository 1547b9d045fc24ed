"""The ``chat_aliases`` table: other names a chat's rules match for a term (/alias)."""

from __future__ import annotations

import json

import rules
from bot.clock import utcnow
from bot.store.connection import Connected
from bot.store.rows import to_iso

ChatAliases = dict[str, list[str]]
"""Term as typed → its other names, as typed."""


class AliasesTable(Connected):
    def set_alias(self, chat_id: int, term: str, names: list[str]) -> None:
        """Give ``term`` these other names in every rule of the chat, replacing earlier ones."""
        self.conn.execute(
            """INSERT INTO chat_aliases(chat_id, key, term, names, created_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (chat_id, key) DO UPDATE SET term = excluded.term,
                                                        names = excluded.names""",
            (chat_id, rules.fold_text(term), term, json.dumps(names), to_iso(utcnow())),
        )

    def remove_alias(self, chat_id: int, term: str) -> bool:
        """Drop ``term``'s aliases in the chat; False when it had none."""
        cursor = self.conn.execute(
            "DELETE FROM chat_aliases WHERE chat_id = ? AND key = ?",
            (chat_id, rules.fold_text(term)),
        )
        return cursor.rowcount > 0

    def list_aliases(self, chat_id: int) -> ChatAliases:
        """The chat's aliases, by term."""
        rows = self.conn.execute(
            "SELECT term, names FROM chat_aliases WHERE chat_id = ? ORDER BY key", (chat_id,)
        )
        return {term: json.loads(names) for term, names in rows}

    def all_aliases(self) -> dict[int, ChatAliases]:
        """Every chat's aliases, for the matcher (read when subscriptions_version changes)."""
        found: dict[int, ChatAliases] = {}
        rows = self.conn.execute("SELECT chat_id, term, names FROM chat_aliases ORDER BY key")
        for chat_id, term, names in rows:
            found.setdefault(chat_id, {})[term] = json.loads(names)
        return found
