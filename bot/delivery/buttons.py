"""Inline buttons under an alert and the callback data they carry.

The callback handlers in ``bot/telegram`` parse what this module writes, so both sides share
one format: ``"<action>:<row id>"``, or ``"page:<row id>:<page>"`` for a search's paging
buttons, far below Telegram's 64-byte limit. Alert buttons name a subscription; the buttons
under a /search or a shared topic (``page``, ``follow``) name a saved rule
(``bot/store/saved_rules.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Buttons = list[list[tuple[str, str]]]
"""Rows of (label, callback_data)."""

Action = Literal["mute", "unsub", "undo", "page", "follow"]
_ACTIONS: tuple[Action, ...] = ("mute", "unsub", "undo", "page", "follow")
ALERT_ACTIONS: tuple[Action, ...] = ("mute", "unsub", "undo")
"""The actions of the buttons under an alert; the others belong to searches and shares."""
_MAX_ID = 2**63 - 1
"""The largest row id SQLite can hold; a larger number names no subscription."""


class CallbackDataError(ValueError):
    """Callback data this bot did not write (an old message, or a forged press)."""


@dataclass(frozen=True)
class Callback:
    action: Action
    sub_id: int
    """The row the button acts on: a subscription, or for ``page`` and ``follow`` a saved rule."""
    page: int = 0
    """For ``page``: which page of the search to show, 0 the first."""


def callback_data(action: Action, sub_id: int, page: int | None = None) -> str:
    return f"{action}:{sub_id}" if page is None else f"{action}:{sub_id}:{page}"


def parse_callback(data: str) -> Callback:
    """Inverse of :func:`callback_data`; raises CallbackDataError for anything else.

    The id must be ASCII digits within SQLite's range: ``isdigit`` alone would let ``²``
    through, and a 30-digit id would reach the database and fail there.
    """
    action, _, numbers = data.partition(":")
    number, _, page = numbers.partition(":")
    if action == "page":
        valid = _is_id(number) and (page == "0" or _is_id(page))
    else:
        valid = action in _ACTIONS and _is_id(number) and ":" not in numbers
    if not valid:
        raise CallbackDataError(
            f"unknown button data {data!r}: expected <mute|unsub|undo|follow>:<id> or page:<id>:<n>"
        )
    return Callback(action, int(number), int(page or 0))  # type: ignore[arg-type]


def _is_id(number: str) -> bool:
    return (
        number.isascii() and number.isdecimal() and len(number) < 20 and 0 < int(number) <= _MAX_ID
    )


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
