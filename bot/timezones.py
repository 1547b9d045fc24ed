"""Time zones: the zone a chat's times are shown in, and the zone a name someone typed means.

/timezone takes what people know: an IANA name in any case ("europe/berlin"), a city or a
country in any of the bot's languages ("Berlin", "Москва", "ישראל"; CLDR's names through
Babel, folded like rule words so case and accents do not matter), or an offset from UTC
("+3", "UTC+3", "GMT-5:30").

An offset of whole hours is the fixed zone tzdata has for it (``Etc/GMT-3`` is UTC+3: POSIX
inverts the sign, so it is shown as "UTC+3"): that is what was asked for, and it can be shown
and typed back. It keeps no daylight saving, which the reply says. Offsets of hours and
minutes have no fixed zone in tzdata, so the places keeping that offset now are offered.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.core import get_global

from bot.i18n import LANGUAGES
from bot.suggestions import closest
from rules import folded_words

logger = logging.getLogger(__name__)

_OFFSET = re.compile(
    r"(?:utc|gmt)?\s*(?P<sign>[+\-\u2212])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?",
    re.IGNORECASE,
)
"""An offset from UTC as people write it: "+3", "UTC+3", "GMT-5:30", "utc+0530"."""
_FIXED = re.compile(r"Etc/GMT(?P<hours>[+-]\d{1,2})")
FIXED_HOURS = range(-12, 15)
"""The whole-hour offsets tzdata has a fixed zone for (Etc/GMT+12 … Etc/GMT-14)."""
SUGGESTIONS = 3


@dataclass(frozen=True)
class ZoneMatch:
    """What a name typed to /timezone means."""

    zones: tuple[str, ...] = ()
    """The zone meant when there is one; several to choose from when the name is a country
    with several zones, or an offset no fixed zone has (the places keeping it now)."""
    close: tuple[str, ...] = ()
    """When nothing matched: the known names most like it, for "Did you mean"."""


def find_zone(text: str, now: datetime) -> ZoneMatch:
    """The zone or zones ``text`` names: a city, then a country (in any of the bot's
    languages), then an IANA name, then an offset from UTC (as it is at ``now``)."""
    names = _place_names()
    key = _key(text)
    for table in (names.cities, names.countries):
        if key in table:
            return ZoneMatch(tuple(sorted(table[key])))
    canonical = timezone_name(text.strip())
    if canonical is not None:
        return ZoneMatch((canonical,))
    offset = _OFFSET.fullmatch(text.strip())
    if offset is not None:
        return ZoneMatch(_offset_zones(offset, now))
    return ZoneMatch(
        close=tuple(names.spelling[near] for near in closest(key, names.spelling, SUGGESTIONS))
    )


def is_fixed_offset(zone: str) -> bool:
    """Whether ``zone`` is one of tzdata's fixed offsets (Etc/GMT-3), which keep no DST."""
    return _FIXED.fullmatch(zone) is not None


def zone_label(zone: str) -> str:
    """A zone as a chat reads it and can type it back: its IANA name, or "UTC+3" for the fixed
    zone Etc/GMT-3 (whose name has the sign inverted)."""
    fixed = _FIXED.fullmatch(zone)
    return _offset_label(timedelta(hours=-int(fixed["hours"]))) if fixed else zone


def utc_offset(zone: str, now: datetime) -> str:
    """ "UTC+3", "UTC+5:30": the offset ``zone`` keeps at ``now``, as /timezone reads it."""
    return _offset_label(now.astimezone(ZoneInfo(zone)).utcoffset() or timedelta())


def _offset_label(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}:{minutes:02d}" if minutes else f"UTC{sign}{hours}"


def timezone_name(name: str) -> str | None:
    """The canonical spelling of the zone ``name`` means ("utc" → "UTC", "europe/berlin" →
    "Europe/Berlin"), None when tzdata knows no such zone.

    People type zone names as they say them; tzdata's own spelling is what gets stored, so a
    name is shown back the way everyone writes it and loads on any file system.
    """
    canonical = _names_by_fold().get(name.casefold())
    if canonical is not None:
        return canonical
    return name if _zone(name) is not None else None  # a zone tzdata does not list


