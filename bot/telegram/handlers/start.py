"""/start registers the chat (or brings it back after a block); /help explains rules."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.telegram import texts
from bot.telegram.arguments import command_argument
from bot.telegram.chats import register_chat
from bot.telegram.handlers import share
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _chat, returning = await register_chat(services(context).store, update)
    token = command_argument(message_of(update))
    if token:  # a deep link: t.me/<bot>?start=<token> (see share.py)
        await share.offer(update, context, token)
        return
    await reply(update, _(texts.WELCOME_BACK) if returning else texts.welcome())


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, texts.help_text())
