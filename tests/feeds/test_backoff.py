"""The poll schedule: regular when healthy, patient when failing, obedient to Retry-After."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.feeds.backoff import MAX_BACKOFF, MAX_HINT, next_poll_delay

HOUR = 3600.0


def delays(**kwargs: float | int | None) -> list[float]:
    """The delay for many jitter draws, so a test sees the whole range."""
    rng = random.Random(7)
    return [next_poll_delay(rng=rng, **kwargs) for _ in range(500)]


def test_healthy_feed_polls_at_its_interval_with_ten_percent_jitter() -> None:
    results = delays(interval=600, error_count=0)
    assert all(540 <= d <= 660 for d in results)
    assert min(results) < 560 and max(results) > 640  # the jitter really spreads polls


def test_feed_hints_only_ever_slow_polling_down_within_a_cap() -> None:
    assert all(1620 <= d <= 1980 for d in delays(interval=600, error_count=0, ttl_minutes=30))
    assert all(2700 <= d <= 3300 for d in delays(interval=600, error_count=0, max_age=3000))
    assert all(540 <= d <= 660 for d in delays(interval=600, error_count=0, ttl_minutes=1))
    assert max(delays(interval=600, error_count=0, max_age=7 * 86400)) <= MAX_HINT * 1.1


@pytest.mark.parametrize(("errors", "factor"), [(1, 1), (2, 2), (3, 4), (5, 16)])
def test_failing_feed_backs_off_exponentially(errors: int, factor: int) -> None:
    results = delays(interval=600, error_count=errors)
    assert all(600 * factor * 0.9 <= d <= 600 * factor * 1.1 for d in results)


def test_backoff_is_capped_at_a_day_even_after_endless_failures() -> None:
    assert all(
        0.9 * MAX_BACKOFF <= d <= MAX_BACKOFF for d in delays(interval=600, error_count=10_000)
    )


def test_retry_after_is_never_undercut() -> None:
    assert min(delays(interval=600, error_count=1, retry_after=7200)) >= 7200
    # A shorter Retry-After does not shorten the normal backoff.
    assert min(delays(interval=600, error_count=4, retry_after=60)) >= 600 * 8 * 0.9


@pytest.mark.parametrize(
    ("interval", "error_count", "message"),
    [(0, 0, "interval must be positive"), (60, -1, "error_count cannot be negative")],
)
def test_nonsense_input_is_refused(interval: float, error_count: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        next_poll_delay(interval=interval, error_count=error_count)


@given(
    interval=st.floats(min_value=1, max_value=7 * 86400),
    error_count=st.integers(min_value=0, max_value=10**9),
    retry_after=st.one_of(st.none(), st.floats(min_value=0, max_value=86400)),
    ttl_minutes=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)),
    max_age=st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
)
def test_delay_is_always_positive_bounded_and_after_retry_after(
    interval: float,
    error_count: int,
    retry_after: float | None,
    ttl_minutes: int | None,
    max_age: int | None,
) -> None:
    delay = next_poll_delay(
        interval=interval,
        error_count=error_count,
        retry_after=retry_after,
        ttl_minutes=ttl_minutes,
        max_age=max_age,
        rng=random.Random(0),
    )
    assert delay > 0
    assert delay >= (retry_after or 0)
    assert delay <= max(interval, MAX_HINT, MAX_BACKOFF) * 1.1 + (retry_after or 0)
