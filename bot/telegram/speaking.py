"""Each update is answered in its chat's language: the first handler of every update sets it.

The language is the chat's /language choice, else the Telegram app language of the person
writing (``language_code``; "pt-BR" falls back to "pt"), else the one the chat's person had
when last seen, else ``[delivery] language``. Alerts choose the same way from the stored chat
(``ChatRow.reads``), so replies and alerts of one chat agree.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import pick
from bot.i18n.context import set_language
from bot.telegram.services import services


async def speak_their_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    default = svc.config.delivery.language
    user, chat = update.effective_user, update.effective_chat
    code = user.language_code if user else None
    row = await svc.store.get_chat(chat.id) if chat else None
    if row is None:
        set_language(pick(code, default))
    elif chat is not None and chat.type == chat.PRIVATE:
        set_language(pick(row.language, code, row.telegram_language, default))
    else:  # a group reads one language, whoever writes
        set_language(row.reads(default))
