"""Stored articles a rule matches: the evidence /subscribe and /preview show before alerts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import rules
from bot.store import AsyncStore, StoredArticle


async def matching_articles(
    store: AsyncStore, rule: rules.Rule, *, days: int, limit: int | None = None
) -> list[StoredArticle]:
    """Articles first seen in the last ``days`` that ``rule`` matches, newest first.

    Matching runs on a worker thread: a week of articles can take a noticeable moment and
    the event loop also serves every other chat.
    """
    since = datetime.now(UTC) - timedelta(days=days)
    stored = await store.recent_articles(since)
    return await asyncio.to_thread(_select, rule, stored, limit)


def _select(
    rule: rules.Rule, stored: list[StoredArticle], limit: int | None
) -> list[StoredArticle]:
    found = []
    for item in stored:
        if rule.matches(item.article.rule_doc()):
            found.append(item)
            if limit is not None and len(found) >= limit:
                break
    return found
