"""/language: the language this chat's replies and alerts are written in.

Without a choice a chat reads its person's Telegram app language (``bot.telegram.speaking``);
``/language`` shows the current one with a button per language, ``/language ru`` chooses
directly, and "Automatic" goes back to the app's. In groups only administrators choose.
The choice is stored with the chat, so it holds across restarts and for every alert.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.delivery.buttons import (
    AUTOMATIC,
    Buttons,
    CallbackDataError,
    language_data,
    parse_callback,
    to_markup,
)
from bot.i18n import LANGUAGES, _, current, format_list, isolate, native_name, pick
from bot.i18n.context import set_language
from bot.language_tags import primary_subtag
from bot.markup import esc
from bot.telegram import texts
from bot.telegram.access import can_manage_chat, is_bot_admin
from bot.telegram.acting import ActingChat, acting_chat
from bot.telegram.arguments import ArgumentError, command_argument
from bot.telegram.menus import publish_chat_menu
from bot.telegram.replies import headed, reply
from bot.telegram.services import services
from bot.telegram.speaking import reply_language
from bot.telegram.updates import chat_of, message_of, query_of

logger = logging.getLogger(__name__)

_MAX_ARGUMENT = 32


def is_language_button(data: object) -> bool:
    """Whether callback data is one of /language's buttons (the handler's pattern)."""
    if not isinstance(data, str):
        return False
    try:
        return parse_callback(data).action == "lang"
    except CallbackDataError:
        return False


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await can_manage_chat(update, context):
        await reply(update, _(texts.LANGUAGE_ADMINS_ONLY))
        return
    svc = services(context)
    acting = await acting_chat(update, context)
    wanted = command_argument(message_of(update), limit=_MAX_ARGUMENT)
    chat = await acting.row(svc, update)
    if not wanted:
        # A private chat is answered in its own language; a channel's may be another.
        language = (
            current()
            if acting.channel is None
            else chat_settings(chat, svc.config.delivery).language
        )
        await reply(update, _current_text(chat.language, language), markup=to_markup(_buttons()))
        return
    code = _code_of(wanted)
    if code is None:
        codes = format_list(isolate(f"<code>{c}</code>") for c in LANGUAGES)
        await reply(
            update,
            _("I do not speak <code>{wanted}</code>. Choose one of: {codes}.").format(
                wanted=esc(wanted), codes=codes
            ),
            markup=to_markup(_buttons()),
        )
        return
    await _choose(update, context, acting, None if code == AUTOMATIC else code)
    await reply(update, _chosen_text(code))


async def on_language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = query_of(update)
    if not await can_manage_chat(update, context):
        await query.answer(_(texts.LANGUAGE_ADMINS_ONLY), show_alert=True)
        return
    try:
        acting = await acting_chat(update, context)
    except ArgumentError:
        await query.answer(_(texts.BUTTON_NO_LONGER_VALID), show_alert=True)
        return
    code = parse_callback(query.data or "").language
    await _choose(update, context, acting, None if code == AUTOMATIC else code)
    if isinstance(query.message, Message):
        await query.edit_message_text(headed(_chosen_text(code)), parse_mode="HTML")
    await query.answer()


async def _choose(
    update: Update, context: ContextTypes.DEFAULT_TYPE, acting: ActingChat, code: str | None
) -> None:
    """Store the choice; for the chat the command came from (not a channel managed from
    it), write the rest of this update in it, and give a private chat its command menu in
    it."""
    svc = services(context)
    await svc.store.set_chat_language(acting.id, code)
    logger.info("chat %s chose language %s", acting.id, code or "automatic")
    if acting.channel is not None:
        return
    chat = chat_of(update)
    set_language(reply_language(update, await svc.store.get_chat(chat.id), svc.config.delivery))
    user = update.effective_user
    if chat.type == ChatType.PRIVATE:
        operator = is_bot_admin(user.id if user else None, context)
        default = svc.config.delivery.language
        await publish_chat_menu(context.bot, chat.id, code, default, operator=operator)


def _code_of(wanted: str) -> str | None:
    """A language code from what was typed: "ru", "RU", "ru-RU", "Русский", "auto"."""
    folded = wanted.strip().casefold()
    if folded == AUTOMATIC:
        return AUTOMATIC
    for code in LANGUAGES:
        if folded in (code, native_name(code).casefold()):
            return code
    tag = pick(folded)
    return tag if primary_subtag(folded) == tag else None


def _buttons() -> Buttons:
    labels = [(native_name(code), language_data(code)) for code in LANGUAGES]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    return [*rows, [(_("Automatic (as my Telegram app)"), language_data(AUTOMATIC))]]


def _current_text(chosen: str | None, language: str) -> str:
    name = native_name(language)
    if chosen is None:
        text = _("I write to this chat in {language}, the language of your Telegram app.")
    else:
        text = _("I write to this chat in {language}.")
    return "\n".join(
        [
            text.format(language=esc(name)),
            _("Choose another one, or type it: <code>/language de</code>."),
        ]
    )


def _chosen_text(code: str) -> str:
    if code == AUTOMATIC:
        return _("Done: I follow your Telegram app's language again ({language}).").format(
            language=esc(native_name(current()))
        )
    return _("Done: I now write to this chat in {language}.").format(
        language=esc(native_name(code))
    )
