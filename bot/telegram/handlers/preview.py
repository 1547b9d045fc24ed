"""/preview RULE: what a rule would have sent lately, so a rule can be tuned before following it."""

from __future__ import annotations

from datetime import tzinfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.aliases import chat_rule
from bot.i18n import format_when
from bot.markup import esc, link, shorten
from bot.matching import LOOKBACK_DAYS, matching_articles
from bot.store import StoredArticle
from bot.telegram.arguments import command_argument, parse_rule
from bot.telegram.chats import stored_zone
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import chat_of, message_of

PREVIEW_COUNT = 5
TITLE_CHARS = 300
"""Five listed articles with titles this long stay well within one message."""


async def preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    text = command_argument(message_of(update))
    if not text:
        await reply(update, "Give me a rule to try, e.g. <code>/preview Israel + Azerbaijan</code>")
        return
    typed = parse_rule(text)
    rule = await chat_rule(svc.store, svc.config, chat_of(update).id, typed.rule.text)
    found = await matching_articles(svc.store, rule, limit=PREVIEW_COUNT)
    if not found:
        await reply(
            update,
            f"No stored article of the last {LOOKBACK_DAYS} days matches <code>{esc(rule)}</code>. "
            "New articles are checked as they arrive." + typed.note,
        )
        return
    zone = await stored_zone(svc.store, chat_of(update).id, svc.config.delivery.timezone)
    lines = [f"Latest articles matching <code>{esc(rule)}</code>:"]
    lines += [f"{n}. {article_line(item, zone)}" for n, item in enumerate(found, start=1)]
    await reply(update, "\n".join(lines) + typed.note)


def article_line(item: StoredArticle, zone: tzinfo) -> str:
    """The linked title, source and date of a stored article, as /preview and /search list it."""
    article = item.article
    title = shorten(article.title or article.url or "(untitled)", TITLE_CHARS)
    return f"{link(title, article.url)} — {esc(article.source)}, {format_when(item.when, zone)}"
