"""How often a topic is delivered, and a chat's quiet hours: parsing, showing, due times.

Every time is computed from wall-clock times in the chat's zone and compared in UTC. A
daily digest is due at the first instant its local time occurs on a date, so a
daylight-saving change neither skips it (a time that does not exist that night, like 02:30
when clocks jump to 03:00, is due at the same instant one hour later on the wall) nor
doubles it (a time that occurs twice is due at its first occurrence only, and the next due
time is always strictly later than the last).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.i18n import N_, _, format_day_time, format_weekday, isolate
from bot.schedule_words import DAILY_AT, EVERY_WORDS, WEEKLY_AT, scan

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_AT = time(8, 0)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_AT_FREQUENCY = re.compile(r"(?:^|(?<=\s))@")
"""Where a trailing frequency may start: an ``@`` at the start of a word."""


class ScheduleError(ValueError):
    """A frequency or quiet-hours text that cannot be read; ``str(exc)`` says why, in plain
    words for the chat, in the language current when it was raised."""


class Every(StrEnum):
    REALTIME = "realtime"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"


# TRANSLATORS: realtime, hourly, daily and weekly are typed as they are; HH:MM and DAY stand
# for a time and a day of the week.
FREQUENCY_HELP = N_("realtime, hourly, daily HH:MM or weekly DAY HH:MM")
"""Translated where it is shown: ``_(FREQUENCY_HELP)``."""


@dataclass(frozen=True)
class Frequency:
    """How often a topic's matches reach the chat: at once, or as a digest when due."""

    every: Every = Every.REALTIME
    at: time = DEFAULT_AT
    """Local time of a daily or weekly digest."""
    weekday: int = 0
    """Day of a weekly digest, 0 = Monday."""

    @property
    def realtime(self) -> bool:
        return self.every == Every.REALTIME

    def __str__(self) -> str:
        """The canonical text, as stored and as a user types it (``describe_frequency`` words
        it for a reply)."""
        if self.every == Every.DAILY:
            return f"daily {self.at:%H:%M}"
        if self.every == Every.WEEKLY:
            return f"weekly {WEEKDAYS[self.weekday].title()} {self.at:%H:%M}"
        return str(self.every)

    def next_due(self, after: datetime, tz: tzinfo) -> datetime:
        """The first digest time strictly after ``after``, in UTC (realtime: ``after``)."""
        after = after.astimezone(UTC)
        if self.every == Every.REALTIME:
            return after
        if self.every == Every.HOURLY:
            minute = after.astimezone(tz).minute  # the local hour starts there (+05:30…)
            due = after.replace(second=0, microsecond=0) - timedelta(minutes=minute)
            return due if due > after else due + timedelta(hours=1)
        day = after.astimezone(tz).date() - timedelta(days=1)
        while True:
            if self.every == Every.DAILY or day.weekday() == self.weekday:
                due = wall_time(day, self.at, tz)
                if due > after:
                    return due
            day += timedelta(days=1)

    def previous_due(self, due: datetime, tz: tzinfo) -> datetime:
        """The digest time before ``due``: where the period a digest covers begins."""
        span = timedelta(hours=2) if self.every == Every.HOURLY else timedelta(days=8)
        earlier = self.next_due(due - span, tz)
        while (later := self.next_due(earlier, tz)) < due:
            earlier = later
        return earlier


def wall_time(day: date, at: time, tz: tzinfo) -> datetime:
    """The first UTC instant the clocks in ``tz`` show ``at`` on ``day``; for a time the
    clocks skip (spring forward), the instant the offset before the change gives it."""
    return datetime.combine(day, at, tzinfo=tz).replace(fold=0).astimezone(UTC)


