"""Reading command arguments the way people type them.

``context.args`` splits on whitespace and loses quoting, which would change a rule like
``"Eli  Cohen"``; rules are therefore read as the raw text after the command.
"""

from __future__ import annotations

from telegram import Message

import rules
from bot.store import SubscriptionRow
from bot.telegram import texts
from bot.telegram.replies import esc


class ArgumentError(ValueError):
    """A command argument that names nothing usable; ``str(exc)`` is HTML for the reply."""


def command_argument(message: Message) -> str:
    """Everything after ``/command`` or ``/command@bot``, inner spacing kept."""
    text = message.text or ""
    if not text.startswith("/"):
        return text.strip()
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def select_subscriptions(
    subscriptions: list[SubscriptionRow], argument: str, *, empty_means_all: bool
) -> list[SubscriptionRow]:
    """The subscriptions an ``N`` or ``RULE`` argument names, as shown by /list.

    A number is a position in the list; anything else is compiled as a rule and compared by
    meaning, so ``/unsubscribe azerbaijan + israel`` finds ``Israel + Azerbaijan``.
    """
    if not argument:
        if empty_means_all:
            return subscriptions
        raise ArgumentError("Say which topic: a number from /list or the rule itself.")
    if argument.isdigit():
        number = int(argument)
        found = [sub for sub in subscriptions if sub.number == number]
        if not found:
            raise ArgumentError(
                f"There is no topic #{number}; /list shows {len(subscriptions)} topic(s)."
            )
        return found
    try:
        canonical = rules.compile(argument).canonical
    except rules.RuleSyntaxError:
        canonical = None
    found = [sub for sub in subscriptions if sub.canonical == canonical]
    if not found:
        raise ArgumentError(
            f"You do not follow <code>{esc(argument)}</code>; /list shows your topics and numbers."
        )
    return found


def parse_rule(text: str) -> rules.Rule:
    """Compile a rule someone typed; a syntax error becomes a reply that points at the spot."""
    try:
        return rules.compile(text)
    except rules.RuleSyntaxError as exc:
        raise ArgumentError(describe_rule_error(text, exc)) from None


def describe_rule_error(text: str, error: rules.RuleSyntaxError) -> str:
    """The error, the offending line of the rule with a caret under the position, and a hint."""
    position = min(max(error.position, 0), len(text))
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    caret = " " * (position - line_start) + "^"
    shown = f"<pre>{esc(line)}\n{caret}</pre>\n" if line.strip() else ""
    return f"That rule does not work: {esc(error.message)}\n{shown}{texts.RULE_HINT}"
