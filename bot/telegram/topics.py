"""How replies name a topic: its number together with its rule, the grouping shown.

A number alone is easy to misread once a chat has removed topics (numbers are never reused,
so they have gaps), and a rule alone is long; every reply and hint that names a topic says
both, through :func:`numbered`. Rules show with the brackets AND's precedence leaves out
(``Iran | (Armenia -football)``), so what the bot follows is what the chat reads.
"""

from __future__ import annotations

import rules
from bot.compiling import RuleNames
from bot.i18n import _, isolate
from bot.markup import esc
from bot.store import SubscriptionRow


def shown_rule(text: str) -> str:
    """A stored rule with its grouping explicit; as stored if it no longer compiles.

    Compiled without names (:mod:`bot.compiling`): they change what a term matches, never how
    the rule groups, and a reply naming topics should not need a query per topic."""
    try:
        return RuleNames().compile(text).grouped
    except rules.RuleSyntaxError:
        return text


def rule_code(text: str) -> str:
    """A stored rule as HTML for a reply: grouped, escaped, in monospace."""
    return f"<code>{esc(shown_rule(text))}</code>"


def numbered(sub: SubscriptionRow) -> str:
    """``#3: <code>Charlie</code>``, the way replies name a topic (kept in one left-to-right
    piece, number and rule, in a right-to-left sentence)."""
    return isolate(f"#{sub.number}: {rule_code(sub.rule)}")


def thread_name(thread_id: int | None) -> str:
    """Where a topic of a forum posts: its thread, or the General one."""
    if thread_id is None:
        # TRANSLATORS: the General thread of a Telegram forum group.
        return _("General")
    return _("thread {number}").format(number=thread_id)
