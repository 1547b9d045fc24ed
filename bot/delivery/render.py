"""Turn a stored outbox row into the alert a chat sees: rules explain, summary, format.

The sender takes any ``render`` callable; this is the one the bot uses. It re-runs the
subscriptions' rules on the article because the outbox stores which rules matched, not where,
and the summary needs the hit positions to pick and bold its sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

import rules
from bot.delivery.format import RenderedAlert, chat_zone, format_alert
from bot.store.rows import OutboxRow
from bot.summary import matched_line, summarize


def render_outbox_row(
    row: OutboxRow,
    *,
    also: Sequence[str] = (),
    default_timezone: str = "UTC",
    summary_chars: int = 400,
) -> RenderedAlert:
    """The alert for ``row``: buttons act on its first matched subscription.

    Dates show in the chat's /timezone, else ``default_timezone`` (``[delivery] timezone``).
    """
    article = row.article.article
    document = rules.Document(**article.rule_doc())
    hits = []
    for sub in row.subscriptions:
        hits.extend(rules.compile(sub.rule).explain(document) or ())
    return format_alert(
        article,
        summarize(article.title, article.text, hits, max_chars=summary_chars),
        topics=[sub.rule for sub in row.subscriptions],
        matched=matched_line(hits),
        tz=chat_zone(row.chat.timezone or default_timezone),
        also=also,
        sub_id=row.subscriptions[0].id if row.subscriptions else None,
    )
