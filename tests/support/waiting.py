"""Waiting on a condition instead of sleeping a fixed time.

A test goes on the moment what it waits for has happened, however busy the machine, and fails
naming what never happened once the deadline passes. Every wait in the tests polls through here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL = 0.02
"""Seconds between two looks: short beside anything a test waits for, long beside a look."""


def wait_for(
    condition: Callable[[], T],
    what: str,
    *,
    timeout: float = 30.0,
    check: Callable[[], None] | None = None,
) -> T:
    """Block until ``condition()`` is truthy and return it; ``check`` runs between looks and
    raises when waiting longer is pointless (the process being watched exited)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if check is not None:
            check()
        assert time.monotonic() < deadline, f"timed out after {timeout:g}s waiting for {what}"
        time.sleep(POLL)
    return value


async def until(condition: Callable[[], T], what: str, *, timeout: float = 20.0) -> T:
    """``wait_for`` on the event loop: the bot or daemon under test runs between the looks."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout:g}s waiting for {what}"
        await asyncio.sleep(POLL)
    return value
