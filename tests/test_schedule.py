"""Frequencies and quiet hours: what is accepted, and when digests are due around DST."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import LANGUAGES, use
from bot.schedule import (
    Every,
    Frequency,
    QuietHours,
    ScheduleError,
    frequency_words,
    parse_frequency,
    parse_quiet,
    split_frequency,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("realtime", "realtime"),
        ("HOURLY", "hourly"),
        ("daily", "daily 08:00"),
        ("daily 7:05", "daily 07:05"),
        ("weekly", "weekly Mon 08:00"),
        ("weekly friday 18:30", "weekly Fri 18:30"),
        ("weekly sun", "weekly Sun 08:00"),
    ],
)
def test_frequencies_read_as_written_and_show_canonically(text: str, canonical: str) -> None:
    assert str(parse_frequency(text)) == canonical
    assert parse_frequency(canonical) == parse_frequency(text)


@pytest.mark.parametrize(
    "text", ["", "sometimes", "daily 24:00", "daily 8", "hourly 08:00", "weekly someday 8:00"]
)
def test_unreadable_frequencies_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_frequency(text)


def test_a_trailing_at_frequency_is_split_from_the_rule_and_nothing_else() -> None:
    assert split_frequency("Israel + Azerbaijan @weekly Fri 9:00") == (
        "Israel + Azerbaijan",
        Frequency(Every.WEEKLY, time(9, 0), 4),
    )
    assert split_frequency("user@daily.example") == ("user@daily.example", None)
    assert split_frequency('"@daily" news') == ('"@daily" news', None)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_skipped_time_is_due_once_an_hour_later_on_the_wall() -> None:
    at_0230 = Frequency(Every.DAILY, time(2, 30))
    due = at_0230.next_due(utc(2026, 3, 28, 12), BERLIN)  # clocks jump 02:00 → 03:00 on the 29th
    assert due == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    assert at_0230.next_due(due, BERLIN) == utc(2026, 3, 30, 0, 30)


def test_a_repeated_time_is_due_at_its_first_occurrence_only() -> None:
    at_0130 = Frequency(Every.DAILY, time(1, 30))
    due = at_0130.next_due(utc(2026, 10, 31, 12), NEW_YORK)  # 02:00 → 01:00 on 1 Nov
    assert due == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert at_0130.next_due(due, NEW_YORK) == utc(2026, 11, 2, 6, 30)  # 01:30 EST, next day
    assert at_0130.previous_due(utc(2026, 11, 2, 6, 30), NEW_YORK) == due


def test_hourly_digests_follow_the_local_hour() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30
    assert Frequency(Every.HOURLY).next_due(utc(2026, 1, 1, 10, 0), kolkata) == utc(
        2026, 1, 1, 10, 30
    )


def test_quiet_hours_across_midnight() -> None:
    quiet = parse_quiet("22:00 - 07:00")
    assert quiet == QuietHours(time(22), time(7))
    assert quiet.contains(utc(2026, 12, 3, 23), UTC)
    assert quiet.contains(utc(2026, 12, 4, 6, 59), UTC)
    assert not quiet.contains(utc(2026, 12, 4, 7), UTC)
    assert quiet.window(utc(2026, 12, 4, 3), UTC) == (utc(2026, 12, 3, 22), utc(2026, 12, 4, 7))
    assert parse_quiet("12:00-14:00 silent") == QuietHours(time(12), time(14), silent=True)
    assert parse_quiet("off") is None


@pytest.mark.parametrize(
    "text", ["22:00", "22:00-22:00", "late-early", "22:00-07:00 loud", "22-24", "22-07-08"]
)
def test_unreadable_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_quiet(text)


def every_frequency() -> list[Frequency]:
    """Every frequency the bot can describe: each kind, each minute of the day, each weekday."""
    times = [time(hour, minute) for hour in range(24) for minute in range(60)]
    return [
        Frequency(Every.REALTIME),
        Frequency(Every.HOURLY),
        *(Frequency(Every.DAILY, at) for at in times),
        *(Frequency(Every.WEEKLY, at, day) for day in range(7) for at in times),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_frequency_the_bot_shows_reads_back_as_itself(language: str) -> None:
    with use(language):
        unread = [
            (frequency_words(frequency), frequency)
            for frequency in every_frequency()
            if parse_frequency(frequency_words(frequency)) != frequency
        ]
    assert unread == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stored_frequency_reads_the_same_in_every_language(language: str) -> None:
    """The sender reads the column in the chat's language: no word of it may shadow English."""
    stored = [frequency for frequency in every_frequency() if frequency.at.minute == 0]
    with use(language):
        assert [parse_frequency(str(frequency)) for frequency in stored] == stored


@pytest.mark.parametrize(
    ("language", "text", "canonical"),
    [
        ("ru", "ежедневно 08:00", "daily 08:00"),
        ("ru", "Ежедневно в 12:13", "daily 12:13"),
        ("ru", "еженедельно пятница 9:30", "weekly Fri 09:30"),
        ("ru", "раз в час", "hourly"),
        ("ru", "сразу", "realtime"),
        ("ru", "weekly вс", "weekly Sun 08:00"),
        ("he", "weekly ראשון 08:00", "weekly Sun 08:00"),
        ("he", "כל שבוע, יום ב׳ ב־10:00", "weekly Mon 10:00"),
        ("he", "כל שבוע יום שבת", "weekly Sat 08:00"),
        ("he", "כל יום 7:45", "daily 07:45"),
        ("ar", "أسبوعيا الجمعة 18:00", "weekly Fri 18:00"),  # without the tanween
        ("de", "Wöchentlich, Mo. um 06:00", "weekly Mon 06:00"),
        ("de", "wochentlich montag", "weekly Mon 08:00"),  # accents do not matter
        ("es", "cada semana, miércoles a las 21:15", "weekly Wed 21:15"),
        ("az", "həftədə bir, Ç.a. saat 08:00", "weekly Tue 08:00"),
        ("az", "həftədə bir, C.a. saat 08:00", "weekly Thu 08:00"),  # ç and c stay apart
        ("en", "Weekly Sunday 8:00", "weekly Sun 08:00"),
    ],
)
def test_frequencies_are_read_in_the_chats_words(language: str, text: str, canonical: str) -> None:
    with use(language):
        assert str(parse_frequency(text)) == canonical


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "ежедневно 8"),
        ("ru", "раз в час 08:00"),
        ("he", "כל שבוע יום 08:00"),
        ("en", "ежедневно"),
    ],
)
def test_the_chats_words_are_refused_as_english_ones_are(language: str, text: str) -> None:
    with use(language), pytest.raises(ScheduleError):
        parse_frequency(text)


def test_a_trailing_frequency_may_be_written_in_the_chats_words() -> None:
    with use("ru"):
        assert split_frequency("Иран + Армения @ежедневно 07:15") == (
            "Иран + Армения",
            Frequency(Every.DAILY, time(7, 15)),
        )
        assert split_frequency("Иран @сегодня") == ("Иран @сегодня", None)


@pytest.mark.parametrize("text", ["22-07", "22-7", "22:00-07:00", "22–07", "22 — 07", "22:00 − 7"])
def test_quiet_hours_take_whole_hours_and_any_dash(text: str) -> None:
    assert parse_quiet(text) == QuietHours(time(22), time(7))
