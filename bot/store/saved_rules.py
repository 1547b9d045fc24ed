"""The ``saved_rules`` table: a rule kept for a later button press or link.

A /search saves its rule and window so that its Next, Previous and Subscribe buttons carry only
a row id (callback data holds 64 bytes, a rule up to ``rules.MAX_LENGTH`` characters); /share
saves the rule under a short random token for its deep link (``t.me/<bot>?start=<token>``,
at most 64 characters of ``A-Z a-z 0-9 _ -``). Rows live ``SAVED_DAYS``; older ones are
deleted whenever a new one is saved, and a press or link naming them gets a clear reply.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.store.connection import Connected
from bot.store.errors import UnknownRow
from bot.store.rows import SavedRule, to_iso

SAVED_DAYS = 90
"""How long a search's buttons and a shared link keep working."""
TOKEN_BYTES = 8
"""Random bytes of a share token: 11 URL-safe characters, not guessable one by one."""


class SavedRulesTable(Connected):
    def save_search(
        self, chat_id: int, rule: str, *, since: datetime | None, up_to: int
    ) -> SavedRule:
        """Keep a search's rule and window (``up_to``: the newest article id it may show)."""
        return self._save(chat_id, rule, None, to_iso(since) if since else None, up_to)

    def share_rule(self, chat_id: int, rule: str) -> SavedRule:
        """Keep a rule under a new token for a deep link."""
        return self._save(chat_id, rule, secrets.token_urlsafe(TOKEN_BYTES), None, None)

    def get_saved_rule(self, saved_id: int) -> SavedRule:
        """The row a button names; UnknownRow when there is none (or it expired)."""
        return self._one("id = ?", saved_id)

    def shared_rule(self, token: str) -> SavedRule:
        """The row a deep link names; UnknownRow when there is none (or it expired)."""
        return self._one("token = ?", token)

    def _save(
        self, chat_id: int, rule: str, token: str | None, since: str | None, up_to: int | None
    ) -> SavedRule:
        now = utcnow()
        with self._transaction():
            self.conn.execute(
                "DELETE FROM saved_rules WHERE created_at < ?",
                (to_iso(now - timedelta(days=SAVED_DAYS)),),
            )
            cursor = self.conn.execute(
                """INSERT INTO saved_rules(rule, chat_id, token, since, up_to, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (rule, chat_id, token, since, up_to, to_iso(now)),
            )
        return self.get_saved_rule(cursor.lastrowid or 0)

    def _one(self, where: str, key: object) -> SavedRule:
        oldest = to_iso(utcnow() - timedelta(days=SAVED_DAYS))
        rows = self._dicts(
            f"SELECT * FROM saved_rules WHERE {where} AND created_at >= ?", (key, oldest)
        )
        if not rows:
            raise UnknownRow(f"there is no saved rule {key!r}")
        return SavedRule.from_row(rows[0])
