"""The place-name table rules are compiled with: country names in the configured languages,
from CLDR through ``babel``'s installed data (never the network), plus other names given to
terms (``[aliases]`` of the config, a chat's /alias entries).

Pure: it knows nothing of the config or the store. What the bot compiles with, for the
operator and for each chat, is put together in :mod:`bot.compiling`.

Each name also gets the forms it takes in running text in its own language (see
:func:`forms`), so that ``Israel`` finds "Израилем" and "בישראל". The choices:

* **Russian, Ukrainian**: the case endings of a one-word name's last word, by how it ends
  (``Израиль`` → Израиля, Израилю, Израилем, Израиле). Only the noun's own cases: derived
  words such as the adjective "азербайджанский" are *not* forms of ``Азербайджан`` (write
  ``Азербайджан*`` for those), as "Israeli" is not a form of ``Israel``.
* **German**: the genitive ``-s``/``-es`` (Israels).
* **Hebrew**: the one-letter proclitics ו ה ב ל מ ש כ and any two of them before the first
  word (ולישראל, בישראל); geresh and apostrophe split words alike in ``rules.folding``, so
  אזרבייג׳ן and אזרבייג'ן are one form.
* **Arabic**: the proclitics و ف ب ل ك and their pairs, and ``لل`` for names with ``ال``.
* **Azerbaijani**: the case suffixes, which its spelling joins to names with no apostrophe
  (Azərbaycanın, Azərbaycanda, İsraillə, Türkiyədən), in every vowel-harmony variant.
* **Turkish, French, Spanish**: nothing to add: suffixes follow an apostrophe
  (Azerbaycan'ın) and elisions precede one (l'Azerbaïdjan), and the apostrophe separates words.
* **English, Persian**: whole words, as every term matches today.

Endings come from tables rather than a stemmer: Snowball stems proper names inconsistently
(Russian ``иран`` → ``ира`` but ``ираном`` → ``иран``; German ``Israel`` → ``isral``), so
comparing stems would miss cases a short table gets right.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from itertools import product

import babel
from babel import Locale

import rules

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGES = ("en", "ru", "uk", "he", "ar", "fa", "tr", "az", "de", "fr", "es")

_SHORT_FORMS = {
    "fa": ("جمهوری ",),
    "az": (" Respublikası",),
    "tr": (" Cumhuriyeti",),
}
"""Words of a country's long name that news leave out (CLDR's Persian "جمهوری آذربایجان" is
written آذربایجان): the name without them is added as a name of its own."""

_ENGLISH_NAMES = {"TR": ("Turkey",), "US": ("USA",), "GB": ("UK", "Britain")}
"""English names in wide use that CLDR keeps only as variants babel does not expose."""

_RUSSIAN_ENDINGS = (
    ("ия", ("ия", "ии", "ию", "ией")),
    ("ь", ("ь", "я", "ю", "ем", "е", "и")),
    ("й", ("й", "я", "ю", "ем", "е")),
    ("а", ("а", "ы", "и", "е", "у", "ой")),
    ("я", ("я", "и", "е", "ю", "ей")),
    ("", ("", "а", "у", "ом", "е")),
)
_UKRAINIAN_ENDINGS = (
    ("ія", ("ія", "ії", "ію", "ією")),
    ("ь", ("ь", "я", "ю", "ем", "і", "еві")),
    ("й", ("й", "ю", "я", "єм", "ї")),
    ("а", ("а", "и", "і", "у", "ою")),
    ("я", ("я", "і", "ю", "ею")),
    ("", ("", "у", "а", "ом", "і", "ові")),
)
_GERMAN_ENDINGS = (("", ("", "s", "es")),)
_ENDINGS = {"ru": _RUSSIAN_ENDINGS, "uk": _UKRAINIAN_ENDINGS, "de": _GERMAN_ENDINGS}
"""Per language: (how the last word ends, the endings that replace that ending)."""
_VOWELS = frozenset("аеёиоуыэюяєіїaeiou")

_AZERBAIJANI_SUFFIXES = (
    ("ın", "in", "un", "ün", "a", "ə", "da", "də", "dan", "dən", "la", "lə"),
    ("nın", "nin", "nun", "nün", "ya", "yə", "da", "də", "dan", "dən", "yla", "ylə"),
)
"""Genitive, dative, locative, ablative and "with", after a consonant and after a vowel."""
_AZERBAIJANI_VOWELS = frozenset("aıoueəiöü")

_HEBREW_PROCLITICS = "והבלמשכ"
_ARABIC_PROCLITICS = "وفبلك"


def _inflected(word: str, endings: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    lower = word.lower()
    for ending, replacements in endings:
        if lower.endswith(ending) and (ending or lower[-1:] not in _VOWELS):
            stem = word[: len(word) - len(ending)]
            return [stem + replacement for replacement in replacements]
    return [word]


def _prefixed(name: str, proclitics: Iterable[str]) -> list[str]:
    return [prefix + name for prefix in proclitics]


def forms(name: str, language: str) -> tuple[str, ...]:
    """The spellings of ``name`` in running text of ``language``, besides ``name`` itself."""
    found: list[str] = []
    endings = _ENDINGS.get(language)
    if endings is not None:
        head, _, last = name.rpartition(" ")
        found += [f"{head} {word}".lstrip() for word in _inflected(last, endings)]
    if language == "az":
        head, _, last = name.rpartition(" ")
        after_vowel = last[-1:].lower() in _AZERBAIJANI_VOWELS
        found += [
            f"{head} {last}{suffix}".lstrip() for suffix in _AZERBAIJANI_SUFFIXES[after_vowel]
        ]
    if language == "he":
        pairs = ("".join(pair) for pair in product(_HEBREW_PROCLITICS, repeat=2))
        found += _prefixed(name, [*_HEBREW_PROCLITICS, *pairs])
    if language == "ar":
        pairs = ("".join(pair) for pair in product("وف", "بلك"))
        found += _prefixed(name, [*_ARABIC_PROCLITICS, *pairs])
        if name.startswith("ال"):
            found += _prefixed(name[2:], ("لل", "ولل", "فلل"))
    return tuple(form for form in dict.fromkeys(found) if form != name)


def script_language(text: str) -> str:
    """A guess at the language of a name someone gave a term, by its script: which
    :func:`forms` it takes in running text (Hebrew proclitics, Russian case endings...)."""
    for char in text:
        if "\u0590" <= char <= "\u05ff":
            return "he"
        if "\u0600" <= char <= "\u06ff":
            return "ar"
        if "\u0400" <= char <= "\u04ff":
            return "uk" if any(c in "ієїґ" for c in text.lower()) else "ru"
    return "en"


def _names(label: str, language: str) -> list[rules.Name]:
    names = [label]
    for cut in _SHORT_FORMS.get(language, ()):
        if cut in label:
            names.append(label.replace(cut, "").strip())
    return [rules.Name(name, forms(name, language)) for name in names]


def place_names(languages: Sequence[str]) -> dict[str, list[rules.Name]]:
    """Country and territory code → its names in ``languages`` (in that order), from CLDR."""
    groups: dict[str, list[rules.Name]] = {}
    for language in languages:
        for code, label in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                groups.setdefault(code, []).extend(_names(label, language))
                if language == "en":
                    for extra in _ENGLISH_NAMES.get(code, ()):
                        groups[code].extend(_names(extra, language))
    return groups


def place_name(group: str, language: str, table: rules.Aliases | None) -> str | None:
    """The name ``group`` of ``table`` goes by in ``language`` (a news search's query is
    written in its reader's language): CLDR's for a country, as news write it (Persian
    آذربایجان, not جمهوری آذربایجان); for a configured alias, its first name in that
    language's script. None when it has none."""
    if is_language(language):
        label = Locale.parse(language).territories.get(group)
        if label is not None:
            return _names(label, language)[-1].label
    if table is None:
        return None
    names = table.names(group)
    return next((name for name in names if script_language(name) == language), None)


def is_language(code: str) -> bool:
    """Whether CLDR (as installed) has territory names for ``code``."""
    return babel.localedata.exists(code)


@cache
def _table(
    languages: tuple[str, ...], own: tuple[tuple[str, tuple[str, ...]], ...]
) -> rules.Aliases:
    groups = place_names(languages)
    group_of = {tuple(rules.folded_words(n.label)): g for g, names in groups.items() for n in names}
    for term, others in own:
        group = group_of.get(tuple(rules.folded_words(term)), f"alias:{rules.fold_text(term)}")
        names = own_names(term, others)
        groups.setdefault(group, names[:1]).extend(names[1:])
    table = rules.Aliases(groups)
    logger.info("alias table: %d groups in %s", len(table), ", ".join(languages))
    return table


def alias_table(languages: Sequence[str], own: Mapping[str, Sequence[str]]) -> rules.Aliases:
    """The table for these languages and ``[aliases]``, built once per process for each."""
    return _table(tuple(languages), tuple((k, tuple(v)) for k, v in own.items()))


def own_names(term: str, others: Iterable[str]) -> list[rules.Name]:
    """``term`` and the names someone gave it, each with the forms of its script's language."""
    return [rules.Name(name, forms(name, script_language(name))) for name in (term, *others)]
