"""Fixtures of the delivery tests: a clock the test moves through a chat's day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock at 3 Dec 2026, 12:00 UTC, standing still until a test moves it (the delivery
    tests walk a chat through a day in steps)."""
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller
