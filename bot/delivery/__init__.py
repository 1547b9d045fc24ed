"""Delivery: alert formatting, pacing within Telegram's limits, and the outbox sender."""

from bot.delivery.buttons import (
    Buttons,
    Callback,
    CallbackDataError,
    alert_buttons,
    callback_data,
    parse_callback,
    to_markup,
    undo_buttons,
)
from bot.delivery.cycle import DeliveryReport
from bot.delivery.format import (
    DigestItem,
    DigestPage,
    RenderedAlert,
    format_alert,
    format_digest,
)
from bot.delivery.pacing import Pacer
from bot.delivery.render import render_outbox_row
from bot.delivery.sender import OutboxSender

__all__ = [
    "Buttons",
    "Callback",
    "CallbackDataError",
    "DeliveryReport",
    "DigestItem",
    "DigestPage",
    "OutboxSender",
    "Pacer",
    "RenderedAlert",
    "alert_buttons",
    "callback_data",
    "format_alert",
    "format_digest",
    "parse_callback",
    "render_outbox_row",
    "to_markup",
    "undo_buttons",
]
