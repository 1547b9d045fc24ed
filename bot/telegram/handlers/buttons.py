"""The buttons under alerts and confirmations (codec: :mod:`bot.delivery.buttons`).

``mute:<id>`` pauses a topic (with Undo), ``unsub:<id>`` removes it (with Undo, ``restore``,
which follows it again as it was), ``regroup:<id>`` makes a just-confirmed topic follow the
other reading of its rule. An alert for several topics asks which one Mute or Unsubscribe
means (``pickmute``/``pickunsub:<outbox id>``): its keyboard becomes a button per topic and
Back; the chosen topic's button then acts as above, and the alert keeps the buttons of its
other topics under the Undo.

An unsubscribed topic is kept in the chat's memory of this process for its Undo: after a
restart, Undo answers that it is too late (``/subscribe`` brings the rule back, numbered anew).

Telegram shows a spinner on a pressed button until the query is answered, so every path ends in
``answer()``. A button only acts on a subscription (or alert) of the chat it was pressed in,
and in groups only for administrators: alert messages can be forwarded, and anyone in a group
can press.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.delivery.buttons import (
    ALERT_ACTIONS,
    PICKS,
    Callback,
    CallbackDataError,
    alert_buttons,
    choice_buttons,
    parse_callback,
    to_markup,
    topic_buttons,
    undo_buttons,
)
from bot.i18n import N_, _, isolate
from bot.store import DuplicateSubscription, OutboxRow, SubscriptionRow, UnknownRow
from bot.telegram import texts
from bot.telegram.access import can_manage_chat
from bot.telegram.following import regroup
from bot.telegram.services import services
from bot.telegram.topics import numbered, rule_code, shown_rule
from bot.telegram.updates import chat_data_of, chat_of, query_of

logger = logging.getLogger(__name__)

_MUTED_MARK = "\n\n🔕 "
_LEFT_MARK = "\n\n🗑 "
_KEYBOARDS = "alert_keyboards"
"""chat_data key: (message id, subscription id) → the keyboard an alert had before a Mute or
Unsubscribe of that topic, for its Undo to put back; (message id, 0) → the one it had before
it asked which topic, for Back."""
_ASKING = 0
_REMOVED = "removed_topics"
"""chat_data key: subscription id → the topic as it was before Unsubscribe, for its Undo."""
_GONE = N_("This topic is no longer followed here.")


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
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("This alert is too old to change; use /pause or /unsubscribe."))
        return
    if callback.action in ("pickmute", "pickunsub", "back"):
        await _on_alert_button(update, context, query, message, callback)
        return
    if callback.action == "restore":
        await _restore(update, context, query, message, callback)
        return
    sub = await _own_subscription(update, context, callback.row_id)
    if sub is None:
        await query.answer(_(_GONE))
        return
    if not await can_manage_chat(update, context):
        await query.answer(_(texts.ADMINS_ONLY), show_alert=True)
        return
    if callback.action == "regroup":
        await regroup(query, context, sub)
        return
    alert = await _own_alert(update, context, callback.alert) if callback.alert else None
    if callback.action == "mute":
        await _mute(query, message, context, sub, alert)
    elif callback.action == "undo":
        await _undo(query, message, context, sub, alert)
    else:
        await _unsubscribe(query, message, context, sub, alert)


async def _on_alert_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    message: Message,
    callback: Callback,
) -> None:
    """The buttons of an alert for several topics: ask which topic, or go back."""
    alert = await _own_alert(update, context, callback.row_id)
    if alert is None or not alert.subscriptions:
        await query.answer(_(_GONE))
        return
    if not await can_manage_chat(update, context):
        await query.answer(_(texts.ADMINS_ONLY), show_alert=True)
        return
    if callback.action == "back":
        before = _keyboards(context).pop((message.message_id, _ASKING), None)
        own = to_markup(topic_buttons(alert.id, [sub.id for sub in alert.subscriptions]))
        await _edit(query, None, before or own)
        await query.answer()
        return
    action = PICKS[callback.action]
    _keyboards(context)[message.message_id, _ASKING] = message.reply_markup
    topics = [(sub.id, sub.number, shown_rule(sub.rule)) for sub in alert.subscriptions]
    await _edit(query, None, to_markup(choice_buttons(action, alert.id, topics)))
    await query.answer(
        _("Mute which topic?") if action == "mute" else _("Unsubscribe from which topic?")
    )


async def _own_subscription(
    update: Update, context: ContextTypes.DEFAULT_TYPE, sub_id: int
) -> SubscriptionRow | None:
    try:
        sub = await services(context).store.get_subscription(sub_id)
    except UnknownRow:
        return None
    return sub if sub.chat_id == chat_of(update).id else None


async def _own_alert(
    update: Update, context: ContextTypes.DEFAULT_TYPE, outbox_id: int
) -> OutboxRow | None:
    try:
        alert = await services(context).store.get_alert(outbox_id)
    except UnknownRow:
        return None
    return alert if alert.chat.id == chat_of(update).id else None


async def _mute(
    query: CallbackQuery,
    message: Message,
    context: ContextTypes.DEFAULT_TYPE,
    sub: SubscriptionRow,
    alert: OutboxRow | None,
) -> None:
    await services(context).store.set_paused(sub.id, True)
    _keyboards(context)[message.message_id, sub.id] = _keyboard_before(context, message)
    undo = to_markup(undo_buttons("undo", sub.id, *_others(alert, sub.id)))
    note = _("Paused. /resume {number} turns {rule} back on.").format(
        number=sub.number, rule=isolate(rule_code(sub.rule))
    )
    await _edit(query, message.text_html + _MUTED_MARK + note, undo)
    await query.answer(_("Paused"))


async def _undo(
    query: CallbackQuery,
    message: Message,
    context: ContextTypes.DEFAULT_TYPE,
    sub: SubscriptionRow,
    alert: OutboxRow | None,
) -> None:
    await services(context).store.set_paused(sub.id, False)
    original = message.text_html.rsplit(_MUTED_MARK, 1)[0]
    before = _keyboards(context).pop((message.message_id, sub.id), None)
    await _edit(query, original, before or _own_keyboard(sub.id, alert))
    await query.answer(_("Resumed"))


async def _unsubscribe(
    query: CallbackQuery,
    message: Message,
    context: ContextTypes.DEFAULT_TYPE,
    sub: SubscriptionRow,
    alert: OutboxRow | None,
) -> None:
    await services(context).store.remove_subscription(sub.id)
    _removed(context)[sub.id] = sub
    _keyboards(context)[message.message_id, sub.id] = _keyboard_before(context, message)
    note = _("Stopped following {topic}.").format(topic=numbered(sub))
    undo = to_markup(undo_buttons("restore", sub.id, *_others(alert, sub.id)))
    await _edit(query, f"{message.text_html}{_LEFT_MARK}{note}", undo)
    await query.answer(_("Unsubscribed"))


async def _restore(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery,
    message: Message,
    callback: Callback,
) -> None:
    """Undo after Unsubscribe: the topic is followed again under its number, as it was."""
    sub = _removed(context).get(callback.row_id)
    if sub is None or sub.chat_id != chat_of(update).id:
        await query.answer(_("It is too late to undo this; /subscribe follows the topic again."))
        return
    if not await can_manage_chat(update, context):
        await query.answer(_(texts.ADMINS_ONLY), show_alert=True)
        return
    try:
        restored = await services(context).store.restore_subscription(sub)
    except DuplicateSubscription as exc:
        await query.answer(
            _("You already follow that as #{number}.").format(number=exc.existing.number),
            show_alert=True,
        )
        return
    del _removed(context)[sub.id]
    logger.info("chat %s follows #%d again", sub.chat_id, sub.number)
    alert = await _own_alert(update, context, callback.alert) if callback.alert else None
    original = message.text_html.rsplit(_LEFT_MARK, 1)[0]
    before = _keyboards(context).pop((message.message_id, sub.id), None)
    await _edit(query, original, before or _own_keyboard(restored.id, alert))
    await query.answer(_("Following again"))


def _others(alert: OutboxRow | None, sub_id: int) -> tuple[int | None, list[int]]:
    """The alert of several topics a button was on, and its topics other than ``sub_id``."""
    if alert is None:
        return None, []
    return alert.id, [other.id for other in alert.subscriptions if other.id != sub_id]


def _keyboard_before(
    context: ContextTypes.DEFAULT_TYPE, message: Message
) -> InlineKeyboardMarkup | None:
    """The keyboard a press on one topic replaces: the alert's own, or, when the press chose
    a topic from the list an alert of several asks with, the one it had before it asked."""
    asked = _keyboards(context).pop((message.message_id, _ASKING), None)
    return asked if _is_asking(message.reply_markup) else message.reply_markup


def _is_asking(markup: InlineKeyboardMarkup | None) -> bool:
    """Whether a keyboard is the list of topics an alert asks which one with (it has Back)."""
    rows = markup.inline_keyboard if markup else ()
    data = [button.callback_data for row in rows for button in row]
    return any(is_alert_button(d) and parse_callback(str(d)).action == "back" for d in data)


def _own_keyboard(sub_id: int, alert: OutboxRow | None) -> InlineKeyboardMarkup | None:
    """The buttons an alert shows for its topics (all of them, ``sub_id``'s again)."""
    if alert is None:
        return to_markup(alert_buttons(sub_id))
    return to_markup(topic_buttons(alert.id, [sub.id for sub in alert.subscriptions]))


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other press (a button of an older version, forged data): stop the spinner."""
    query = query_of(update)
    logger.info("button with unknown data %r pressed", query.data)
    await query.answer(_(texts.BUTTON_NO_LONGER_VALID))


def _keyboards(
    context: ContextTypes.DEFAULT_TYPE,
) -> dict[tuple[int, int], InlineKeyboardMarkup | None]:
    return chat_data_of(context).setdefault(_KEYBOARDS, {})


def _removed(context: ContextTypes.DEFAULT_TYPE) -> dict[int, SubscriptionRow]:
    return chat_data_of(context).setdefault(_REMOVED, {})


async def _edit(
    query: CallbackQuery, text: str | None, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit the alert (only its keyboard when ``text`` is None); a double press that changes
    nothing is not an error worth logging."""
    try:
        if text is None:
            await query.edit_message_reply_markup(reply_markup=markup)
        else:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
