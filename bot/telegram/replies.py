"""Sending HTML replies safely: one place escapes user text and sets the parse mode.

Every reply is Telegram HTML, so anything a person typed (a rule, a URL, a feed title) must go
through :func:`esc` before it is put into a message; a stray ``<`` or ``&`` would otherwise make
Telegram reject the whole reply.
"""

from __future__ import annotations

import html

from telegram import ForceReply, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from bot.delivery.format import pack_lines
from bot.telegram.updates import message_of

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def esc(text: object) -> str:
    """Text for the body of a message (quotes need no escaping outside attributes)."""
    return html.escape(str(text), quote=False)


def link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{esc(label)}</a>'


async def reply(
    update: Update, text: str, *, markup: InlineKeyboardMarkup | ForceReply | None = None
) -> Message:
    """Answer the message that triggered ``update``, without link previews.

    ``Message.reply_text`` posts into the forum topic the command came from and, in groups,
    quotes the command so several people's conversations with the bot stay apart.
    """
    return await message_of(update).reply_text(
        text,
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=markup,
    )


MAX_MESSAGE = 4000
"""Below Telegram's 4096 characters; counted on the HTML, which is never shorter than the text."""


async def reply_lines(update: Update, lines: list[str]) -> None:
    """Reply with ``lines`` joined, split into several messages between lines when too long.

    A chat may have dozens of topics or a bot hundreds of feeds; one reply would be refused.
    """
    for run in pack_lines(lines, MAX_MESSAGE):
        await reply(update, "\n".join(run))
