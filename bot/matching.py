"""Which chats want which new articles: every active subscription in one RuleIndex.

The index is kept between polls and updated by difference: a poll cycle with thousands of
subscriptions must not recompile them all because one chat typed /subscribe. The store's
``subscriptions_version`` counter says when anything may have changed, so most polls cost one
tiny query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import rules
from bot.article import Article
from bot.store import AsyncStore, SubscriptionRow

logger = logging.getLogger(__name__)

Matches = dict[tuple[int, str], list[int]]
"""(chat id, article id) → ids of every subscription of that chat the article matched.

Articles are named by id, not by row: they are matched before they are stored, so that their
rows and their alerts are written together (``Store.store_poll``)."""


class SubscriptionMatcher:
    """Matches new articles against the active subscriptions of every chat."""

    def __init__(self, store: AsyncStore) -> None:
        self.store = store
        self.index: rules.RuleIndex[int] = rules.RuleIndex()
        self._subs: dict[int, SubscriptionRow] = {}
        self._version: int | None = None
        self._thread_ids: dict[int, int | None] | None = None

    @property
    def thread_ids(self) -> Mapping[int, int | None]:
        """Subscription id → forum topic, as ``Store.store_poll(thread_ids=)`` takes it.

        Built once per change of the subscriptions, not once per poll.
        """
        if self._thread_ids is None:
            self._thread_ids = {sub_id: sub.thread_id for sub_id, sub in self._subs.items()}
        return self._thread_ids

    async def refresh(self) -> bool:
        """Bring the index up to date with the store; True when anything was reloaded."""
        version = await self.store.subscriptions_version()
        if version == self._version:
            return False
        self.update(await self.store.active_subscriptions())
        self._version = version
        return True

    def update(self, active: Iterable[SubscriptionRow]) -> None:
        """Make the index hold exactly ``active``, touching only the rows that changed."""
        wanted = {sub.id: sub for sub in active}
        self._thread_ids = None
        for sub_id in self._subs.keys() - wanted.keys():
            self.index.remove(sub_id)
            del self._subs[sub_id]
        for sub_id, sub in wanted.items():
            known = self._subs.get(sub_id)
            if known is not None and known.rule == sub.rule:
                self._subs[sub_id] = sub  # chat, topic or pause may differ; the rule does not
            else:
                self._index(sub)

    def _index(self, sub: SubscriptionRow) -> None:
        """Compile and register one rule; a stored rule that no longer compiles is skipped."""
        try:
            rule = rules.compile(sub.rule)
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
            return
        self.index.add(sub.id, rule)
        self._subs[sub.id] = sub

    def match(self, articles: Iterable[Article]) -> Matches:
        """One entry per chat and article listing every matched subscription of that chat.

        Sub ids are ascending, so the alert goes to the forum topic of the chat's oldest
        matching subscription, the same one on every run.
        """
        matches: Matches = {}
        for article in articles:
            doc = rules.Document(**article.rule_doc())
            for sub_id in sorted(self.index.match(doc)):
                key = (self._subs[sub_id].chat_id, article.id)
                matches.setdefault(key, []).append(sub_id)
        return matches

    def __len__(self) -> int:
        return len(self.index)
