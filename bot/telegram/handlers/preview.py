"""/preview RULE: what a rule would have sent lately, so a rule can be tuned before following it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.compiling import chat_names
from bot.i18n import _, format_number, isolate, ngettext
from bot.markup import esc
from bot.matching import LOOKBACK_DAYS, matching_articles
from bot.telegram.arguments import command_argument, parse_rule, removal_note
from bot.telegram.article_lines import article_line
from bot.telegram.chats import stored_settings
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import chat_of, message_of

PREVIEW_COUNT = 5


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
    typed = parse_rule(text, await chat_names(svc.store, svc.config, chat_of(update).id))
    rule, note = typed.rule, removal_note(typed.cleaned)
    found = await matching_articles(
        svc.store, rule, reader=chat_of(update).id, limit=PREVIEW_COUNT, now=svc.now
    )
    shown = esc(rule)  # in <code>, which a right-to-left catalog isolates
    if not found:
        nothing = ngettext(
            "No stored article of the last {count} day matches <code>{rule}</code>. "
            "New articles are checked as they arrive.",
            "No stored article of the last {count} days matches <code>{rule}</code>. "
            "New articles are checked as they arrive.",
            LOOKBACK_DAYS,
        )
        await reply(update, nothing.format(count=format_number(LOOKBACK_DAYS), rule=shown) + note)
        return
    zone = (await stored_settings(svc, chat_of(update).id)).zone
    lines = [_("Latest articles matching <code>{rule}</code>:").format(rule=shown)]
    lines += [f"{n}. {article_line(item, zone)}" for n, item in enumerate(found, start=1)]
    await reply(update, "\n".join(lines) + note)
