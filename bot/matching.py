"""Which chats want which new articles, and why: every active subscription in one RuleIndex.

Each subscription's rule is compiled once for the process and kept here: the index matches
new articles with it, and :meth:`SubscriptionMatcher.explain` says where it matched when the
alert is rendered (the "Matched:" line and the summary's bold terms), so nothing downstream
compiles a rule again. The index is kept between polls and updated by difference: a poll
cycle with thousands of subscriptions must not recompile them all because one chat typed
/subscribe. The store's ``subscriptions_version`` counter says when anything may have changed,
so most polls cost one tiny query.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

import rules
from bot.article import Article
from bot.clock import Clock, utcnow
from bot.compiling import RuleNames, chat_table
from bot.languages import article_language
from bot.store import AsyncStore, StoredArticle, SubscriptionRow
from bot.store.chat_aliases import ChatAliases

logger = logging.getLogger(__name__)

LOOKBACK_DAYS = 7
"""How far back /subscribe counts and /preview lists stored matches: one window for both, so
their numbers agree. A week says how often a rule would alert, and keeps the matching done
on each such command small (well within the 30 days articles are kept by default)."""
OTHER_RULES = 1024
"""Compiled rules kept for subscriptions the index does not hold (paused ones, whose queued
alerts still render), least recently used first out."""
MATCHED_DOCUMENTS = 256
"""Documents kept of the latest matched articles, for their alerts' explanations."""
MATCHED_DOCUMENT_CHARS = 500_000
"""Characters of text (titles and texts) those documents may hold in all, some 20 MB: a
document keeps every word of its article with its position and span, about 40 bytes a
character of text, so 256 full pages could otherwise hold a few hundred megabytes. 256
feed entries of usual length fit."""

Matches = dict[tuple[int, str], list[int]]
"""(chat id, article id) → ids of every subscription of that chat the article matched.

Articles are named by id, not by row: they are matched before they are stored, so that their
rows and their alerts are written together (``Store.store_poll``)."""


def document(article: Article, for_rules: Iterable[rules.Rule]) -> rules.Document:
    """The article as ``for_rules`` read it, tokenized once for any number of them: with its
    language (declared, else detected) when one of them has a ``lang:`` term, since working it
    out costs more than tokenizing. Every path that matches an article (alerts, /preview,
    /search, inline mode, ``topic-alert check`` and ``search``) makes its document here, so
    ``lang:`` means the same in each."""
    language = any(rule.languages for rule in for_rules)
    code = article_language(article) if language else None
    return rules.Document(**article.rule_doc(), language=code)


