"""Dates and numbers as the chat's language writes them (Babel's CLDR data)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    format_timedelta,
    get_day_names,
    get_timezone_location,
)
from babel.numbers import format_decimal

from bot.i18n.catalogs import babel_locale
from bot.i18n.context import current


def format_when(moment: datetime, tz: tzinfo) -> str:
    """ "3 Dec 2026, 10:15 UTC", "3 дек. 2026 г., 10:15 UTC": a date and time as every chat
    message shows it, in the chat's zone (:func:`bot.timezones.chat_zone`) and language."""
    local = moment.astimezone(tz)
    locale = babel_locale(current())
    date = format_date(local, "medium", locale=locale)
    time = format_time(local, "HH:mm", locale=locale)
    pattern = str(locale.datetime_formats["medium"])
    return f"{pattern.replace('{1}', date).replace('{0}', time)} {local.tzname()}"


def _day_and_time(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    locale = babel_locale(current())
    day = format_skeleton("MMMd", local, locale=locale)
    return f"{day} {format_time(local, 'HH:mm', locale=locale)}"


def format_period(start: datetime, end: datetime, tz: tzinfo) -> str:
    """ "2 Dec 08:00 – 3 Dec 08:00 CET": the span a digest covers, without the year."""
    return f"{_day_and_time(start, tz)} – {_day_and_time(end, tz)} {end.astimezone(tz).tzname()}"


def format_day_time(moment: datetime, tz: tzinfo) -> str:
    """ "4 Dec 08:00 CET": a moment of the coming days (the next digest), without the year."""
    return f"{_day_and_time(moment, tz)} {moment.astimezone(tz).tzname()}"


def format_weekday(weekday: int) -> str:
    """ "Mon", "пн": a day of the week (0 = Monday), abbreviated as the language writes it."""
    return str(get_day_names("abbreviated", locale=babel_locale(current()))[weekday])


def weekday_names(language: str) -> list[set[str]]:
    """Every name CLDR gives each day of the week (0 = Monday) in ``language``: written out,
    abbreviated (as :func:`format_weekday` shows it) and short, in running text and alone
    ("Montag", "Mo.", "Mo"), so that a day the bot shows can be typed back. Narrow forms are
    left out: one letter names several days ("S")."""
    names: list[set[str]] = [set() for _day in range(7)]
    for width in ("wide", "abbreviated", "short"):
        for context in ("format", "stand-alone"):
            for day, name in get_day_names(width, context, babel_locale(language)).items():
                names[day].add(str(name))
    return names


def format_zone_city(zone: str) -> str:
    """ "Москва", "ירושלים": the city an IANA zone is named for (Europe/Moscow), as the
    language writes it."""
    return str(get_timezone_location(zone, locale=babel_locale(current()), return_city=True))


LIST_PUNCTUATION = {"ar": str.maketrans({",": "،", ";": "؛"})}
"""The comma and semicolon of languages that write their own: Arabic's. CLDR's list patterns
join the last items with "and", which a list of alternatives must not say."""


def format_list(items: Iterable[str], separator: str = ", ") -> str:
    """ "Israel, Azerbaijan", "Israel، Azerbaijan": items joined by ``separator`` (", " or
    "; ") in the language's punctuation."""
    table = LIST_PUNCTUATION.get(current())
    return (separator.translate(table) if table else separator).join(items)


def format_number(number: int) -> str:
    """ "1,234" in English, "1 234" in Russian: a count as the language groups its digits."""
    return format_decimal(number, locale=babel_locale(current()))


DURATION_THRESHOLD = 1.5
"""A duration is named in the next larger unit from 1.5 of it: 26 hours, not "1 day"."""


def format_duration(seconds: float, *, short: bool = False) -> str:
    """ "26 hours", "26 часов"; ``short``: "12 sec", "12 с" (figures on one line): how long
    something has lasted, rounded to its largest unit, as the language writes it."""
    return format_timedelta(
        timedelta(seconds=seconds),
        threshold=DURATION_THRESHOLD,
        format="short" if short else "long",
        locale=babel_locale(current()),
    )


def format_language(code: str) -> str:
    """ "Russian", "русский", "руська" → as the current language names the language ``code``
    ("ru"): CLDR's name, or the code itself for one CLDR does not know."""
    try:
        name = Locale.parse(code).get_display_name(babel_locale(current()))
    except (ValueError, UnknownLocaleError):
        return code
    return name or code
