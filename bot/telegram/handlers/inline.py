"""Inline mode: ``@bot RULE`` typed in any chat lists the latest stored matches to send there.

Telegram sends inline queries only to a bot whose operator switched inline mode on with
BotFather (``/setinline``); see the README. The query is a rule in the language of /subscribe,
matched as /search matches (``bot.search.find``), with the latest matches first. Its terms
match the other names the asker's own chat with the bot gives them (/alias there), as the
answer is theirs alone (``is_personal``); there is no chat to ask for a time zone, so dates
are in the bot's default zone.
"""

from __future__ import annotations

import logging
from datetime import tzinfo

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

import rules
from bot.chat_settings import chat_settings
from bot.compiling import UnusableRule, chat_names, typed_rule
from bot.i18n import _, format_when
from bot.search import Match, find
from bot.telegram.article_lines import article_line, title_of
from bot.telegram.services import services
from bot.telegram.updates import inline_query_of

logger = logging.getLogger(__name__)

INLINE_COUNT = 10
"""Matches offered per query; Telegram takes up to 50, a phone shows a few at a time."""
CACHE_SECONDS = 60
"""How long Telegram may answer the same query from its cache: new articles come in polls."""


async def inline_search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = inline_query_of(update)
    svc = services(context)
    found: list[Match] = []
    if query.query.strip():
        names = await chat_names(svc.store, svc.config, query.from_user.id)
        try:
            rule: rules.Rule | None = typed_rule(query.query, names).rule
        except UnusableRule:
            rule = None  # still being typed, most likely: no results until it parses
        if rule is not None:
            newest = await svc.store.newest_article_id()
            # Asked outside any chat: what the person's own chat with the bot may read.
            result = await find(
                svc.store,
                rule,
                since=None,
                up_to=newest,
                reader=query.from_user.id,
                count=INLINE_COUNT,
            )
            found = result.matches
    zone = chat_settings(None, svc.config.delivery).zone  # no chat asks: the config's
    results = [_result(match, zone) for match in found]
    # Personal: the results are written in the language of whoever asks (dates, "Matched:"),
    # so Telegram must not answer another person's identical query from this one's cache.
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


def _result(match: Match, zone: tzinfo) -> InlineQueryResultArticle:
    """One offered match: the message it sends is the line /search shows for it."""
    article = match.stored.article
    when = format_when(match.stored.when, zone)
    message = article_line(match.stored, zone)
    return InlineQueryResultArticle(
        id=str(match.stored.rowid),
        title=title_of(article),
        # TRANSLATORS: under an inline result; {matched} is e.g. "Matched: Israel (title)".
        description=_("{source}, {when} · {matched}").format(
            source=article.source, when=when, matched=match.matched
        ),
        url=article.url or None,
        input_message_content=InputTextMessageContent(message, parse_mode=ParseMode.HTML),
    )
