"""Which language the text being written is in: a context variable set per update and per
alert, read by the gettext functions.

A context variable rather than a parameter: the texts are written in dozens of handlers and
helpers, and each update (PTB handles them concurrently, one task each) and each chat's alerts
run in a task of their own, so a value set at the top of that task reaches every text written
below it and no other task's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.i18n.bidi import LINE_MARKS, isolated
from bot.i18n.catalogs import SOURCE_LANGUAGE, babel_locale, translations

_language: ContextVar[str] = ContextVar("language", default=SOURCE_LANGUAGE)


def current() -> str:
    """The language texts are being written in now ("en" outside any :func:`use`)."""
    return _language.get()


def set_language(language: str) -> None:
    """Make ``language`` current for the rest of this task (an update's handlers)."""
    _language.set(language)


@contextmanager
def use(language: str) -> Iterator[None]:
    """Write texts in ``language`` inside the ``with`` block."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    """``message`` in the current language (the English source when it has no translation)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted text the current language uses for ``count`` (Russian has three,
    Arabic six); format the number in with :func:`bot.i18n.format_number`."""
    return translations(current()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for the catalogs where it is defined, to be translated where it is used."""
    return message


def is_rtl() -> bool:
    """Whether the current language is written right to left (Hebrew, Arabic)."""
    return babel_locale(current()).text_direction == "rtl"


def isolate(text: str) -> str:
    """``text`` (a rule, URL or source name filled into a translated text) as one isolated run
    in a right-to-left message, so it keeps its own order; unchanged otherwise."""
    return isolated(text) if text and is_rtl() else text


def own_line(text: str) -> str:
    """``text`` as a line of its own: laid out in its own direction (isolated) inside a line
    that reads in the message's, as the lines of a right-to-left catalog do
    (:func:`bot.i18n.bidi.lay_out`)."""
    return f"{LINE_MARKS.get(current(), '')}{isolate(text)}"
