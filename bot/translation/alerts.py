"""The translation an alert or a digest line shows: one per article and chat language, made
once, shared, stored, and never waited for longer than ``[translate] timeout``.

An article's translation does not depend on the chat reading it, so it is asked for once:
chats rendering the same article into the same language at the same moment share the one
call in flight, and the ones after them read it from the store (``translations`` table). What
is translated is the article's title and its lead, the summary written without any chat's
matched terms, so the one translation serves every chat (``bot.delivery.render`` bolds each
chat's terms in it where it finds them). The articles a digest lists are asked for together:
one call per source language, not one per line.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial

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
"""Failed articles remembered for :data:`RETRY_AFTER` at most: a bound on the memory they take."""
_HOUR = 3600.0

_Key = tuple[int, str]
"""(article row id, target language)."""
_Result = tuple[StoredTranslation | None, TranslationOutcome]
_Batch = asyncio.Task[dict[int, _Result]]
"""One translator call for some articles of one language, by article row id."""
_Waiting = tuple[_Batch, bool]
"""The batch an article waits for, and whether another request started it (shared)."""


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
        self._in_flight: dict[_Key, _Batch] = {}
        self._failed: OrderedDict[_Key, float] = OrderedDict()
        self._budget_told: float | None = None
        self._failing = False
        """Calls have failed since the last one that worked (the translator is down)."""

    def wanted_by(self, chat: ChatRow) -> bool:
        """Whether ``chat`` reads translations: its /translate choice, else the config's."""
        return self.config.by_default if chat.translate is None else chat.translate

    async def translate(self, article: StoredArticle, target: str) -> StoredTranslation | None:
        """``article``'s title and lead in ``target``, or None: when it is in ``target``
        already, its language is unknown, or no translation came within the bound."""
        return (await self.translate_all([article], target)).get(article.rowid)

    async def translate_all(
        self, articles: Sequence[StoredArticle], target: str
    ) -> dict[int, StoredTranslation]:
        """The translations into ``target`` that came within the bound, by article row id:
        those stored, those being made for other chats, and the others in one call per
        source language (a digest's titles are one request, not one each)."""
        unique = {article.rowid: article for article in articles}
        sources = {rowid: await _language(article) for rowid, article in unique.items()}
        waiting = self._ask(unique.values(), sources, target)
        if not waiting:
            return {}
        done, _late = await asyncio.wait(
            {batch for batch, _ in waiting.values()}, timeout=self.config.timeout
        )
        translations = {}
        for rowid, (batch, shared) in waiting.items():
            translation, outcome = _result(batch, rowid, done)
            if shared and outcome is TranslationOutcome.TRANSLATED:
                outcome = TranslationOutcome.CACHED
            self.activity.translated(outcome)
            if translation is not None:
                translations[rowid] = translation
        return translations

    def _ask(
        self, articles: Iterable[StoredArticle], sources: Mapping[int, str | None], target: str
    ) -> dict[int, _Waiting]:
        """The batch each article that needs translating waits for, by row id: one already
        under way (shared), else a new one per source language. Articles in ``target``, in
        no known language or whose translation failed lately wait for none."""
        waiting: dict[int, _Waiting] = {}
        new: dict[str, list[StoredArticle]] = {}
        for article in articles:
            source = sources[article.rowid]
            key = (article.rowid, target)
            if source is None or source == primary_subtag(target):
                continue
            if self._failed_lately(key):
                self.activity.translated(TranslationOutcome.FAILED)
            elif key in self._in_flight:
                waiting[article.rowid] = (self._in_flight[key], True)
            else:
                new.setdefault(source, []).append(article)
        for source, group in new.items():
            batch = asyncio.create_task(self._batch(group, source, target))
            keys = [(article.rowid, target) for article in group]
            for key in keys:
                self._in_flight[key] = batch
                waiting[key[0]] = (batch, False)
            batch.add_done_callback(partial(self._landed, keys))
        return waiting

    def _landed(self, keys: list[_Key], batch: _Batch) -> None:
        """A batch is over: later requests for its articles read the store (or try again);
        a batch that broke in a way :meth:`_batch` does not foresee is logged here, once."""
        for key in keys:
            if self._in_flight.get(key) is batch:
                del self._in_flight[key]
        if not batch.cancelled() and (error := batch.exception()) is not None:
            logger.error("translating articles failed", exc_info=error)

    async def _batch(
        self, articles: list[StoredArticle], source: str, target: str
    ) -> dict[int, _Result]:
        """The stored translations of ``articles``, and the translator's of the others in
        one call (then stored), each with its outcome."""
        try:
            stored = await self.store.get_translations([a.rowid for a in articles], target)
        except sqlite3.Error as exc:  # the store's fault is told by its health; translate anew
            logger.debug("stored translations not read: %r", exc)
            stored = {}
        results: dict[int, _Result] = {
            rowid: (translation, TranslationOutcome.CACHED) for rowid, translation in stored.items()
        }
        missing = [article for article in articles if article.rowid not in stored]
        if missing:
            results.update(await self._translated(missing, source, target))
        return results

    async def _translated(
        self, articles: list[StoredArticle], source: str, target: str
    ) -> dict[int, _Result]:
        texts = []
        for stored in articles:
            title, text = stored.article.title, stored.article.text
            texts += [title, summarize(title, text, max_chars=self.summary_chars).text]
        characters = sum(map(len, texts))
        if not self._budget.spend(characters):
            self._tell_budget_spent()
            return {a.rowid: (None, TranslationOutcome.OVER_BUDGET) for a in articles}
        self.activity.translator_called(characters)
        try:
            translated = await self.translator.translate(texts, source, target)
        except TranslationError as exc:
            self._tell_failure([a.rowid for a in articles], target, exc)
            for failed in articles:
                self._note_failure((failed.rowid, target))
            return {a.rowid: (None, TranslationOutcome.FAILED) for a in articles}
        if self._failing:
            self._failing = False
            logger.info("the translator answers again")
        translations = {
            article.rowid: StoredTranslation(
                source, " ".join(title.split()), " ".join(lead.split())
            )
            for article, title, lead in zip(
                articles, translated[::2], translated[1::2], strict=True
            )
        }
        try:
            await self.store.save_translations(target, translations, at=self.now())
        except sqlite3.Error as exc:  # shown now all the same; the next chat asks again
            logger.debug("translations not kept: %r", exc)
        return {rowid: (t, TranslationOutcome.TRANSLATED) for rowid, t in translations.items()}

    def _tell_failure(self, ids: list[int], target: str, error: TranslationError) -> None:
        """Told when translations start failing, then at DEBUG until one works again: a
        translator down for hours is one line, not one per article."""
        level = logging.DEBUG if self._failing else logging.WARNING
        self._failing = True
        logger.log(
            level,
            "articles %s not translated to %s: %s; alerts go untranslated until the "
            "translator answers again",
            ids,
            target,
            error,
        )

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


async def _language(article: StoredArticle) -> str | None:
    """The language the article declares, else a sure guess from its words: guessed on a
    worker thread, as the first guess loads the classifier's model (most of a second)."""
    declared = primary_subtag(article.article.language)
    return declared or await asyncio.to_thread(article_language, article.article)


def _result(batch: _Batch, rowid: int, done: set[_Batch]) -> _Result:
    """What ``batch`` gave the article, if it was ``done`` in time (untranslated if it broke)."""
    if batch not in done:
        return None, TranslationOutcome.TIMEOUT
    if batch.cancelled() or batch.exception() is not None:
        return None, TranslationOutcome.FAILED
    return batch.result()[rowid]
