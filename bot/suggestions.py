"""What a mistyped name was probably meant to be: "Did you mean" for commands and time zones."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6
"""How alike (difflib's ratio) a known name must be to be offered: /subscibe for /subscribe,
"Berlinn" for "Berlin", but not any name that shares a few letters."""


def closest(typed: str, known: Iterable[str], limit: int = 1) -> list[str]:
    """Up to ``limit`` of ``known`` most like ``typed``, the closest first (none close enough:
    empty). Both sides are compared as given; fold them first to ignore case or accents."""
    return difflib.get_close_matches(typed, list(known), n=limit, cutoff=CUTOFF)
