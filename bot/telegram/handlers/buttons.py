"""The buttons under an alert: ``mute:<id>`` pauses a topic (with Undo), ``unsub:<id>`` removes it.

Telegram shows a spinner on a pressed button until the query is answered, so every path ends in
``answer()``. A button only acts on a subscription of the chat it was pressed in, and in groups
only for administrators: alert messages can be forwarded, and anyone in a group can press.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.delivery.buttons import (
    ALERT_ACTIONS,
    CallbackDataError,
    alert_buttons,
    parse_callback,
    to_markup,
    undo_buttons,
)
from bot.markup import esc
from bot.store import SubscriptionRow, UnknownRow
from bot.telegram import texts
from bot.telegram.access import can_manage_chat
from bot.telegram.services import services
from bot.telegram.updates import chat_data_of, chat_of, query_of

logger = logging.getLogger(__name__)

_MUTED_MARK = "\n\n🔕 "
_KEYBOARDS = "muted_keyboards"
"""chat_data key: message id → the keyboard a muted alert had, for Undo to put back."""


def is_alert_button(data: object) -> bool:
    """Whether callback data is one this bot writes under alerts (the handler's pattern)."""
    if not isinstance(data, str):
        return False
    try:
        return parse_callback(data).action in ALERT_ACTIONS
    except CallbackDataError:
        return False


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = query_of(update)
    # The handler's pattern (is_alert_button) lets only data that parses through.
    callback = parse_callback(query.data or "")
    action = callback.action
    message = query.message
    if not isinstance(message, Message):
        await query.answer("This alert is too old to change; use /pause or /unsubscribe.")
        return
    sub = await _own_subscription(update, context, callback.sub_id)
    if sub is None:
        await query.answer("This topic is no longer followed here.")
        return
    if not await can_manage_chat(update, context):
        await query.answer(texts.ADMINS_ONLY, show_alert=True)
        return
    if action == "mute":
        await _mute(query, message, context, sub)
    elif action == "undo":
        await _undo(query, message, context, sub)
    else:
        await _unsubscribe(query, message, context, sub)


async def _own_subscription(
    update: Update, context: ContextTypes.DEFAULT_TYPE, sub_id: int
) -> SubscriptionRow | None:
    try:
        sub = await services(context).store.get_subscription(sub_id)
    except UnknownRow:
        return None
    return sub if sub.chat_id == chat_of(update).id else None


async def _mute(
    query: CallbackQuery, message: Message, context: ContextTypes.DEFAULT_TYPE, sub: SubscriptionRow
) -> None:
    await services(context).store.set_paused(sub.id, True)
    _keyboards(context)[message.message_id] = message.reply_markup
    undo = to_markup(undo_buttons(sub.id))
    note = f"{_MUTED_MARK}Paused <code>{esc(sub.rule)}</code>; /resume {sub.number} turns it on."
    await _edit(query, message.text_html + note, undo)
    await query.answer("Paused")


async def _undo(
    query: CallbackQuery, message: Message, context: ContextTypes.DEFAULT_TYPE, sub: SubscriptionRow
) -> None:
    await services(context).store.set_paused(sub.id, False)
    original = message.text_html.rsplit(_MUTED_MARK, 1)[0]
    keyboard = _keyboards(context).pop(message.message_id, None) or to_markup(alert_buttons(sub.id))
    await _edit(query, original, keyboard)
    await query.answer("Resumed")


async def _unsubscribe(
    query: CallbackQuery, message: Message, context: ContextTypes.DEFAULT_TYPE, sub: SubscriptionRow
) -> None:
    await services(context).store.remove_subscription(sub.id)
    note = f"\n\n🗑 Stopped following <code>{esc(sub.rule)}</code>."
    await _edit(query, message.text_html + note, None)
    await query.answer("Unsubscribed")


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other press (a button of an older version, forged data): stop the spinner."""
    query = query_of(update)
    logger.info("button with unknown data %r pressed", query.data)
    await query.answer(texts.BUTTON_NO_LONGER_VALID)


def _keyboards(context: ContextTypes.DEFAULT_TYPE) -> dict[int, InlineKeyboardMarkup | None]:
    return chat_data_of(context).setdefault(_KEYBOARDS, {})


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the alert; a double press that changes nothing is not an error worth logging."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
