"""The translation catalogs: one ``.po`` file per language under ``locales/``.

The ``.po`` files are the source of truth and are compiled in memory when a language is first
used (Babel's ``read_po`` and ``write_mo``), so a translator edits one file, restarts the bot
and sees the change; ``pybabel compile`` is not needed to run it.
"""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.i18n.bidi import LINE_MARKS, lay_out
from bot.language_tags import normalized_tag, primary_subtag

logger = logging.getLogger(__name__)

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "ru", "uk", "he", "ar", "az", "de", "es")
"""Every language the bot speaks, English (the source) first; each has a complete catalog."""

BABEL_LOCALES = {"en": "en_GB"}
"""The CLDR locale for dates and numbers where it is not the language itself: day before
month and a 24-hour clock ("3 Dec 2026, 10:15"), as the bot wrote its English before."""


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language``; English (the source) translates to itself.

    Fuzzy entries are left out, as ``pybabel compile`` does: a guess shown to a user as a
    translation is worse than the English text. A right-to-left catalog is laid out as it is
    compiled (:func:`bot.i18n.bidi.lay_out`).
    """
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    if language in LINE_MARKS:
        _lay_out(catalog, LINE_MARKS[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _lay_out(catalog: Catalog, mark: str) -> None:
    for message in catalog:
        if not message.id or not message.string:
            continue  # the header, an untranslated text
        if isinstance(message.string, str):
            message.string = lay_out(message.string, mark)
        else:
            message.string = tuple(lay_out(form, mark) for form in message.string)


def babel_locale(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language, language))


def native_name(language: str) -> str:
    """ "Русский", "עברית": a language named in itself, as /language's buttons show it."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def pick(*codes: str | None) -> str:
    """The first of ``codes`` the bot speaks, by its full tag or its base language
    ("pt-BR", then "pt"), else English.

    ``codes`` come most wanted first: a chat's /language choice, the user's Telegram
    ``language_code`` (an IETF tag such as "pt-br" or "zh-hans"), the configured default.
    """
    for code in codes:
        for candidate in (normalized_tag(code), primary_subtag(code)):
            if candidate in LANGUAGES:
                return candidate
    return SOURCE_LANGUAGE
