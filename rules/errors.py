"""The one exception a rule author can cause, carrying where in their text the problem is."""

from __future__ import annotations


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

    def excerpt(self, text: str) -> tuple[str, str]:
        """The line of ``text`` (the rule that raised this) where the problem is, and a line
        with a caret under its position, for any front end to print one under the other."""
        position = min(max(self.position, 0), len(text))
        line_start = text.rfind("\n", 0, position) + 1
        line_end = text.find("\n", position)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        return line, " " * (position - line_start) + "^"
