"""Texts made where no chat's language is known and translated where a chat reads them.

A feed refused by /addfeed is refused by the fetcher or by a parse worker (another process),
and the same errors are logged in English; so the error carries its reason as an English
template marked with ``N_`` and the values to fill in, and the handler translates it for the
chat at hand.
"""

from __future__ import annotations

from bot.i18n.context import _, isolate
from bot.i18n.formats import format_list, format_number


class Deferred:
    """An English text (a literal marked with ``N_``) and its ``{placeholders}``' values.

    ``str()`` is the English text, for logs and exception messages; :meth:`translated` is the
    text in the current language. Numbers are grouped as the language writes them, a value
    that is itself a Deferred (or a tuple of them, joined by commas) is translated too, and a
    string value (a URL, a host, a server's own words) is kept in order in right-to-left text.
    """

    def __init__(self, template: str, **values: str | int | Deferred | tuple[Deferred, ...]):
        self.template = template
        self.values = values

    def __str__(self) -> str:
        return self.template.format(**{k: _english(v) for k, v in self.values.items()})

    def __repr__(self) -> str:
        return f"Deferred({self.template!r}, **{self.values!r})"

    def translated(self) -> str:
        return _(self.template).format(**{k: _translated(v) for k, v in self.values.items()})


def _english(value: str | int | Deferred | tuple[Deferred, ...]) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _translated(value: str | int | Deferred | tuple[Deferred, ...]) -> str:
    if isinstance(value, tuple):
        return format_list(part.translated() for part in value)
    if isinstance(value, Deferred):
        return value.translated()
    if isinstance(value, int):
        return format_number(value)
    return isolate(value)