def parse_clock(text: str) -> time:
    """ "8:00" or "08:00" as a time of day."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ScheduleError(
            _("{text} is not a time of day; write it as HH:MM, e.g. 08:00").format(
                text=isolate(repr(text))
            )
        )
    return time(int(match[1]), int(match[2]))


def parse_frequency(text: str) -> Frequency:
    """``realtime``, ``hourly``, ``daily [HH:MM]`` or ``weekly [DAY] [HH:MM]`` (08:00 and
    Monday when left out), in English or in the words the current language shows them in
    (``bot.schedule_words``: "ежедневно в 08:00", "weekly ראשון 08:00"); case and accents do
    not matter."""
    pieces = scan(text)
    if not pieces:
        raise ScheduleError(_("Say how often: {choices}.").format(choices=_(FREQUENCY_HELP)))
    first, rest = pieces[0], pieces[1:]
    if first.meaning.every is None:
        raise ScheduleError(
            _("{word} is not a frequency; use {choices}.").format(
                word=isolate(repr(first.text)), choices=_(FREQUENCY_HELP)
            )
        )
    every = Every(first.meaning.every)
    weekday: int | None = None
    at: time | None = None
    for piece in rest:
        if every in (Every.REALTIME, Every.HOURLY) and not piece.meaning.filler:
            raise ScheduleError(
                _("{frequency} takes no time; use {choices}.").format(
                    frequency=isolate(every), choices=_(FREQUENCY_HELP)
                )
            )
        day_may_come = every == Every.WEEKLY and weekday is None and at is None
        if piece.clock and at is None:
            at = parse_clock(piece.text)
        elif day_may_come and piece.meaning.weekday is not None:
            weekday = piece.meaning.weekday
        elif piece.meaning.filler:
            continue
        elif day_may_come and not piece.clock:
            raise ScheduleError(
                _("{text} is not a day of the week; write Mon, Tue, … or Sun").format(
                    text=isolate(repr(piece.text))
                )
            )
        else:
            raise ScheduleError(
                _("Too many words after {frequency}; use {choices}.").format(
                    frequency=isolate(every), choices=_(FREQUENCY_HELP)
                )
            )
    if every in (Every.REALTIME, Every.HOURLY):
        return Frequency(every)
    return Frequency(every, DEFAULT_AT if at is None else at, weekday or 0)


def split_frequency(text: str) -> tuple[str, Frequency | None]:
    """``text`` without a trailing ``@frequency``, and that frequency (None when absent).

    The frequency is the last ``@`` that starts a word and is followed by a frequency word
    (English, or the current language's); what follows it must then read as a frequency. The
    rule language reads ``@daily`` as a word; a rule that means to search for it quotes it
    (``"@daily"``), which this never takes apart.
    """
    marks = list(_AT_FREQUENCY.finditer(text))
    if not marks:
        return text, None
    tail = text[marks[-1].end() :]
    pieces = scan(tail)
    if not pieces or pieces[0].meaning.every is None:
        return text, None
    return text[: marks[-1].start()].strip(), parse_frequency(tail)


def stored_frequency(text: str | None) -> Frequency:
    """A subscription's ``frequency`` column (NULL: realtime)."""
    return parse_frequency(text) if text else Frequency()


def frequency_words(frequency: Frequency) -> str:
    """ "daily 08:00", "ежедневно в 08:00", "as it happens": how often, in the current
    language, in words :func:`parse_frequency` reads back."""
    if frequency.every == Every.DAILY:
        return _(DAILY_AT).format(time=f"{frequency.at:%H:%M}")
    if frequency.every == Every.WEEKLY:
        return _(WEEKLY_AT).format(
            day=format_weekday(frequency.weekday), time=f"{frequency.at:%H:%M}"
        )
    return _(EVERY_WORDS[frequency.every])


def describe_frequency(frequency: Frequency, tz: tzinfo, now: datetime) -> str:
    """ "daily 08:00, next digest 4 Dec 08:00 CET", or "as it happens", for a reply, in the
    current language (the stored text, ``str(frequency)``, stays the syntax a user types)."""
    if frequency.realtime:
        return frequency_words(frequency)
    return _("{frequency}, next digest {due}").format(
        frequency=frequency_words(frequency), due=format_day_time(frequency.next_due(now, tz), tz)
    )


@dataclass(frozen=True)
class QuietHours:
    """Local times between which a chat gets no buzz: alerts wait for the end (held, then one
    digest), or with ``silent`` arrive without a notification."""

    start: time
    end: time
    silent: bool = False

    def __str__(self) -> str:
        """The canonical text, as stored: ``22:00-07:00`` or ``22:00-07:00 silent``."""
        return f"{self.span} silent" if self.silent else self.span

    @property
    def span(self) -> str:
        """ "22:00-07:00": when they start and end, local times."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: datetime, tz: tzinfo) -> bool:
        local = moment.astimezone(tz).time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def window(self, moment: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
        """The quiet period ``moment`` falls in: when it began and when it ends, in UTC."""
        end = Frequency(Every.DAILY, self.end).next_due(moment, tz)
        start = Frequency(Every.DAILY, self.start).previous_due(end, tz)
        return start, end


OFF = "off"
_DASH = re.compile("[-\u2010-\u2015\u2212]")
"""A hyphen, an en or em dash or a minus sign: "22-07", "22–07"."""
_HOUR = re.compile(r"\d{1,2}")


def parse_quiet(text: str) -> QuietHours | None:
    """``HH:MM-HH:MM`` (or whole hours, ``22-07``; any dash) with an optional ``silent``;
    ``off`` is None."""
    words = text.lower().split()
    if words == [OFF]:
        return None
    silent = bool(words) and words[-1] == "silent"
    if silent:
        words = words[:-1]
    sides = _DASH.split("".join(words))
    if len(sides) != 2:
        raise ScheduleError(_("Write quiet hours as HH:MM-HH:MM, e.g. 22:00-07:00, or off."))
    quiet = QuietHours(_quiet_clock(sides[0]), _quiet_clock(sides[1]), silent)
    if quiet.start == quiet.end:
        raise ScheduleError(_("Quiet hours must start and end at different times."))
    return quiet


def _quiet_clock(text: str) -> time:
    """A side of quiet hours: a time of day, or a whole hour ("22")."""
    if _HOUR.fullmatch(text) and int(text) < 24:
        return time(int(text))
    return parse_clock(text)


def stored_quiet(text: str | None, default: str = "") -> QuietHours | None:
    """A chat's ``quiet`` column: NULL means the configured default, ``off`` none."""
    chosen = text if text is not None else default
    return parse_quiet(chosen) if chosen else None
