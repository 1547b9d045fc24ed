"""A rule typed on the command line, compiled as the bot compiles it (``check``, ``search``)."""

from __future__ import annotations

import sys

import rules
from bot.aliases import configured
from bot.cli.errors import CliError
from bot.config import Config


def compile_rule(text: str, config: Config) -> rules.Rule:
    """The rule as the bot compiles it (with the configured place names and aliases), or a
    CliError that shows the rule with a caret under the problem.

    Invisible characters (zero-width, bidi controls, BOM, NUL) are removed first, as the bot
    does, and a line on stderr says so.
    """
    cleaned = rules.remove_invisible(text)
    if cleaned.removed:
        print(f"topic-alert: removed {cleaned.summary()} from the rule", file=sys.stderr)
    text = cleaned.text
    try:
        return rules.compile(text, configured(config))
    except rules.RuleSyntaxError as exc:
        line, caret = exc.excerpt(text)
        raise CliError(f"bad rule: {exc}\n  {line}\n  {caret}") from None
