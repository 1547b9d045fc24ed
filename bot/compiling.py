"""Text → rule, one way for every caller: what a chat or the operator typed becomes a
:class:`rules.Rule` that matches the other names of its terms.

The names come in two layers, :class:`RuleNames`: the table of the process (CLDR place names
in ``[rules] languages`` and the config's ``[aliases]``, :func:`configured`) and a chat's
/alias entries (:func:`chat_table`, compiled into that chat's rules as alternatives, so rules
with different ones still share the matcher's index). /subscribe, /search, /preview, inline
mode, the Subscribe button of a shared topic, ``topic-alert check`` and ``search`` and the
matcher all compile through :meth:`RuleNames.compile`, typed text through :func:`typed_rule`;
so a rule finds the same articles whichever way it is run (``tests/daemon/test_rule_paths.py``).
What only reads a rule's grouping or its ``canonical`` form (replies naming a topic,
``/unsubscribe RULE``) compiles with no names, ``RuleNames()``: names change neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import rules
from bot.places import alias_table, own_names

if TYPE_CHECKING:
    from bot.config import Config
    from bot.store import AsyncStore


@dataclass(frozen=True)
class RuleNames:
    """The other names a rule's terms match: the process's table and one chat's entries."""

    table: rules.Aliases | None = None
    chat: rules.Aliases | None = None

    def compile(self, text: str) -> rules.Rule:
        """``text`` compiled with these names; RuleSyntaxError when it is no rule. For text
        already cleaned (a stored rule); what a person typed goes through :func:`typed_rule`."""
        return rules.compile(text, self.table, self.chat)


@dataclass(frozen=True)
class TypedRule:
    """A rule as compiled, and the invisible characters taken out of what was typed."""

    rule: rules.Rule
    cleaned: rules.CleanText


class UnusableRule(ValueError):
    """Typed text that is no rule: why (``error``, whose position points into the cleaned
    text), and what was typed with its invisible characters removed (``cleaned``), so that the
    caller can show the spot and say what was removed, each in its own words."""

    def __init__(self, error: rules.RuleSyntaxError, cleaned: rules.CleanText) -> None:
        super().__init__(str(error))
        self.error = error
        self.cleaned = cleaned


def typed_rule(text: str, names: RuleNames) -> TypedRule:
    """What someone typed, as the rule it means: invisible characters (zero-width, bidi
    controls, BOM, NUL) removed first, then compiled with ``names``; UnusableRule when it is
    too long or does not parse."""
    cleaned = rules.remove_invisible(text)
    try:
        return TypedRule(names.compile(cleaned.text), cleaned)
    except rules.RuleSyntaxError as exc:
        raise UnusableRule(exc, cleaned) from None


def configured(config: Config) -> rules.Aliases | None:
    """The table ``[rules] languages`` and ``[aliases]`` ask for; None when both are empty."""
    if not config.rules.languages and not config.aliases:
        return None
    return alias_table(config.rules.languages, config.aliases)


def chat_table(own: Mapping[str, Sequence[str]]) -> rules.Aliases | None:
    """A chat's /alias entries as the table compiled into its rules (``inline``)."""
    if not own:
        return None
    return rules.Aliases({rules.fold_text(t): own_names(t, o) for t, o in own.items()})


def operator_names(config: Config) -> RuleNames:
    """The names the operator's rules match (``topic-alert check`` and ``search``): the
    configured table alone, since the operator is no chat."""
    return RuleNames(configured(config))


async def chat_names(store: AsyncStore, config: Config, chat_id: int) -> RuleNames:
    """The names a chat's rules match: the configured table and the chat's /alias entries."""
    return RuleNames(configured(config), chat_table(await store.list_aliases(chat_id)))
