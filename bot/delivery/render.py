"""Turn a stored outbox row into the alert a chat sees: explanation, summary, format.

The sender takes any :class:`Render`; this is the one the bot uses (``bot.wiring`` binds
its settings). Where the subscriptions matched comes from ``explain``, the matcher's
(``SubscriptionMatcher.explain``), which holds every rule compiled once; the summary needs
those hit positions to pick and bold its sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from telegram.constants import ChatType

import rules
from bot.article import Article
from bot.chat_settings import chat_settings
from bot.config import DeliveryConfig
from bot.delivery.buttons import topic_buttons
from bot.delivery.format import CopyLike, RenderedAlert, format_alert
from bot.store.rows import OutboxRow, SubscriptionRow
from bot.summary import LLMSummarizer, matched_line, summarize_article, written_summary
from bot.translation import AlertTranslator

Explain = Callable[[Article, Sequence[SubscriptionRow]], list[rules.Hit]]
"""Where the subscriptions' rules matched the article, all together in their order."""


class Render(Protocol):
    """Builds an alert; ``also`` lists other articles of the same story, linked."""

    async def __call__(self, row: OutboxRow, *, also: Sequence[CopyLike] = ()) -> RenderedAlert: ...


async def render_outbox_row(
    row: OutboxRow,
    *,
    explain: Explain,
    also: Sequence[CopyLike] = (),
    delivery: DeliveryConfig | None = None,
    llm: LLMSummarizer | None = None,
    translator: AlertTranslator | None = None,
) -> RenderedAlert:
    """The alert for ``row``: its buttons act on its topic, or ask which when it has several;
    in a channel it has none, as every reader would see them and none may change its topics.

    Dates show in the chat's time zone (:class:`bot.chat_settings.ChatSettings`), the summary
    takes at most ``[delivery] summary_chars`` (its defaults without ``delivery``).
    With ``llm`` (``[summary] provider = "openai"``) the model writes the summary, and any
    failure of it falls back to the extractive one. With ``translator`` (``[translate]``), a
    chat that reads translations gets an article in another language translated, or (when
    the translation fails or is late) as it is.
    """
    delivery = delivery or DeliveryConfig()
    settings = chat_settings(row.chat, delivery)
    article = row.article.article
    hits = explain(article, row.subscriptions)
    translation = None
    if translator is not None and translator.wanted_by(row.chat):
        translation = await translator.translate(row.article, settings.language)
    if translation is None:
        summary = await summarize_article(
            article.title, article.text, hits, llm=llm, max_chars=delivery.summary_chars
        )
    else:
        summary = written_summary(translation.summary, hits, title=article.title, text=article.text)
    return format_alert(
        article,
        summary,
        topics=[sub.rule for sub in row.subscriptions],
        matched=matched_line(hits),
        tz=settings.zone,
        also=also,
        buttons=[]
        if row.chat.type == ChatType.CHANNEL
        else topic_buttons(row.id, [sub.id for sub in row.subscriptions]),
        translation=translation,
    )
