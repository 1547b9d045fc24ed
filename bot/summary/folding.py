"""Case- and accent-insensitive text comparison.

Matched terms must be found again in the summary ("Azerbaijan's", "AZERBAIJAN", "Azərbaycan"
folded the same way the rule engine folds), and duplicate captions must be recognised even when
their spacing or case differs; both need one folding that can map back to the original text.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold_char(char: str) -> str:
    """``char`` lower-cased with its accents removed (may be several characters, e.g. "ß")."""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """``text`` folded for comparison, with runs of whitespace made one space."""
    return _SPACES.sub(" ", "".join(fold_char(c) for c in text)).strip()


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of its source character.

    Whitespace is kept as is so that positions found in the folded text map back exactly.
    """
    folded: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = fold_char(char) if not char.isspace() else char
        folded.append(piece)
        offsets.extend([index] * len(piece))
    return "".join(folded), offsets
