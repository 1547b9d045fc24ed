"""Inline buttons under an alert and the callback data they carry.

The callback handlers in ``bot/telegram`` parse what this module writes, so both sides share
one format: ``"<action>:<subscription id>"``, far below Telegram's 64-byte limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Buttons = list[list[tuple[str, str]]]
"""Rows of (label, callback_data)."""

Action = Literal["mute", "unsub", "undo"]
_ACTIONS: tuple[Action, ...] = ("mute", "unsub", "undo")
_MAX_ID = 2**63 - 1
"""The largest row id SQLite can hold; a larger number names no subscription."""


class CallbackDataError(ValueError):
    """Callback data this bot did not write (an old message, or a forged press)."""


@dataclass(frozen=True)
class Callback:
    action: Action
    sub_id: int


def callback_data(action: Action, sub_id: int) -> str:
    return f"{action}:{sub_id}"


def parse_callback(data: str) -> Callback:
    """Inverse of :func:`callback_data`; raises CallbackDataError for anything else.

    The id must be ASCII digits within SQLite's range: ``isdigit`` alone would let ``²``
    through, and a 30-digit id would reach the database and fail there.
    """
    action, _, number = data.partition(":")
    valid = action in _ACTIONS and number.isascii() and number.isdecimal() and len(number) < 20
    if not valid or not 0 < int(number) <= _MAX_ID:
        raise CallbackDataError(f"unknown button data {data!r}: expected <mute|unsub|undo>:<id>")
    return Callback(action, int(number))  # type: ignore[arg-type]


def alert_buttons(sub_id: int) -> Buttons:
    """Mute or leave the subscription straight from the alert that annoyed you."""
    return [
        [
            ("🔕 Mute", callback_data("mute", sub_id)),
            ("✖ Unsubscribe", callback_data("unsub", sub_id)),
        ]
    ]


def undo_buttons(sub_id: int) -> Buttons:
    """What replaces the alert buttons after a mute or unsubscribe, for a mistaken press."""
    return [[("↩ Undo", callback_data("undo", sub_id))]]


def to_markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """The keyboard python-telegram-bot sends; None when there are no buttons."""
    if not buttons:
        return None
    rows = [[InlineKeyboardButton(label, callback_data=data) for label, data in r] for r in buttons]
    return InlineKeyboardMarkup(rows)
