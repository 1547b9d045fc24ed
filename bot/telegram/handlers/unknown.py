"""Commands the bot does not have: say so, and suggest the closest one (``/subscibe``).

In a private chat every command is meant for this bot. In a group, several bots may read the
same messages: a bare ``/foo`` may be another bot's, so only ``/foo@thisbot`` is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.suggestions import closest
from bot.telegram import texts
from bot.telegram.access import Handler, is_bot_admin
from bot.telegram.replies import reply
from bot.telegram.updates import chat_of, text_of

logger = logging.getLogger(__name__)

_OPERATOR_COMMANDS = frozenset(name for name, _about in texts.ADMIN_COMMANDS)


def unknown_command_handler(commands: Collection[str]) -> Handler:
    """The handler for commands not among ``commands`` (every name and alias the bot has)."""

    async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        name, _at, addressee = text_of(update).split(maxsplit=1)[0][1:].partition("@")
        for_this_bot = addressee.lower() == (context.bot.username or "").lower()
        if chat_of(update).type != ChatType.PRIVATE and not for_this_bot:
            return
        user = update.effective_user
        known = [
            command
            for command in commands
            if command not in _OPERATOR_COMMANDS or is_bot_admin(user.id if user else None, context)
        ]
        await reply(update, unknown_command_text(name, known))

    return unknown_command


def unknown_command_text(name: str, known: Collection[str]) -> str:
    """The reply, with the closest known command when one is close enough to be a typo."""
    close = closest(name.lower(), known)
    if not close:
        return _(texts.UNKNOWN_COMMAND)
    return _("Unknown command — see /help. Did you mean /{command}?").format(command=close[0])
