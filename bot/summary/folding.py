"""Case- and accent-insensitive text comparison.

Matched terms must be found again in the summary ("Azerbaijan's", "AZERBAIJAN", "Azərbaycan"
folded the same way the rule engine folds), and duplicate captions must be recognised even when
their spacing or case differs; both need one folding that can map back to the original text.

Folding is per character, so each character's folding is worked out once, the first time it is
seen, and kept in a table that ``str.translate`` applies to whole texts at C speed.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_MAX_CACHED = 1 << 16
"""Distinct characters whose folding is kept; news text uses a few thousand at most."""


def fold_char(char: str) -> str:
    """``char`` lower-cased with its accents removed (may be several characters, e.g. "ß")."""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """Code point → :func:`fold_char` of it, filled on first sight, for ``str.translate``.

    With ``keep_spaces`` whitespace maps to itself, as :func:`fold_with_offsets` needs.
    """

    def __init__(self, *, keep_spaces: bool) -> None:
        super().__init__()
        self._keep_spaces = keep_spaces
        self.irregular: set[str] = set()
        """Characters seen so far that do not fold to exactly one character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        piece = char if self._keep_spaces and char.isspace() else fold_char(char)
        if len(piece) != 1:
            self.irregular.add(char)
        if len(self) < _MAX_CACHED:
            self[code] = piece
        return piece


_FOLD = _FoldTable(keep_spaces=False)
_FOLD_KEEPING_SPACES = _FoldTable(keep_spaces=True)


def fold(text: str) -> str:
    """``text`` folded for comparison, with runs of whitespace made one space."""
    return _SPACES.sub(" ", text.translate(_FOLD)).strip()


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of its source character.

    Whitespace is kept as is so that positions found in the folded text map back exactly.
    """
    folded = text.translate(_FOLD_KEEPING_SPACES)
    if _FOLD_KEEPING_SPACES.irregular.isdisjoint(text):
        return folded, list(range(len(text)))  # one character for one: the usual case
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(_FOLD_KEEPING_SPACES[ord(char)]))
    return folded, offsets
