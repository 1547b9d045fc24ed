"""/status as the tests compare it: without the lines that change by the second."""

from __future__ import annotations

from tests.support.botapi import SentMessage

ALIVE = 4
"""The heading and the lines that change by the second: release and uptime, last poll,
Telegram's last answer (their own test sets them)."""


def steady(answer: SentMessage) -> list[str]:
    """/status after its first lines, without the latencies of alerts the test sent just now
    (a second or none, as it happens)."""
    return [line for line in answer.plain.splitlines()[ALIVE:] if " p50 " not in line]
