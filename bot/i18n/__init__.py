"""The bot's languages: translated texts (gettext catalogs made with Babel), which language a
chat reads, dates and numbers in it, and right-to-left layout.

Every text a chat receives is written in English in the source, marked with :func:`_` (or
:func:`ngettext` for counts, :func:`N_` for texts translated later), and translated for the
language :func:`use` set for the update or alert at hand. Rule syntax and article content are
never translated. ``docs/translating.md`` tells a translator what to run.
"""

from bot.i18n.catalogs import LANGUAGES, SOURCE_LANGUAGE, native_name, pick
from bot.i18n.context import N_, _, current, is_rtl, isolate, ngettext, own_line, use
from bot.i18n.deferred import Deferred
from bot.i18n.formats import (
    format_day_time,
    format_duration,
    format_language,
    format_list,
    format_number,
    format_period,
    format_weekday,
    format_when,
    format_zone_city,
    weekday_names,
)

__all__ = [
    "LANGUAGES",
    "N_",
    "SOURCE_LANGUAGE",
    "Deferred",
    "_",
    "current",
    "format_day_time",
    "format_duration",
    "format_language",
    "format_list",
    "format_number",
    "format_period",
    "format_weekday",
    "format_when",
    "format_zone_city",
    "is_rtl",
    "isolate",
    "native_name",
    "ngettext",
    "own_line",
    "pick",
    "use",
    "weekday_names",
]
