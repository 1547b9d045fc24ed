"""Turn a stored outbox row into the alert a chat sees: rules explain, summary, format.

The sender takes any ``render`` callable; this is the one the bot uses. It re-runs the
subscriptions' rules on the article because the outbox stores which rules matched, not where,
and the summary needs the hit positions to pick and bold its sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

import rules
from bot.article import Article
from bot.delivery.format import CopyLike, RenderedAlert, format_alert
from bot.store.rows import OutboxRow
from bot.summary import LLMSummarizer, matched_line, summarize_article
from bot.timezones import chat_zone


async def render_outbox_row(
    row: OutboxRow,
    *,
    also: Sequence[CopyLike] = (),
    default_timezone: str = "UTC",
    summary_chars: int = 400,
    llm: LLMSummarizer | None = None,
) -> RenderedAlert:
    """The alert for ``row``: buttons act on its first matched subscription.

    Dates show in the chat's /timezone, else ``default_timezone`` (``[delivery] timezone``).
    With ``llm`` (``[summary] provider = "openai"``) the model writes the summary, and any
    failure of it falls back to the extractive one.
    """
    article = row.article.article
    hits = explain(article, [sub.rule for sub in row.subscriptions])
    summary = await summarize_article(
        article.title, article.text, hits, llm=llm, max_chars=summary_chars
    )
    return format_alert(
        article,
        summary,
        topics=[sub.rule for sub in row.subscriptions],
        matched=matched_line(hits),
        tz=chat_zone(row.chat.timezone, default_timezone),
        also=also,
        sub_id=row.subscriptions[0].id if row.subscriptions else None,
    )


def explain(article: Article, rule_texts: Sequence[str]) -> list[rules.Hit]:
    """Where each rule matched the article, all together (the rules are stored as text)."""
    document = rules.Document(**article.rule_doc())
    hits: list[rules.Hit] = []
    for text in rule_texts:
        hits.extend(rules.compile(text).explain(document) or ())
    return hits
