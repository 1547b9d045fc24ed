"""The translation an alert or a digest line shows: one per article and chat language, made
once, shared, stored, and never waited for longer than ``[translate] timeout``.

An article's translation does not depend on the chat reading it, so it is asked for once:
chats rendering the same article into the same language at the same moment share the one
call in flight, and the ones after them read it from the store (``translations`` table). What
is translated is the article's title and its lead, the summary written without any chat's
matched terms, so the one translation serves every chat (``bot.delivery.render`` bolds each
chat's terms in it where it finds them).

Whatever goes wrong leaves the alert as it would have been, untranslated: a translator that
fails (it is then left alone for that article a while, so three hundred chats do not each
wait on a server that is down), one slower than the bound, or an hourly character budget
spent. Each outcome is counted in ``bot.ops.activity``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.article import Article
from bot.chat_model import HourlyBudget
from bot.clock import Clock, utcnow
from bot.config import TranslateConfig
from bot.language_tags import primary_subtag
from bot.languages import article_language
from bot.ops.activity import Activity, TranslationOutcome
from bot.store import AsyncStore, ChatRow, StoredArticle, StoredTranslation
from bot.summary import summarize
from bot.translation.backends import TranslationError, Translator

logger = logging.getLogger(__name__)

RETRY_AFTER = 300.0
"""Seconds an article whose translation failed goes untranslated before it is tried again."""
_FAILURES_KEPT = 1024
_HOUR = 3600.0

_Key = tuple[int, str]
"""(article row id, target language)."""
_Result = tuple[StoredTranslation | None, TranslationOutcome]


class AlertTranslator:
    """Translations of stored articles for chats; one per process (``bot.wiring``)."""

    def __init__(
        self,
        translator: Translator,
        store: AsyncStore,
        config: TranslateConfig,
        *,
        summary_chars: int,
        activity: Activity | None = None,
        now: Clock = utcnow,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``summary_chars`` is ``[delivery] summary_chars``: the lead translated is as long
        as an alert's summary. ``now`` dates the stored rows; ``clock`` (monotonic) times
        the budget, the failures' pause and the once-an-hour log line."""
        self.translator = translator
        self.store = store
        self.config = config
        self.summary_chars = summary_chars
        self.activity = activity or Activity()
        self.now = now
        self._clock = clock
        self._budget = HourlyBudget(config.hourly_chars, clock=clock)
        self._in_flight: dict[_Key, asyncio.Task[_Result]] = {}
        self._failed: OrderedDict[_Key, float] = OrderedDict()
        self._budget_told: float | None = None

    def wanted_by(self, chat: ChatRow) -> bool:
        """Whether ``chat`` reads translations: its /translate choice, else the config's."""
        return self.config.by_default if chat.translate is None else chat.translate

    async def translate(self, article: StoredArticle, target: str) -> StoredTranslation | None:
        """``article``'s title and lead in ``target``, or None: when it is in ``target``
        already, its language is unknown, or no translation came within the bound."""
        source = article_language(article.article)
        if source is None or source == primary_subtag(target):
            return None
        key = (article.rowid, target)
        if self._failed_lately(key):
            self.activity.translation(TranslationOutcome.FAILED)
            return None
        task = self._in_flight.get(key)
        shared = task is not None
        if task is None:
            task = asyncio.create_task(self._translation(article.article, key, source))
            self._in_flight[key] = task
            task.add_done_callback(lambda _done: self._in_flight.pop(key, None))
        try:
            async with asyncio.timeout(self.config.timeout):
                translation, outcome = await asyncio.shield(task)
        except TimeoutError:
            translation, outcome = None, TranslationOutcome.TIMEOUT
        if shared and outcome is TranslationOutcome.TRANSLATED:
            outcome = TranslationOutcome.CACHED
        self.activity.translation(outcome)
        return translation

    async def _translation(self, article: Article, key: _Key, source: str) -> _Result:
        """The stored translation, else the translator's (then stored), with its outcome."""
        article_id, target = key
        try:
            stored = await self.store.get_translation(article_id, target)
        except sqlite3.Error as exc:  # the store's fault is told by its health; translate anew
            logger.debug("stored translation of article %s not read: %r", article_id, exc)
            stored = None
        if stored is not None:
            return stored, TranslationOutcome.CACHED
        lead = summarize(article.title, article.text, max_chars=self.summary_chars).text
        characters = len(article.title) + len(lead)
        if not self._budget.spend(characters):
            self._tell_budget_spent()
            return None, TranslationOutcome.OVER_BUDGET
        self.activity.translator_called(characters)
        try:
            title, summary = await self.translator.translate([article.title, lead], source, target)
        except TranslationError as exc:
            logger.warning("article %s not translated to %s: %s", article_id, target, exc)
            self._note_failure(key)
            return None, TranslationOutcome.FAILED
        translation = StoredTranslation(source, " ".join(title.split()), " ".join(summary.split()))
        try:
            await self.store.save_translation(article_id, target, translation, at=self.now())
        except sqlite3.Error as exc:  # shown now all the same; the next chat asks again
            logger.debug("translation of article %s not kept: %r", article_id, exc)
        return translation, TranslationOutcome.TRANSLATED

    def _failed_lately(self, key: _Key) -> bool:
        failed_at = self._failed.get(key)
        if failed_at is None:
            return False
        if self._clock() - failed_at < RETRY_AFTER:
            return True
        del self._failed[key]
        return False

    def _note_failure(self, key: _Key) -> None:
        self._failed[key] = self._clock()
        self._failed.move_to_end(key)
        while len(self._failed) > _FAILURES_KEPT:
            self._failed.popitem(last=False)

    def _tell_budget_spent(self) -> None:
        """One line an hour while the budget holds translations back, not one per alert."""
        now = self._clock()
        if self._budget_told is None or now - self._budget_told >= _HOUR:
            self._budget_told = now
            logger.warning(
                "translation budget of %d characters/hour spent: alerts go untranslated until "
                "it frees up ([translate] hourly_chars)",
                self.config.hourly_chars,
            )
