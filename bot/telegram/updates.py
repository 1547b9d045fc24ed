"""The parts of an update that a handler's registration guarantees, typed as present.

python-telegram-bot types ``Update.effective_chat``, ``effective_message``, ``effective_user``,
``callback_query`` and ``context.chat_data``/``user_data`` as optional, because an Update may be
any of Telegram's kinds. A handler only gets the kinds it is registered for (see
:mod:`bot.telegram.app`): commands and text come in a message in a chat, buttons as a callback
query, and the access gate stops every update that has no user. These accessors say so once,
and an update that breaks the guarantee (a registration bug) fails here by name rather than as
an AttributeError on None somewhere in a handler.
"""

from __future__ import annotations

from typing import Any, TypeVar

from telegram import CallbackQuery, Chat, InlineQuery, Message, Update, User
from telegram.ext import ContextTypes

_T = TypeVar("_T")


class MissingUpdatePart(LookupError):
    """An update lacks what its handler's registration guarantees."""


def _present(value: _T | None, what: str) -> _T:
    if value is None:
        raise MissingUpdatePart(f"the update has no {what}; is the handler registered right?")
    return value


def message_of(update: Update) -> Message:
    """The message of a command, a text or a status update."""
    return _present(update.effective_message, "message")


def text_of(update: Update) -> str:
    """The text of a command or a text message (their filters let only such messages in)."""
    return _present(message_of(update).text, "message text")


def chat_of(update: Update) -> Chat:
    """The chat a command was sent or a button pressed in."""
    return _present(update.effective_chat, "chat")


def user_of(update: Update) -> User:
    """Who sent the update; the access gate has already dropped updates without one."""
    return _present(update.effective_user, "user")


def query_of(update: Update) -> CallbackQuery:
    """The button press of an update a CallbackQueryHandler got."""
    return _present(update.callback_query, "callback query")


def inline_query_of(update: Update) -> InlineQuery:
    """What someone typed after the bot's name in any chat (an InlineQueryHandler's update)."""
    return _present(update.inline_query, "inline query")


def chat_data_of(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    """The chat's own storage (python-telegram-bot's ``chat_data``), for updates in a chat."""
    return _present(context.chat_data, "chat_data")


def user_data_of(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    """The sender's own storage (python-telegram-bot's ``user_data``), for updates with a user."""
    return _present(context.user_data, "user_data")
