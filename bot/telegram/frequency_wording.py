"""How replies say how often a topic comes: "daily 08:00, next digest 4 Dec 08:00 CET".

/list, /frequency and the /subscribe confirmation say it alike, from the topic's stored
``frequency`` column.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.markup import esc
from bot.schedule import describe_frequency, stored_frequency


def frequency_note(stored: str | None, zone: ZoneInfo, now: datetime) -> str:
    """How often a topic (its ``frequency`` column) is delivered and when next after ``now``,
    as HTML."""
    return esc(describe_frequency(stored_frequency(stored), zone, now))
