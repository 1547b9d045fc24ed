"""The ``notices`` table: the problems the operators were told of and not yet told are over.

``bot.ops.notices`` tells the operators of a problem once when it starts and once when it ends;
what it has told is kept here too, so a restart in the middle of a problem (a feed failing for
days, a chat that removed the bot) does not tell it again. The table is a copy of the watcher's
memory, written whole when that changes: a handful of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.store.connection import Connected
from bot.store.rows import from_iso, to_iso


class NoticesTable(Connected):
    def open_notices(self) -> dict[str, datetime]:
        """Each problem told and not yet over, by key, with when it was told."""
        rows = self._table("notices").rows
        return {row["key"]: opened for row in rows if (opened := from_iso(row["opened_at"]))}

    def save_notices(self, notices: Mapping[str, datetime]) -> None:
        """Replace what is kept with ``notices`` (key → when it was told)."""
        # SQL: a delete and a batched insert in one transaction.
        rows = [(key, to_iso(at)) for key, at in notices.items()]
        with self._transaction():
            self.conn.execute("DELETE FROM notices")
            for sql, params in self._batches(rows):
                self.conn.execute(f"INSERT INTO notices(key, opened_at) {sql}", params)
