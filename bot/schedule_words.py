"""The words a frequency is shown in and read back from, in the chat's language and English.

/list says "ежедневно в 12:13" or "כל שבוע, יום א׳ ב־08:00"; whatever it shows, a user may
copy or type back to /frequency. So the parser does not keep word tables of its own: it reads
the very texts the bot writes (the catalogs' translations of :data:`EVERY_WORDS` and the
templates, CLDR's day names through Babel) and the English ones, which every chat may type.

What a template holds besides its frequency word and placeholders (the "в" of "ежедневно в
{time}", the "a las" of "cada día a las {time}") is a filler: accepted where it stands and
meaning nothing. A word may mean two things (Hebrew "ב" is both the "at" of "ב־08:00" and
"ב׳", Monday); :func:`bot.schedule.parse_frequency` takes the day where a day may stand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.i18n import N_, SOURCE_LANGUAGE, _, current, use, weekday_names
from rules import fold, raw_words

EVERY_WORDS = {
    "realtime": N_("as it happens"),
    # TRANSLATORS: hourly, daily and weekly are how often a topic comes, as /list shows it;
    # a user may type them back (/frequency 2 daily), so start "daily {time}" and "weekly
    # {day} {time}" with the same words.
    "hourly": N_("hourly"),
    "daily": N_("daily"),
    "weekly": N_("weekly"),
}
"""Each frequency's word (``bot.schedule.Every`` values) in the source language."""
# TRANSLATORS: a daily digest's time, e.g. "daily 08:00"; start with your word for "daily".
DAILY_AT = N_("daily {time}")
# TRANSLATORS: a weekly digest's day and time, e.g. "weekly Mon 08:00"; start with your word
# for "weekly".
WEEKLY_AT = N_("weekly {day} {time}")

_PLACEHOLDER = re.compile(r"\{\w+\}")
_CLOCK_LIKE = re.compile(r"(\d+(?::\d+)*)")
"""Digits, with colons: a time of day as typed ("08:00", "8:00"), or an attempt at one ("8")."""


@dataclass(frozen=True)
class Meaning:
    """What a word or phrase may stand for; more than one when the language uses it twice."""

    every: str | None = None
    """A frequency: an ``Every`` value."""
    weekday: int | None = None
    """A day of the week, 0 = Monday."""
    filler: bool = False
    """A word of a template that means nothing by itself ("в", "um", "a las")."""

    def merged(self, other: Meaning) -> Meaning:
        """Both meanings; a frequency or day on which the two disagree is dropped, as a name
        that means two days (Azerbaijani "Ç.a." and "C.a." without accents) means neither."""
        return Meaning(
            self.every if other.every in (None, self.every) else None,
            self.weekday if other.weekday in (None, self.weekday) else None,
            self.filler or other.filler,
        )


@dataclass(frozen=True)
class Typed:
    """One piece of a typed frequency: a word or phrase with its meaning, or a clock."""

    text: str
    meaning: Meaning = field(default_factory=Meaning)
    clock: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """A language's phrases (with English's), by their words case-folded and fully folded."""

    exact: dict[tuple[str, ...], Meaning]
    folded: dict[tuple[str, ...], Meaning]
    longest: int

    def lookup(self, words: list[str]) -> Meaning | None:
        """The meaning of ``words`` as written (case aside), else without accents."""
        return self.exact.get(_exact_key(words)) or self.folded.get(_folded_key(words))


def scan(text: str) -> list[Typed]:
    """``text`` as the pieces it is made of, in the current language: each longest known
    phrase with its meaning, clocks, and each unknown word on its own."""
    vocabulary = _vocabulary(current())
    pieces: list[Typed] = []
    for number, part in enumerate(_CLOCK_LIKE.split(text)):
        if number % 2:
            pieces.append(Typed(part, clock=True))
            continue
        words = raw_words(part)
        start = 0
        while start < len(words):
            for end in range(min(len(words), start + vocabulary.longest), start, -1):
                meaning = vocabulary.lookup(words[start:end])
                if meaning is not None:
                    pieces.append(Typed(" ".join(words[start:end]), meaning))
                    start = end
                    break
            else:
                pieces.append(Typed(words[start]))
                start += 1
    return pieces


def _exact_key(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(word.casefold() for word in words)


def _folded_key(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(folded for word in words if (folded := fold(word)))


@functools.cache
def _vocabulary(language: str) -> Vocabulary:
    """Every phrase of ``language`` and of English; where both give one, their meanings merge."""
    phrases: dict[str, Meaning] = {}
    for source in dict.fromkeys((SOURCE_LANGUAGE, language)):
        for phrase, meaning in _phrases(source):
            phrases[phrase] = phrases[phrase].merged(meaning) if phrase in phrases else meaning
    exact: dict[tuple[str, ...], Meaning] = {}
    folded: dict[tuple[str, ...], Meaning] = {}
    for phrase, meaning in phrases.items():
        words = raw_words(phrase)
        for table, key in ((exact, _exact_key(words)), (folded, _folded_key(words))):
            table[key] = table[key].merged(meaning) if key in table else meaning
    return Vocabulary(
        {key: meaning for key, meaning in exact.items() if _means_something(meaning)},
        {key: meaning for key, meaning in folded.items() if _means_something(meaning)},
        max(len(key) for key in exact),
    )


def _means_something(meaning: Meaning) -> bool:
    return meaning.every is not None or meaning.weekday is not None or meaning.filler


def _phrases(language: str) -> list[tuple[str, Meaning]]:
    """The phrases ``language`` shows frequencies with: its frequency words (and in English the
    words stored and typed, "realtime"), its day names, and its templates' fillers."""
    with use(language):
        words = {every: _(word) for every, word in EVERY_WORDS.items()}
        templates = {"daily": _(DAILY_AT), "weekly": _(WEEKLY_AT)}
    phrases = [(word, Meaning(every=every)) for every, word in words.items()]
    if language == SOURCE_LANGUAGE:
        phrases += [(every, Meaning(every=every)) for every in EVERY_WORDS]
    for day, names in enumerate(_without_shared_word(weekday_names(language))):
        phrases += [(name, Meaning(weekday=day)) for name in sorted(names)]
    for every, template in templates.items():
        own = _exact_key(raw_words(words[every]))
        for word in raw_words(_PLACEHOLDER.sub(" ", template)):
            if word.casefold() not in own:
                phrases.append((word, Meaning(filler=True)))
    return phrases


def _without_shared_word(days: list[set[str]]) -> list[set[str]]:
    """Each day's names and, for a name of several words, the name without a first word that
    a name of every day starts with: Hebrew "יום ראשון" is also "ראשון", as people write it."""
    shared = set.intersection(
        *({name.partition(" ")[0] for name in names if " " in name} for names in days)
    )
    return [
        names | {name.partition(" ")[2] for name in names if name.partition(" ")[0] in shared}
        for names in days
    ]