class SubscriptionMatcher:
    """Matches new articles against the active subscriptions of every chat."""

    def __init__(self, store: AsyncStore, aliases: rules.Aliases | None = None) -> None:
        self.store = store
        self.aliases = aliases
        """What every rule is compiled with: other names of places and ``[aliases]``."""
        self.index: rules.RuleIndex[int] = rules.RuleIndex(aliases)
        self._subs: dict[int, SubscriptionRow] = {}
        self._rules: dict[int, rules.Rule] = {}
        """The compiled rule of each subscription in the index."""
        self._other: OrderedDict[int, rules.Rule] = OrderedDict()
        self._documents: OrderedDict[tuple[str, str], tuple[rules.Document, int]] = OrderedDict()
        """The documents of the latest matched articles with their characters of text, which
        their alerts' explanations read again (an alert is rendered moments after its
        article matched)."""
        self._document_chars = 0
        self._version: int | None = None
        self._thread_ids: dict[int, int | None] | None = None
        self._language_rules: tuple[rules.Rule, ...] = ()
        """The rules in the index with a ``lang:`` term, what :func:`document` asks about
        (asking all of thousands of rules for every article would cost a loop each)."""
        self._chat_aliases: dict[int, ChatAliases] = {}
        self._names: dict[int, RuleNames] = {}
        """What each chat's rules are compiled with: the table and its /alias entries."""

    @property
    def thread_ids(self) -> Mapping[int, int | None]:
        """Subscription id → forum topic, as ``Store.store_poll(thread_ids=)`` takes it.

        Built once per change of the subscriptions, not once per poll.
        """
        if self._thread_ids is None:
            self._thread_ids = {sub_id: sub.thread_id for sub_id, sub in self._subs.items()}
        return self._thread_ids

    def with_surges(self, sub_ids: Iterable[int]) -> set[int]:
        """Those of ``sub_ids`` whose chat is told when they surge (``/surge``)."""
        return {sub_id for sub_id in sub_ids if (sub := self._subs.get(sub_id)) and sub.surge}

    async def refresh(self) -> bool:
        """Bring the index up to date with the store; True when anything was reloaded."""
        version = await self.store.subscriptions_version()
        if version == self._version:
            return False
        active = await self.store.active_subscriptions()
        self.update(active, await self.store.all_aliases())
        self._version = version
        return True

    def update(
        self,
        active: Iterable[SubscriptionRow],
        chat_aliases: Mapping[int, ChatAliases] | None = None,
    ) -> None:
        """Make the index hold exactly ``active``, touching only the rows that changed; with
        ``chat_aliases`` (every chat's /alias entries), recompile the rules of the chats whose
        entries changed."""
        wanted = {sub.id: sub for sub in active}
        self._thread_ids = None
        changed: set[int] = set()
        if chat_aliases is not None:
            chats = self._chat_aliases.keys() | chat_aliases.keys()
            changed = {c for c in chats if self._chat_aliases.get(c) != chat_aliases.get(c)}
            self._chat_aliases = dict(chat_aliases)
            for chat_id in changed:
                inline = chat_table(chat_aliases.get(chat_id, {}))
                self._names[chat_id] = RuleNames(self.aliases, inline)
        for sub_id in self._subs.keys() - wanted.keys():
            self.index.remove(sub_id)
            del self._subs[sub_id]
            self._remember(sub_id, self._rules.pop(sub_id))
        for sub_id, sub in wanted.items():
            known = self._subs.get(sub_id)
            if known is not None and known.rule == sub.rule and sub.chat_id not in changed:
                self._subs[sub_id] = sub  # chat, topic or pause may differ; the rule does not
            else:
                self._index(sub)
        self._language_rules = tuple(r for r in self._rules.values() if r.languages)

    def _index(self, sub: SubscriptionRow) -> None:
        """Compile and register one rule; a stored rule that no longer compiles is skipped."""
        try:
            rule = self._compiled(sub)
        except rules.RuleSyntaxError as exc:
            logger.warning(
                "subscription %d of chat %d: stored rule %r no longer compiles (%s); skipped",
                sub.id,
                sub.chat_id,
                sub.rule,
                exc,
            )
            if sub.id in self.index:
                self.index.remove(sub.id)
            self._subs.pop(sub.id, None)
            self._rules.pop(sub.id, None)
            return
        self.index.add(sub.id, rule)
        self._subs[sub.id] = sub
        self._rules[sub.id] = rule

    def _compiled(self, sub: SubscriptionRow) -> rules.Rule:
        """``sub``'s rule, compiled now only if this process never compiled it."""
        rule = self._rules.get(sub.id) or self._other.pop(sub.id, None)
        names = self._names.get(sub.chat_id) or RuleNames(self.aliases)
        if rule is None or rule.text != sub.rule or rule.inline is not names.chat:
            rule = names.compile(sub.rule)
        return rule

    def _remember(self, sub_id: int, rule: rules.Rule) -> None:
        """Keep a rule that left the index: its queued alerts may still be rendered."""
        self._other[sub_id] = rule
        while len(self._other) > OTHER_RULES:
            self._other.popitem(last=False)

    def match(self, articles: Iterable[Article], readers: frozenset[int] | None = None) -> Matches:
        """One entry per chat and article listing every matched subscription of that chat,
        ids ascending; the store makes one alert of them per forum thread (``thread_ids``).

        ``readers``: the chats a private feed's articles are for (``Store.readers_of``); the
        others' topics are not even tried on them, so nothing of what one chat reads reaches
        another. None: a shared feed, matched for every chat.
        """
        matches: Matches = {}
        for article in articles:
            doc = document(article, self._language_rules)
            matched = self.index.match(doc)
            if matched:
                self._keep_document(article, doc)
            for sub_id in sorted(matched):
                chat_id = self._subs[sub_id].chat_id
                if readers is not None and chat_id not in readers:
                    continue
                key = (chat_id, article.id)
                matches.setdefault(key, []).append(sub_id)
        return matches

    def explain(self, article: Article, subs: Sequence[SubscriptionRow]) -> list[rules.Hit]:
        """Where each of ``subs`` matched ``article``, all together in their order: what the
        alert's "Matched:" line names and its summary bolds."""
        kept = self._documents.get((article.feed_url, article.id))
        compiled = [self._compiled(sub) for sub in subs]
        doc = kept[0] if kept is not None else document(article, compiled)
        hits: list[rules.Hit] = []
        for sub, rule in zip(subs, compiled, strict=True):
            if sub.id not in self._rules:
                self._remember(sub.id, rule)
            hits.extend(rule.explain(doc) or ())
        return hits

    def _keep_document(self, article: Article, doc: rules.Document) -> None:
        chars = len(article.title) + len(article.text)
        key = (article.feed_url, article.id)
        if key in self._documents:
            self._document_chars -= self._documents.pop(key)[1]
        self._documents[key] = (doc, chars)
        self._document_chars += chars
        while len(self._documents) > MATCHED_DOCUMENTS or (
            self._document_chars > MATCHED_DOCUMENT_CHARS and len(self._documents) > 1
        ):
            self._document_chars -= self._documents.popitem(last=False)[1][1]

    def shed(self) -> int:
        """Drop what is kept only to save work (documents, rules of paused subscriptions):
        each is made again when next needed. Returns how many entries went."""
        dropped = len(self._documents) + len(self._other)
        self._documents.clear()
        self._document_chars = 0
        self._other.clear()
        return dropped

    @property
    def cached(self) -> int:
        """Entries kept only to save work, what :meth:`shed` drops."""
        return len(self._documents) + len(self._other)

    def __len__(self) -> int:
        return len(self.index)


async def matching_articles(
    store: AsyncStore,
    rule: rules.Rule,
    *,
    reader: int,
    limit: int | None = None,
    now: Clock = utcnow,
) -> list[StoredArticle]:
    """Stored articles first seen in the last :data:`LOOKBACK_DAYS` that ``rule`` matches,
    newest first: the evidence /subscribe and /preview show before any alert, from the feeds
    the chat ``reader`` may read (shared ones and its own), as its alerts would come.

    The week ends at ``now()``, the process's clock (``Services.now``): the articles were
    stored with its moments, so the demo's fixed date finds the articles it just polled.

    Matching runs on a worker thread: a week of articles can take a noticeable moment and
    the event loop also serves every other chat.
    """
    since = now() - timedelta(days=LOOKBACK_DAYS)
    stored = await store.recent_articles(since, reader=reader)
    return await asyncio.to_thread(_select, rule, stored, limit)


def _select(
    rule: rules.Rule, stored: list[StoredArticle], limit: int | None
) -> list[StoredArticle]:
    found = []
    for item in stored:
        if rule.matches(document(item.article, [rule])):
            found.append(item)
            if limit is not None and len(found) >= limit:
                break
    return found
