"""/preview RULE: what a rule would have sent lately, so a rule can be tuned before following it."""

from __future__ import annotations

from datetime import tzinfo

from telegram import Update
from telegram.ext import ContextTypes

from bot.aliases import chat_rule
from bot.article import Article
from bot.i18n import _, format_number, format_when, isolate, ngettext
from bot.markup import esc, link, shorten
from bot.matching import LOOKBACK_DAYS, matching_articles
from bot.store import StoredArticle
from bot.telegram.arguments import command_argument, parse_rule
from bot.telegram.chats import stored_settings
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
        await reply(
            update,
            _("Give me a rule to try, e.g. {example}").format(
                example=isolate("<code>/preview Israel + Azerbaijan</code>")
            ),
        )
        return
    typed = parse_rule(text)
    rule = await chat_rule(svc.store, svc.config, chat_of(update).id, typed.rule.text)
    found = await matching_articles(svc.store, rule, limit=PREVIEW_COUNT)
    shown = isolate(esc(rule))
    if not found:
        nothing = ngettext(
            "No stored article of the last {count} day matches <code>{rule}</code>. "
            "New articles are checked as they arrive.",
            "No stored article of the last {count} days matches <code>{rule}</code>. "
            "New articles are checked as they arrive.",
            LOOKBACK_DAYS,
        )
        await reply(
            update, nothing.format(count=format_number(LOOKBACK_DAYS), rule=shown) + typed.note
        )
        return
    zone = (await stored_settings(svc, chat_of(update).id)).zone
    lines = [_("Latest articles matching <code>{rule}</code>:").format(rule=shown)]
    lines += [f"{n}. {article_line(item, zone)}" for n, item in enumerate(found, start=1)]
    await reply(update, "\n".join(lines) + typed.note)


def article_line(item: StoredArticle, zone: tzinfo) -> str:
    """The linked title, source and date of a stored article, as /preview and /search list it."""
    article = item.article
    return _("{title} — {source}, {when}").format(
        title=isolate(link(shorten(title_of(article), TITLE_CHARS), article.url)),
        source=isolate(esc(article.source)),
        when=format_when(item.when, zone),
    )


def title_of(article: Article) -> str:
    """An article's title, else its address: what a list of articles names it by."""
    return article.title or article.url or _("(untitled)")
