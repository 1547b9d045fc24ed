"""/translate on | off: whether this chat's alerts and digests show articles written in another
language translated into the chat's (``[translate]``; its ``by_default`` until a chat says)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.i18n import _, format_language
from bot.markup import esc
from bot.telegram.access import managers_only
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import command_argument, on_or_off
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)

MAX_ARGUMENT = 10


def usage() -> str:
    return _("Write <code>/translate on</code> or <code>/translate off</code>.")


@managers_only
async def translate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    argument = command_argument(message_of(update), limit=MAX_ARGUMENT)
    on = on_or_off(argument, usage()) if argument else None
    chat = await (await acting_chat(update, context)).row(svc, update)
    config = svc.config.translate
    if not config.enabled:
        await reply(
            update,
            _(
                "This bot has no translator set up: articles are shown in the language they "
                "were written in."
            ),
        )
        return
    language = esc(format_language(chat_settings(chat, svc.config.delivery).language))
    if on is None:
        shown = config.by_default if chat.translate is None else chat.translate
        await reply(update, state(shown, language))
        return
    await svc.store.set_chat_translate(chat.id, on)
    logger.info("chat %s set translation %s", chat.id, argument)
    await reply(update, state(on, language))


def state(on: bool, language: str) -> str:
    """What the chat gets now, and how to change it."""
    if on:
        return _(
            "Articles written in another language are translated here into {language}, with "
            "the original title below. <code>/translate off</code> shows them as written."
        ).format(language=language)
    return _(
        "Articles are shown here in the language they were written in. "
        "<code>/translate on</code> translates them into {language}."
    ).format(language=language)
