"""Telegram's command menu and the bot's description, in every language the bot speaks.

Telegram picks a menu by scope and by the user's app language: a list published with
``language_code="ru"`` is what Russian users see, the one without a code what everybody else
sees. The operators' private chats (``access.admins``) get their own scope with the operator
commands added; a private chat that chose a language with /language gets its own list in it.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import LANGUAGES, N_, _, use
from bot.telegram import texts

logger = logging.getLogger(__name__)

DESCRIPTION = N_(
    "I watch news feeds and send you the new articles about the topics you follow, once each, "
    "with a short summary. Write a topic as a rule: Israel + Azerbaijan, (Iran | Armenia) "
    '-football, "Eli Cohen". Tap Start, then /subscribe and your topic.'
)
"""What an empty chat with the bot shows (setMyDescription, at most 512 characters)."""

SHORT_DESCRIPTION = N_("News alerts for the topics you follow, from the feeds you choose.")
"""The bot's profile line and share text (setMyShortDescription, at most 120 characters)."""


def commands(*, operator: bool = False) -> list[BotCommand]:
    """The menu in the current language; operators' has the feed and status commands too."""
    listed = texts.COMMANDS + (texts.ADMIN_COMMANDS if operator else ())
    return [BotCommand(name, _(about)) for name, about in listed]


async def publish_menus(bot: Bot, default_language: str, operators: dict[int, str | None]) -> None:
    """Every language's menu and descriptions, and each operator's menu (in the language
    ``operators`` maps them to, their /language choice, or per app language), at start-up.

    The list without a language code is in ``default_language`` (``[delivery] language``),
    for apps set to a language the bot does not speak. An operator who never opened a chat
    with the bot cannot get a per-chat menu yet; that is logged and skipped.
    """
    for language in (None, *LANGUAGES):
        with use(language or default_language):
            await bot.set_my_commands(commands(), language_code=language)
            await bot.set_my_description(_(DESCRIPTION), language_code=language)
            await bot.set_my_short_description(_(SHORT_DESCRIPTION), language_code=language)
    for operator, chosen in operators.items():
        try:
            await publish_chat_menu(bot, operator, chosen, default_language, operator=True)
        except TelegramError as exc:
            logger.info("no operator command menu for %s yet: %s", operator, exc)


async def publish_chat_menu(
    bot: Bot, chat_id: int, chosen: str | None, default_language: str, *, operator: bool
) -> None:
    """The menu of one private chat: in its /language choice, or (``chosen`` None) per app
    language as everyone's, which for a chat other than an operator's is no menu of its own.

    Telegram prefers a chat's list for the app's language to the chat's list without one, so
    an operator's choice first removes the per-language lists their chat had.
    """
    scope = BotCommandScopeChat(chat_id)
    if operator:
        for language in (None, *LANGUAGES):
            if chosen is None:
                with use(language or default_language):
                    await bot.set_my_commands(
                        commands(operator=True), scope=scope, language_code=language
                    )
            elif language is not None:
                await bot.delete_my_commands(scope=scope, language_code=language)
    if chosen is not None:
        with use(chosen):
            await bot.set_my_commands(commands(operator=operator), scope=scope)
    elif not operator:
        await bot.delete_my_commands(scope=scope)
