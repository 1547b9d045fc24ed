"""A rule typed on the command line, compiled as the bot compiles it (``check``, ``search``)."""

from __future__ import annotations

import sys

import rules
from bot.cli.errors import CliError
from bot.compiling import UnusableRule, operator_names, typed_rule
from bot.config import Config


def compile_rule(text: str, config: Config) -> rules.Rule:
    """The rule as the bot compiles a chat's (``bot.compiling.typed_rule``, with the configured
    place names and aliases), or a CliError that shows the rule with a caret under the problem;
    a line on stderr says which invisible characters were removed first."""
    try:
        typed = typed_rule(text, operator_names(config))
    except UnusableRule as exc:
        _say_removed(exc.cleaned)
        excerpt = exc.error.excerpt(exc.cleaned.text)
        raise CliError(f"bad rule: {exc.error}\n  {excerpt.line}\n  {excerpt.caret()}") from None
    _say_removed(typed.cleaned)
    return typed.rule


def _say_removed(cleaned: rules.CleanText) -> None:
    if cleaned.removed:
        print(f"topic-alert: removed {cleaned.summary()} from the rule", file=sys.stderr)
