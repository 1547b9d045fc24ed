"""How replies word a topic's surge alerts (/surge, and /subscribe with ``@surge``), and
reading the ``@surge`` option off a rule's text."""

from __future__ import annotations

import re

from bot.config import SurgesConfig
from bot.i18n import _, format_duration, format_number, ngettext

SURGE_OPTION = re.compile(r"(?:^|(?<=\s))@surge(?=\s|$)", re.IGNORECASE)
"""``@surge`` as a word of its own (a quoted ``"@surge"`` stays part of the rule)."""


def split_surge(text: str) -> tuple[str, bool]:
    """``text`` without its ``@surge`` option, and whether it had one."""
    cleaned, found = SURGE_OPTION.subn(" ", text)
    return (" ".join(cleaned.split()), True) if found else (text, False)


def surge_state(on: bool, config: SurgesConfig) -> str:
    """ "Surge alerts on: one message when …", or that they are off, for a reply."""
    if not on:
        return _("Surge alerts off.")
    # TRANSLATORS: {factor} is a number such as 3 (times the usual rate); {pause} a
    # duration such as "6 hours".
    rule = ngettext(
        "Surge alerts on: one message when its stories of the last hour reach {factor}× its "
        "usual rate and at least {count} story, then none for {pause}.",
        "Surge alerts on: one message when its stories of the last hour reach {factor}× its "
        "usual rate and at least {count} stories, then none for {pause}.",
        config.min_stories,
    )
    factor = config.factor
    return rule.format(
        factor=format_number(int(factor)) if factor == int(factor) else str(factor),
        count=format_number(config.min_stories),
        pause=format_duration(config.cooldown_hours * 3600),
    )
