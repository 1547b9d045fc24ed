"""Each update is answered in its chat's language: the first handler of every update sets it.

The language is the chat's /language choice, else the Telegram app language of the person
writing (``language_code``; "pt-BR" falls back to "pt"), else the one the chat's person had
when last seen, else ``[delivery] language``. Alerts choose the same way from the stored chat
(``bot.chat_settings``), so replies and alerts of one chat agree.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.config import DeliveryConfig
from bot.i18n.context import set_language
from bot.store import ChatRow
from bot.telegram.services import services


async def speak_their_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = update.effective_chat
    row = await svc.store.get_chat(chat.id) if chat else None
    set_language(reply_language(update, row, svc.config.delivery))


def reply_language(update: Update, row: ChatRow | None, delivery: DeliveryConfig) -> str:
    """The language to answer ``update`` in, its chat stored as ``row`` (None: not yet)."""
    user, chat = update.effective_user, update.effective_chat
    code = user.language_code if user else None
    private = chat is not None and chat.type == chat.PRIVATE
    speaker = code if row is None or private else None  # a group reads one language
    return chat_settings(row, delivery, speaker=speaker).language
