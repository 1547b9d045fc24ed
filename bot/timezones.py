"""Time zones by IANA name: the zone a name means in any case, and the zone a chat's times are
shown in."""

from __future__ import annotations

import functools
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

logger = logging.getLogger(__name__)


def timezone_name(name: str) -> str | None:
    """The canonical spelling of the zone ``name`` means ("utc" → "UTC", "europe/berlin" →
    "Europe/Berlin"), None when tzdata knows no such zone.

    People type zone names as they say them; tzdata's own spelling is what gets stored, so a
    name is shown back the way everyone writes it and loads on any file system.
    """
    canonical = _names_by_fold().get(name.casefold())
    if canonical is not None:
        return canonical
    return name if _zone(name) is not None else None  # a zone tzdata does not list


def is_timezone(name: str) -> bool:
    """Whether ``name`` is a zone tzdata knows ("Europe/Berlin", "UTC", "utc").

    A name spelled as tzdata spells it loads its one zone file; only another spelling costs
    the scan of every zone file (about 600, a noticeable part of a short command's start-up,
    since the config's ``[delivery] timezone`` is checked on every load).
    """
    return _zone(name) is not None or timezone_name(name) is not None


def chat_zone(chat_timezone: str | None, default: str) -> ZoneInfo:
    """The chat's /timezone, else ``default`` (``[delivery] timezone``); UTC when the one
    chosen is no longer known to tzdata."""
    name = chat_timezone or default or "UTC"
    canonical = timezone_name(name)
    zone = _zone(canonical) if canonical else None
    if zone is None:
        logger.warning("unknown timezone %r, showing UTC", name)
        return ZoneInfo("UTC")
    return zone


@functools.cache
def _names_by_fold() -> dict[str, str]:
    """Every zone tzdata lists, by its case-folded name (read once: it scans the zone files)."""
    return {name.casefold(): name for name in available_timezones()}


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
