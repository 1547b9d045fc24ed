"""Time zones by IANA name: whether one is known, and the zone a chat's times are shown in."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)


def is_timezone(name: str) -> bool:
    """Whether ``name`` is a zone tzdata knows ("Europe/Berlin", "UTC")."""
    return _zone(name) is not None


def chat_zone(chat_timezone: str | None, default: str) -> ZoneInfo:
    """The chat's /timezone, else ``default`` (``[delivery] timezone``); UTC when the one
    chosen is no longer known to tzdata."""
    name = chat_timezone or default or "UTC"
    zone = _zone(name)
    if zone is None:
        logger.warning("unknown timezone %r, showing UTC", name)
        return ZoneInfo("UTC")
    return zone


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
