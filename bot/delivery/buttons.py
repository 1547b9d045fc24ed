"""Inline buttons under an alert (and under a /subscribe confirmation) and the data they carry.

The callback handlers in ``bot/telegram`` parse what this module writes, so both sides share
one format: ``"<action>:<id>"``, or ``"page:<id>:<page>"`` for a search's paging buttons, far
below Telegram's 64-byte limit. The id is a subscription's for ``mute``, ``unsub``, ``undo``,
``restore`` (Undo after Unsubscribe) and ``regroup``; an outbox row's (the alert's) for
``pickmute``, ``pickunsub`` and ``back`` (an alert for several topics asks which one its Mute
or Unsubscribe means, with a button per topic); a saved rule's (``bot/store/saved_rules.py``)
for the buttons under a /search or a shared topic, ``page`` and ``follow``. The per-topic
buttons of an alert for several topics, and the Undo that follows them, carry the alert's id
too, ``"mute:<id>:<alert id>"``, so that the alert keeps the buttons of its other topics.
An operator's Approve and Refuse under a chat's feed request carry the request's id
(``approve:<id>``, ``refuse:<id>``). /language's buttons carry a language code instead of an
id: ``lang:<code>``, or ``lang:auto`` to follow the Telegram app's language again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import LANGUAGES, _, isolate
from bot.markup import shorten

Buttons = list[list[tuple[str, str]]]
"""Rows of (label, callback_data)."""

Action = Literal[
    "mute",
    "unsub",
    "undo",
    "restore",
    "regroup",
    "pickmute",
    "pickunsub",
    "back",
    "page",
    "follow",
    "lang",
    "approve",
    "refuse",
]
ALERT_ACTIONS: tuple[Action, ...] = (
    "mute",
    "unsub",
    "undo",
    "restore",
    "regroup",
    "pickmute",
    "pickunsub",
    "back",
)
"""The actions of the buttons under an alert or a /subscribe confirmation; ``page`` and
``follow`` belong to searches and shares."""
_ACTIONS: tuple[Action, ...] = (*ALERT_ACTIONS, "page", "follow", "approve", "refuse")
PICKS: dict[Action, Action] = {"pickmute": "mute", "pickunsub": "unsub"}
"""The question an alert of several topics asks → the action of the per-topic button."""
_ON_AN_ALERT: tuple[Action, ...] = ("mute", "unsub", "undo", "restore")
"""The actions whose button may also carry the id of the alert of several topics it is on."""
_MAX_ID = 2**63 - 1
"""The largest row id SQLite can hold; a larger number names no row."""
_LABEL_CHARS = 40
"""How much of a rule a per-topic button shows; Telegram cuts longer labels anyway."""


class CallbackDataError(ValueError):
    """Callback data this bot did not write (an old message, or a forged press)."""


@dataclass(frozen=True)
class Callback:
    action: Action
    row_id: int
    """A subscription id, an outbox id for the actions that ask or go back, or a saved rule's
    for ``page`` and ``follow`` (see above)."""
    page: int = 0
    """For ``page``: which page of the search to show, 0 the first."""
    alert: int = 0
    """For the actions on one topic of an alert for several: that alert's outbox id (0: none
    given, an alert for one topic)."""
    language: str = ""
    """For ``lang``: a code of ``bot.i18n.LANGUAGES``, or ``AUTOMATIC``; ``row_id`` is 0."""


AUTOMATIC = "auto"
"""/language's choice of no choice: the chat follows its person's Telegram app language."""


def language_data(code: str) -> str:
    return f"lang:{code}"


def callback_data(action: Action, row_id: int, more: int | None = None) -> str:
    """``more``: the page of a ``page`` button, the alert of a button on one of its topics."""
    return f"{action}:{row_id}" if more is None else f"{action}:{row_id}:{more}"


def parse_callback(data: str) -> Callback:
    """Inverse of :func:`callback_data`; raises CallbackDataError for anything else.

    The id must be ASCII digits within SQLite's range: ``isdigit`` alone would let ``²``
    through, and a 30-digit id would reach the database and fail there.
    """
    action, _colon, numbers = data.partition(":")
    number, _colon, page = numbers.partition(":")
    if action == "lang":
        if numbers not in (*LANGUAGES, AUTOMATIC):
            raise CallbackDataError(f"unknown language in button data {data!r}")
        return Callback("lang", 0, language=numbers)
    if action == "page":
        valid = _is_id(number) and (page == "0" or _is_id(page))
    elif action in _ON_AN_ALERT and page:
        valid = _is_id(number) and _is_id(page)
        if valid:
            return Callback(action, int(number), alert=int(page))
    else:
        valid = action in _ACTIONS and _is_id(number) and ":" not in numbers
    if not valid:
        raise CallbackDataError(
            f"unknown button data {data!r}: expected <action>:<id>[:<id>] or page:<id>:<n>"
        )
    return Callback(action, int(number), int(page or 0))  # type: ignore[arg-type]


def _is_id(number: str) -> bool:
    return (
        number.isascii() and number.isdecimal() and len(number) < 20 and 0 < int(number) <= _MAX_ID
    )


def alert_buttons(sub_id: int, outbox_id: int | None = None) -> Buttons:
    """Mute or leave the subscription straight from the alert that annoyed you (``outbox_id``:
    the alert, when it is for several topics)."""
    return [
        [
            ("🔕 " + _("Mute"), callback_data("mute", sub_id, outbox_id)),
            ("✖ " + _("Unsubscribe"), callback_data("unsub", sub_id, outbox_id)),
        ]
    ]


def topic_buttons(outbox_id: int, sub_ids: Sequence[int]) -> Buttons:
    """The buttons of an alert: for one topic they act on it; for several they ask which."""
    if not sub_ids:
        return []
    if len(sub_ids) == 1:
        return alert_buttons(sub_ids[0])
    return [
        [
            ("🔕 " + _("Mute…"), callback_data("pickmute", outbox_id)),
            ("✖ " + _("Unsubscribe…"), callback_data("pickunsub", outbox_id)),
        ]
    ]


def choice_buttons(
    action: Action, outbox_id: int, topics: Sequence[tuple[int, int, str]]
) -> Buttons:
    """One button per topic (sub id, number, rule) for ``action``, then Back to the alert's
    own buttons."""
    mark = "🔕" if action == "mute" else "✖"
    rows = [
        [
            (
                f"{mark} #{number} {shorten(rule, _LABEL_CHARS)}",
                callback_data(action, sub_id, outbox_id),
            )
        ]
        for sub_id, number, rule in topics
    ]
    return [*rows, [("↩ " + _("Back"), callback_data("back", outbox_id))]]


def undo_buttons(
    action: Literal["undo", "restore"], sub_id: int, outbox_id: int | None, others: Sequence[int]
) -> Buttons:
    """What an alert shows after a Mute (``undo``) or an Unsubscribe (``restore``) of one of
    its topics: Undo, for a mistaken press, then the buttons of its ``others`` topics (for an
    alert of several, ``outbox_id``), which a press on one topic leaves as they were."""
    undo = [("↩ " + _("Undo"), callback_data(action, sub_id, outbox_id))]
    if outbox_id is None or not others:
        return [undo]
    if len(others) == 1:
        return [undo, *alert_buttons(others[0], outbox_id)]
    return [undo, *topic_buttons(outbox_id, others)]


def regroup_buttons(sub_id: int, other_reading: str) -> Buttons:
    """Under a confirmation whose rule reads otherwise than likely meant: follow the other
    reading instead (the button carries the subscription; the handler reads the rule again)."""
    return [
        [
            (
                _("Follow {rule} instead").format(
                    rule=isolate(shorten(other_reading, _LABEL_CHARS))
                ),
                callback_data("regroup", sub_id),
            )
        ]
    ]


def to_markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """The keyboard python-telegram-bot sends; None when there are no buttons."""
    if not buttons:
        return None
    rows = [[InlineKeyboardButton(label, callback_data=data) for label, data in r] for r in buttons]
    return InlineKeyboardMarkup(rows)
