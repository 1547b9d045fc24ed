"""What the property tests of rules share: the field prefixes a generated term may carry, and
hypothesis settings for generators that filter a lot."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

FIELD_NAMES = ["", "", "", "title:", "text:", "source:"]
"""Mostly no field, so that most generated terms search everywhere."""

# Other suites share this machine: no per-example deadline (speed is the benchmark's business),
# and generated rule texts are often invalid, so filtering is expected.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
