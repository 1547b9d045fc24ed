"""The ``translations`` table: an article's title and summary in a chat language, kept once.

Every chat reading an article in the same language reads the same row, so a translator is
asked once per article and language however many chats follow it; the row goes with its
article when the article is pruned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from bot.store.connection import Connected, json_ids
from bot.store.rows import StoredTranslation, to_iso


class TranslationsTable(Connected):
    def get_translations(
        self, article_ids: Iterable[int], language: str
    ) -> dict[int, StoredTranslation]:
        """The translations into ``language`` of those of the articles that have one."""
        rows = self.conn.execute(
            """SELECT article_id, source_language, title, summary FROM translations
               WHERE language = ? AND article_id IN (SELECT value FROM json_each(?))""",
            (language, json_ids(article_ids)),
        )
        return {article_id: StoredTranslation(*rest) for article_id, *rest in rows}

    def save_translations(
        self, language: str, translations: Mapping[int, StoredTranslation], *, at: datetime
    ) -> None:
        """Keep each article's translation into ``language`` (replacing one written before),
        in one statement (see :func:`bot.store.connection.values`).

        An article pruned while its translation was being made is no error: nothing is kept.
        """
        rows = [
            (article_id, language, t.source_language, t.title, t.summary, to_iso(at))
            for article_id, t in translations.items()
        ]
        with self._transaction():
            for clause, params in self._batches(rows):
                self.conn.execute(
                    f"""INSERT OR REPLACE INTO translations
                            (article_id, language, source_language, title, summary, created_at)
                        SELECT * FROM ({clause})
                        WHERE column1 IN (SELECT id FROM articles)""",
                    params,
                )
