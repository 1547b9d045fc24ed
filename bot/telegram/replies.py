"""Sending HTML replies: one place sets the parse mode and splits long replies.

Every reply is Telegram HTML, so anything a person typed (a rule, a URL, a feed title) must go
through ``bot.markup.esc`` before it is put into a message; a stray ``<`` or ``&`` would
otherwise make Telegram reject the whole reply.
"""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from bot.markup import pack_lines
from bot.telegram.updates import message_of

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


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


async def reply_lines(update: Update, lines: list[str]) -> None:
    """Reply with ``lines`` joined, split into several messages between lines when too long.

    A chat may have dozens of topics or a bot hundreds of feeds; one reply would be refused.
    """
    for run in pack_lines(lines):
        await reply(update, "\n".join(run))
