"""When to poll a feed next: pure arithmetic, so the scheduler's policy can be tested alone.

A healthy feed is polled at its interval, or slower when the publisher asks (RSS <ttl>,
Cache-Control max-age). A failing feed backs off exponentially so a dead server is not
hammered. Jitter spreads feeds that were added together, so they do not fire together.
"""

from __future__ import annotations

import logging
import random

logger = logging.getLogger(__name__)

JITTER = 0.1
MAX_HINT = 6 * 3600.0
"""The slowest a publisher's ttl/max-age may make a healthy feed: CDNs and CMSs often send
day-long defaults that the editors never chose, and a news alert a day late is useless."""
MAX_BACKOFF = 24 * 3600.0
MAX_RETRY_AFTER = 7 * 24 * 3600.0
"""Longer Retry-After values are treated as misconfiguration rather than silent death."""
_MAX_DOUBLINGS = 32  # 2**32 intervals is already far past MAX_BACKOFF; avoids float overflow

_rng = random.Random()


def next_poll_delay(
    *,
    interval: float,
    error_count: int,
    retry_after: float | None = None,
    ttl_minutes: int | None = None,
    max_age: int | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll of a feed.

    ``interval`` is the configured poll interval in seconds; ``error_count`` the number of
    consecutive failed polls (0 = healthy). A failing feed waits interval·2^(n-1), capped at
    24 h (or the interval, if that is longer). ``retry_after`` (seconds, from a 429/503) is a
    floor: the result is never earlier. ±10% jitter; pass ``rng`` for repeatable results.
    """
    if interval <= 0:
        raise ValueError(f"poll interval must be positive, got {interval}")
    if error_count < 0:
        raise ValueError(f"error_count cannot be negative, got {error_count}")
    jitter = (rng or _rng).uniform(1 - JITTER, 1 + JITTER)
    if error_count:
        cap = max(MAX_BACKOFF, interval)
        delay = min(interval * 2.0 ** min(error_count - 1, _MAX_DOUBLINGS), cap) * jitter
        delay = min(delay, cap)
    else:
        delay = max(interval, _publisher_hint(ttl_minutes, max_age)) * jitter
    if retry_after:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def _publisher_hint(ttl_minutes: int | None, max_age: int | None) -> float:
    """The slowest polling the feed itself asks for, within MAX_HINT."""
    hint = max((ttl_minutes or 0) * 60.0, float(max_age or 0))
    return min(hint, MAX_HINT)
