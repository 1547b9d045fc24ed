"""The one exception a rule author can cause, carrying where in their text the problem is."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def N_(message: str) -> str:
    """Marks a message template for the bot's translation catalogs; returns it unchanged.

    The rule engine stays free of the bot: it only marks its texts, and a front end that
    speaks other languages translates :attr:`RuleSyntaxError.template` itself.
    """
    return message


class RuleSyntaxError(ValueError):
    """A rule text that cannot be compiled.

    It subclasses ``ValueError`` so callers that only know "bad input" can still catch it, while
    ``position`` lets a chat reply point at the exact character that needs fixing.
    """

    def __init__(self, template: str, position: int, /, **params: str | int) -> None:
        # People count characters from 1: "opened at position 1" is the first one.
        params = {**params, "position": position + 1}
        message = template.format(**params)
        super().__init__(message)
        self.template = template
        """The English text with ``{name}`` placeholders, marked with :func:`N_`, for a front
        end to translate and fill with :attr:`params`."""
        self.params = params
        """The template's values; ``position`` among them is the 1-based column a person reads."""
        self.message = message
        """The English text, filled in (for the CLI, logs and tests)."""
        self.position = position
        """0-based character offset into the rule text where the problem was noticed."""

    def __str__(self) -> str:
        return self.message

    def excerpt(self, text: str) -> Excerpt:
        """The line of ``text`` (the rule that raised this) where the problem is, split around
        the offending character, for any front end to show."""
        position = min(max(self.position, 0), len(text))
        line_start = text.rfind("\n", 0, position) + 1
        line_end = text.find("\n", position)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        at = position - line_start
        end = at + 1 if at < len(line) else at
        while end < len(line) and unicodedata.category(line[end]).startswith("M"):
            end += 1  # the character's combining marks (niqqud, harakat, accents) go with it
        return Excerpt(line[:at], line[at:end], line[end:])


@dataclass(frozen=True)
class Excerpt:
    """A line of a rule around the offending character, ``spot``.

    A chat marks ``spot`` in the line itself rather than drawing a caret under it: a caret
    line counts on every character taking one column from the left, which does not hold once
    a client lays the line out by the bidirectional algorithm (a Hebrew or Arabic rule is
    drawn from the right, a Latin run inside it reversed as a block) or draws Hebrew and Arabic
    from fallback fonts of other widths, and a marked character is the right one however the
    line is drawn. A terminal draws text in typed order, one column a character, so the
    command line keeps the familiar caret (:meth:`caret`).
    """

    before: str
    spot: str
    """The offending character with its combining marks; "" when the line ended too soon."""
    after: str

    @property
    def line(self) -> str:
        return f"{self.before}{self.spot}{self.after}"

    def caret(self) -> str:
        """A line with a ``^`` under :attr:`spot` when printed under :attr:`line`."""
        return " " * len(self.before) + "^"
