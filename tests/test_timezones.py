"""Which zone a name typed to /timezone means: IANA names, cities and countries in the bot's
languages, offsets from UTC, and the names offered when none matched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.timezones import ZoneMatch, find_zone, utc_offset, zone_label

WINTER = datetime(2026, 12, 6, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("EUROPE/berlin", "Europe/Berlin"),
        ("Москва", "Europe/Moscow"),
        ("москва", "Europe/Moscow"),
        ("ירושלים", "Asia/Jerusalem"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("zurich", "Europe/Zurich"),  # Zürich without its accent
        ("Israel", "Asia/Jerusalem"),  # the country, not tzdata's old link "Israel"
        ("Азербайджан", "Asia/Baku"),
        ("Azərbaycan", "Asia/Baku"),
        ("إسرائيل", "Asia/Jerusalem"),
        ("utc", "UTC"),
        ("+3", "Etc/GMT-3"),  # POSIX inverts the sign: Etc/GMT-3 is three hours ahead
        ("UTC+3", "Etc/GMT-3"),
        ("gmt-5", "Etc/GMT+5"),
        ("UTC−11", "Etc/GMT+11"),  # a minus sign
        ("+14", "Etc/GMT-14"),
        ("UTC+0", "UTC"),
    ],
)
def test_a_name_or_offset_means_one_zone(text: str, zone: str) -> None:
    assert find_zone(text, WINTER) == ZoneMatch((zone,))


def test_a_country_with_several_zones_offers_them() -> None:
    russia = find_zone("Россия", WINTER).zones
    assert {"Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad"} <= set(russia)
    assert find_zone("Russia", WINTER).zones == russia


def test_an_offset_without_a_fixed_zone_offers_the_places_keeping_it() -> None:
    assert find_zone("UTC+5:30", WINTER) == ZoneMatch(("Asia/Colombo", "Asia/Kolkata"))
    assert find_zone("GMT-5:30", WINTER) == ZoneMatch()  # nowhere
    assert find_zone("+15", WINTER) == ZoneMatch()


def test_a_mistyped_name_gets_the_closest_names() -> None:
    assert find_zone("Масква", WINTER).close[0] == "Москва"
    assert find_zone("Berlinn", WINTER).close[0] == "Berlin"
    assert find_zone("Mars/Olympus", WINTER) == ZoneMatch()


def test_fixed_offsets_are_shown_as_they_are_typed() -> None:
    assert zone_label("Etc/GMT-3") == "UTC+3"
    assert zone_label("Etc/GMT+5") == "UTC-5"
    assert zone_label("Europe/Berlin") == "Europe/Berlin"
    assert find_zone(zone_label("Etc/GMT-3"), WINTER) == ZoneMatch(("Etc/GMT-3",))
    assert utc_offset("Asia/Kolkata", WINTER) == "UTC+5:30"
    assert utc_offset("America/St_Johns", WINTER) == "UTC-3:30"
