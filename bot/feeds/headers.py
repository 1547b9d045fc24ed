"""Reading the response headers that tell us when to come back (Retry-After, Cache-Control).

Servers write these loosely; a header we cannot read is treated as absent, never as an error,
because the worst outcome of ignoring it is polling at the normal interval.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

logger = logging.getLogger(__name__)

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.

    A date in the past means "now" (0); an unreadable value means None.
    """
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        logger.debug("unreadable Retry-After %r", value)
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_max_age(cache_control: str | None) -> int | None:
    """The max-age directive of a Cache-Control header, in seconds (s-maxage is for proxies)."""
    match = _MAX_AGE.search(cache_control or "")
    return int(match.group(1)) if match else None
