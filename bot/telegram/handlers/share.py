"""/share N: a link that offers a topic to whoever opens it; ``/start <token>`` is its other end.

The link is Telegram's deep link ``https://t.me/<bot>?start=<token>``: opening it starts the
bot with the token, which names the rule kept server-side (``saved_rules``), so the link stays
short and says nothing of the rule itself. The offer's Subscribe button is handled with the
search's (``search.on_search_button``).
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import ContextTypes

from bot.delivery.buttons import to_markup
from bot.i18n import N_, _, isolate
from bot.markup import esc
from bot.store import UnknownRow
from bot.telegram.arguments import command_argument, select_subscriptions
from bot.telegram.handlers.search import subscribe_row
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import chat_of, message_of

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What Telegram lets a start parameter be."""
UNKNOWN_LINK = N_(
    "This link names no topic I know: it may have expired or been mistyped. "
    "Ask whoever sent it for a new one (/share makes them)."
)


async def share(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    store = services(context).store
    chat = chat_of(update)
    argument = command_argument(message_of(update))
    subs = select_subscriptions(
        await store.list_subscriptions(chat.id), argument, empty_means_all=False
    )
    saved = await store.share_rule(chat.id, subs[0].rule)
    url = f"https://t.me/{context.bot.username}?start={saved.token}"
    await reply(
        update,
        _("Anyone who opens this link can follow <code>{rule}</code> in one tap:\n{url}").format(
            rule=isolate(esc(subs[0].rule)), url=esc(url)
        ),
    )


async def offer(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str) -> None:
    """``/start <token>``: ask whether to follow the shared topic, with a button to say yes."""
    try:
        if not _TOKEN_RE.fullmatch(token):
            raise UnknownRow(f"not a token: {token!r}")
        saved = await services(context).store.shared_rule(token)
    except UnknownRow:
        await reply(update, _(UNKNOWN_LINK))
        return
    question = _("Subscribe to <code>{rule}</code>?").format(rule=isolate(esc(saved.rule)))
    await reply(update, question, markup=to_markup([subscribe_row(saved)]))
