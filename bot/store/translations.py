"""The ``translations`` table: an article's title and summary in a chat language, kept once.

Every chat reading an article in the same language reads the same row, so a translator is
asked once per article and language however many chats follow it; the row goes with its
article when the article is pruned.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.connection import Connected
from bot.store.rows import StoredTranslation, to_iso


class TranslationsTable(Connected):
    def get_translation(self, article_id: int, language: str) -> StoredTranslation | None:
        """The article's translation into ``language``, None when none was written."""
        row = self.conn.execute(
            """SELECT source_language, title, summary FROM translations
               WHERE article_id = ? AND language = ?""",
            (article_id, language),
        ).fetchone()
        return StoredTranslation(*row) if row else None

    def save_translation(
        self, article_id: int, language: str, translation: StoredTranslation, *, at: datetime
    ) -> None:
        """Keep ``translation`` of the article into ``language`` (replacing one written before).

        An article pruned while its translation was being made is no error: nothing is kept.
        """
        self.conn.execute(
            """INSERT OR REPLACE INTO translations
                   (article_id, language, source_language, title, summary, created_at)
               SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)""",
            (
                article_id,
                language,
                translation.source_language,
                translation.title,
                translation.summary,
                to_iso(at),
                article_id,
            ),
        )
