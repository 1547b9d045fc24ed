"""When a chat's alerts go out: now, in the scheduled digest that is due, or after quiet hours.

A topic delivered ``hourly``, ``daily HH:MM`` or ``weekly DAY HH:MM`` (``bot.schedule``) has its
alerts wait in the outbox: the first cycle that sees a row gives it the due time of the digest
after the row was queued (and the start of the period that digest covers), so a row queued
before a restart or a crash still goes out in the digest that was due, late, once the daemon is
back. A row that also matched a realtime topic is an alert.

While a chat's quiet hours last, whatever falls due for it is scheduled again for their end
(one digest then), or, with ``silent`` quiet hours, sent without a notification. A topic's
surge (``OutboxRow.surge``) is an alert as it happens and is held the same way.

This is a plan and nothing else (no store, no Telegram): the sender stores the due times it
gives and sends what it says is due, so the timing rules can be read, and tested, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from bot.chat_settings import ChatSettings
from bot.schedule import Frequency, stored_frequency
from bot.store import OutboxRow


@dataclass(frozen=True)
class DeliveryPlan:
    """One chat's pending rows sorted out for this moment."""

    due: list[OutboxRow]
    """The rows to send now; a scheduled one carries its ``due_at`` and ``period_from``."""
    schedule: dict[int, tuple[datetime, datetime]]
    """Rows given a new due time, and where their digest's period begins (to store)."""
    silent: bool
    """Silent quiet hours hold now: send without a notification."""


def plan_delivery(rows: list[OutboxRow], settings: ChatSettings, *, now: datetime) -> DeliveryPlan:
    """Which of a chat's ``rows`` go now; the others are scheduled for their digest.

    A row of scheduled topics seen for the first time gets the due time of the digest after
    it was queued (already past after a restart: it goes now, late). While quiet hours hold,
    every row due now is scheduled again for their end.
    """
    zone, quiet = settings.zone, settings.quiet
    schedule: dict[int, tuple[datetime, datetime]] = {}
    for row in rows:
        frequency = row_frequency(row, zone)
        if row.due_at is None and not frequency.realtime:
            due = frequency.next_due(row.created_at, zone)
            schedule[row.id] = (due, frequency.previous_due(due, zone))
    quiet_now = quiet is not None and quiet.contains(now, zone)
    if quiet is not None and quiet_now and not quiet.silent:
        start, end = quiet.window(now, zone)
        for row in rows:
            due, since = schedule.get(row.id, (row.due_at or now, row.period_from or start))
            if due <= now:
                schedule[row.id] = (end, since)
    silent = quiet is not None and quiet.silent and quiet_now
    return DeliveryPlan(_due_rows(rows, schedule, now), schedule, silent)


def _due_rows(
    rows: list[OutboxRow], schedule: dict[int, tuple[datetime, datetime]], now: datetime
) -> list[OutboxRow]:
    """The rows due at ``now`` once ``schedule`` is applied to them."""
    if not schedule:
        return rows
    due_rows = []
    for row in rows:
        if row.id in schedule:
            due, since = schedule[row.id]
            row = replace(row, due_at=due, period_from=row.period_from or since)
        if row.due_at is None or row.due_at <= now:
            due_rows.append(row)
    return due_rows


def row_frequency(row: OutboxRow, zone: tzinfo) -> Frequency:
    """How often a row is delivered: as it happens when any topic it matched is realtime
    (or none is left), else by the topic whose digest is due first. A topic's surge is news
    as it happens, whatever the topic's frequency."""
    frequencies = [stored_frequency(sub.frequency) for sub in row.subscriptions]
    if row.surge is not None or not frequencies or any(f.realtime for f in frequencies):
        return Frequency()
    return min(frequencies, key=lambda f: f.next_due(row.created_at, zone))
