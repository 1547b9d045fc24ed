"""Sending HTML replies: one place sets the parse mode and splits long replies.

Every reply is Telegram HTML, so anything a person typed (a rule, a URL, a feed title) must go
through ``bot.markup.esc`` before it is put into a message; a stray ``<`` or ``&`` would
otherwise make Telegram reject the whole reply.

A command that acts on another chat than the one it was sent in (a channel managed from a
private chat, ``bot.telegram.acting``) sets a heading that names that chat, and every reply
to the update begins with it, its refusals included.
"""

from __future__ import annotations

from contextvars import ContextVar

from telegram import ForceReply, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from bot.markup import MAX_MESSAGE, pack_lines, utf16_len
from bot.telegram.updates import message_of

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_heading: ContextVar[str | None] = ContextVar("reply_heading", default=None)
"""Set per update (each is handled in a task of its own, as ``bot.i18n.context``'s language)."""


def head_replies(line: str | None) -> None:
    """Begin every reply to the update being handled with ``line`` (HTML; None: no heading)."""
    _heading.set(line)


def headed(text: str) -> str:
    """``text`` under the heading of the update being handled, if it has one."""
    heading = _heading.get()
    return text if heading is None else f"{heading}\n{text}"


async def reply(
    update: Update, text: str, *, markup: InlineKeyboardMarkup | ForceReply | None = None
) -> Message:
    """Answer the message that triggered ``update``, without link previews.

    ``Message.reply_text`` posts into the forum topic the command came from and, in groups,
    quotes the command so several people's conversations with the bot stay apart.
    """
    return await message_of(update).reply_text(
        headed(text),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=markup,
    )


async def reply_lines(update: Update, lines: list[str]) -> None:
    """Reply with ``lines`` joined, split into several messages between lines when too long.

    A chat may have dozens of topics or a bot hundreds of feeds; one reply would be refused.
    """
    room = MAX_MESSAGE - utf16_len(headed(""))
    for run in pack_lines(lines, room):
        await reply(update, "\n".join(run))
