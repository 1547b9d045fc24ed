"""The process's one clock.

Every stage that asks "what time is it" (the pipeline, the scheduler, the sender, matching,
digests) is given a `Clock` instead of reading the wall clock itself, so the demo and the tests
set the time in one place (`bot.wiring.build(config, now=...)`) and every stage agrees on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A function returning the current moment as an aware UTC datetime."""


def utcnow() -> datetime:
    """The wall clock in UTC: the default `Clock` outside the demo and tests."""
    return datetime.now(UTC)
