"""/start registers the chat (or brings it back after a block); /help explains rules.

``/start <token>`` is the other end of a /share link: it offers the shared topic, with a
Subscribe button handled with the search's (``search.on_search_button``).
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.ext import ContextTypes

from bot.delivery.buttons import to_markup
from bot.i18n import N_, _
from bot.markup import esc
from bot.store import UnknownRow
from bot.telegram import texts
from bot.telegram.access import is_bot_admin
from bot.telegram.arguments import command_argument
from bot.telegram.chats import register_chat
from bot.telegram.following import subscribe_row
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What Telegram lets a start parameter be."""
UNKNOWN_LINK = N_(
    "This link names no topic I know: it may have expired or been mistyped. "
    "Ask whoever sent it for a new one (/share makes them)."
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _chat, returning = await register_chat(services(context).store, update)
    token = command_argument(message_of(update))
    if token:  # a deep link: t.me/<bot>?start=<token> (see share.py)
        await _offer(update, context, token)
        return
    await reply(update, _(texts.WELCOME_BACK) if returning else texts.welcome())


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    operator = is_bot_admin(user.id if user else None, context)
    config = services(context).config
    sections = texts.help_sections(
        operator=operator,
        news_search=config.sources.news_search,
        chat_feeds=config.access.chat_feeds != "admins",
    )
    # More than one message's worth: the commands and the rule language first, then the rest,
    # split between paragraphs (a blank line between each) should it not fit one either.
    rules, *rest = sections
    await reply(update, rules)
    await reply_lines(update, [*(f"{section}\n" for section in rest[:-1]), rest[-1]])


async def _offer(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str) -> None:
    """``/start <token>``: ask whether to follow the shared topic, with a button to say yes."""
    try:
        if not _TOKEN_RE.fullmatch(token):
            raise UnknownRow(f"not a token: {token!r}")
        saved = await services(context).store.shared_rule(token)
    except UnknownRow:
        await reply(update, _(UNKNOWN_LINK))
        return
    question = _("Subscribe to <code>{rule}</code>?").format(rule=esc(saved.rule))
    await reply(update, question, markup=to_markup([subscribe_row(saved)]))
