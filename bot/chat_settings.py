"""A chat's settings as every stage reads them: language, time zone, quiet hours, frequency.

A chat chooses some of them (/language, /timezone, /quiet) and ``[delivery]`` gives the rest
(``language``, ``timezone``, ``quiet_hours``, ``frequency``). They are resolved here, once per
chat, into one frozen value that the sender, the digests and the commands are handed, so a
chat's alerts and its replies agree on them and no default is passed down through constructors.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.config import DeliveryConfig
from bot.i18n import pick
from bot.schedule import Frequency, QuietHours, parse_frequency, stored_quiet
from bot.store import ChatRow
from bot.timezones import chat_zone


@dataclass(frozen=True)
class ChatSettings:
    """What a chat reads its texts and times in, and when it wants no buzz."""

    language: str
    """The language of its texts: its /language choice, else its person's Telegram language,
    else ``[delivery] language``."""
    zone: ZoneInfo
    """The zone its times are shown and its digests timed in: /timezone, else the config's."""
    quiet: QuietHours | None
    """Its quiet hours: /quiet's, else ``[delivery] quiet_hours``; None for none."""
    frequency: Frequency
    """How often a new topic is delivered unless /subscribe says (``[delivery] frequency``)."""


def chat_settings(
    chat: ChatRow | None, delivery: DeliveryConfig, *, speaker: str | None = None
) -> ChatSettings:
    """The settings of the chat stored as ``chat`` (None: not stored yet, the config's).

    ``speaker`` is the Telegram language of the person writing now, for a reply in a private
    chat (or a chat not stored yet): it goes before the one last stored for the chat's person.
    A group reads one language whoever writes, so its replies and alerts pass none.
    """
    if chat is None:
        return ChatSettings(
            language=pick(speaker, delivery.language),
            zone=chat_zone(None, delivery.timezone),
            quiet=stored_quiet(None, delivery.quiet_hours),
            frequency=parse_frequency(delivery.frequency),
        )
    return ChatSettings(
        language=pick(chat.language, speaker, chat.telegram_language, delivery.language),
        zone=chat_zone(chat.timezone, delivery.timezone),
        quiet=stored_quiet(chat.quiet, delivery.quiet_hours),
        frequency=parse_frequency(delivery.frequency),
    )
