"""Who may talk to the bot, and who may change what a chat follows.

Three separate questions, each answered in one place:

* may this person use the bot at all (``access.allowed_users``; empty means everyone),
* may they change this chat's subscriptions (anyone in a private chat, administrators in groups),
* may they manage the bot itself (``access.admins``: feeds and status).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot, ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import _
from bot.telegram import texts
from bot.telegram.replies import reply
from bot.telegram.services import services

logger = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
"""An update handler: an ``async def`` (python-telegram-bot wants a coroutine function, and
its callback types say Coroutine, which a plain Awaitable does not satisfy)."""

_REFUSED = "refused_users"
_MANAGERS = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def is_bot_admin(user_id: int | None, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return user_id is not None and user_id in services(context).config.access.admins


def is_allowed(user_id: int, context: ContextTypes.DEFAULT_TYPE) -> bool:
    access = services(context).config.access
    return not access.allowed_users or user_id in access.allowed_users or user_id in access.admins


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler: stops updates from people the bot does not serve.

    A refused person hears about it once per process, so a curious stranger cannot make the
    bot spam a group by repeating commands.
    """
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop
    if is_allowed(user.id, context):
        return
    refused: set[int] = context.bot_data.setdefault(_REFUSED, set())
    first_time = user.id not in refused
    refused.add(user.id)
    logger.info("refused update from user %s (not in allowed_users)", user.id)
    if update.callback_query:
        await update.callback_query.answer(_(texts.NOT_ALLOWED_SHORT) if first_time else None)
    elif first_time and update.effective_message:
        await reply(update, _(texts.NOT_ALLOWED))
    raise ApplicationHandlerStop


async def can_manage_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the sender may change this chat's subscriptions and settings."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        # An anonymous administrator writes as the group itself.
        return message.sender_chat.id == chat.id
    return await administers(context.bot, chat.id, user.id)


async def administers(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Whether Telegram says ``user_id`` is an administrator (or the owner) of ``chat_id``;
    False when it cannot say (the bot is no longer there)."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        logger.warning("getChatMember(%s, %s) failed: %s", chat_id, user_id, exc)
        return False
    return member.status in _MANAGERS


def managers_only(handler: Handler) -> Handler:
    """Let only people who may change this chat's subscriptions run ``handler``."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await can_manage_chat(update, context):
            await handler(update, context)
        else:
            await reply(update, _(texts.ADMINS_ONLY))

    return guarded


def bot_admins_only(handler: Handler) -> Handler:
    """Let only the operators named in ``access.admins`` run ``handler``."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if is_bot_admin(user.id if user else None, context):
            await handler(update, context)
        else:
            await reply(update, _(texts.BOT_ADMINS_ONLY))

    return guarded