def is_timezone(name: str) -> bool:
    """Whether ``name`` is a zone tzdata knows ("Europe/Berlin", "UTC", "utc").

    A name spelled as tzdata spells it loads its one zone file; only another spelling costs
    the scan of every zone file (about 600, a noticeable part of a short command's start-up,
    since the config's ``[delivery] timezone`` is checked on every load).
    """
    return _zone(name) is not None or timezone_name(name) is not None


def chat_zone(chat_timezone: str | None, default: str) -> ZoneInfo:
    """The chat's /timezone, else ``default`` (``[delivery] timezone``); UTC when the one
    chosen is no longer known to tzdata."""
    name = chat_timezone or default or "UTC"
    canonical = timezone_name(name)
    zone = _zone(canonical) if canonical else None
    if zone is None:
        logger.warning("unknown timezone %r, showing UTC", name)
        return ZoneInfo("UTC")
    return zone


@functools.cache
def _names_by_fold() -> dict[str, str]:
    """Every zone tzdata lists, by its case-folded name (read once: it scans the zone files)."""
    return {name.casefold(): name for name in available_timezones()}


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _key(name: str) -> str:
    """A name as it is compared: its folded words ("Tel-Aviv" and "tel aviv" alike)."""
    return " ".join(folded_words(name.replace("_", " ")))


def _offset_zones(offset: re.Match[str], now: datetime) -> tuple[str, ...]:
    """The fixed zone of a whole-hour offset, else the places keeping the offset at ``now``."""
    sign = -1 if offset["sign"] in "-\u2212" else 1
    hours, minutes = int(offset["hours"]), int(offset["minutes"] or 0)
    if minutes == 0 and sign * hours in FIXED_HOURS:
        return ("UTC",) if hours == 0 else (f"Etc/GMT{-sign * hours:+d}",)
    wanted = sign * timedelta(hours=hours, minutes=minutes)
    return tuple(
        sorted(
            zone
            for zone in _place_names().zones
            if now.astimezone(ZoneInfo(zone)).utcoffset() == wanted
        )
    )


@dataclass(frozen=True)
class _PlaceNames:
    """The names of the places tzdata zones are for, folded (:func:`_key`) to their zones."""

    cities: dict[str, set[str]]
    countries: dict[str, set[str]]
    spelling: dict[str, str]
    """Each folded name as a language writes it (the first of LANGUAGES that has it)."""
    zones: frozenset[str]


@functools.cache
def _place_names() -> _PlaceNames:
    """Every city and country CLDR names in the bot's languages, with the English city of each
    zone's name (Europe/Berlin: "Berlin"). Read once: Babel loads each language's data."""
    countries_zones = {
        code: [zone for zone in zones if _is_place(zone)]
        for code, zones in get_global("territory_zones").items()
        if len(code) == 2  # a country, not a region ("001", the world)
    }
    names = _PlaceNames(defaultdict(set), defaultdict(set), {}, frozenset())
    zones = sorted({zone for zones in countries_zones.values() for zone in zones})
    for zone in zones:
        _add(names, names.cities, zone.rpartition("/")[2], [zone])
    for language in LANGUAGES:
        locale = Locale.parse(language)
        for zone in zones:
            city = locale.time_zones.get(zone, {}).get("city")
            if city:
                _add(names, names.cities, str(city), [zone])
        for code, country_zones in countries_zones.items():
            country = locale.territories.get(code)
            if country and country_zones:
                _add(names, names.countries, str(country), country_zones)
    return _PlaceNames(dict(names.cities), dict(names.countries), names.spelling, frozenset(zones))


def _is_place(zone: str) -> bool:
    """Whether ``zone`` is a place's that tzdata has (not Etc/UTC, Etc/GMT-3)."""
    return not zone.startswith("Etc/") and _zone(zone) is not None


def _add(names: _PlaceNames, table: dict[str, set[str]], name: str, zones: list[str]) -> None:
    key = _key(name)
    if key:
        table[key].update(zones)
        names.spelling.setdefault(key, name.replace("_", " "))
