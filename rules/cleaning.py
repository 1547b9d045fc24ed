"""Removing characters nobody can see from rule text, before it is parsed.

A rule is read by people: ``Isr<ZERO WIDTH SPACE>ael``, a right-to-left override, a byte
order mark or a NUL byte would be stored and shown as typed, look like something else than
what is matched, and make two rules that look the same differ. :func:`remove_invisible` takes
them out and says which, so the caller can tell the person. :func:`rules.compile` itself does
not clean: it parses exactly the text it is given (where such characters separate words).

Removed: every format character (Unicode category Cf: zero-width space, joiners and
non-joiners, bidirectional controls, the BOM, the soft hyphen, …), control characters other
than whitespace (NUL and the rest of Cc), and lone surrogates. One exception keeps the spelling
of Persian, Arabic and Indic words intact: a zero-width non-joiner or joiner between two
letters or marks is part of how the word is written, and stays.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_JOINERS = frozenset("\u200c\u200d")
"""ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER: spelling inside Persian and Indic words."""
_NAMES_SHOWN = 3


@dataclass(frozen=True)
class CleanText:
    """Text without invisible characters, and what was removed (in order, repeats kept)."""

    text: str
    removed: tuple[str, ...] = ()

    def summary(self) -> str:
        """``'2 invisible characters (U+200B ZERO WIDTH SPACE, U+0000)'``; '' if none."""
        if not self.removed:
            return ""
        count = len(self.removed)
        noun = "character" if count == 1 else "characters"
        return f"{count} invisible {noun} ({self.kinds()})"

    def kinds(self) -> str:
        """``'U+200B ZERO WIDTH SPACE, U+0000'``: the first few kinds removed, by Unicode name
        (the same in every language), for a front end to put in a sentence of its own."""
        kinds = list(dict.fromkeys(self.removed))
        names = [_describe(char) for char in kinds[:_NAMES_SHOWN]]
        if len(kinds) > _NAMES_SHOWN:
            names.append("…")
        return ", ".join(names)


def remove_invisible(text: str) -> CleanText:
    """``text`` without the invisible characters the module docstring lists."""
    kept: list[str] = []
    removed: list[str] = []
    for i, char in enumerate(text):
        if _is_invisible(char) and not _joins_a_word(text, i):
            removed.append(char)
        else:
            kept.append(char)
    return CleanText("".join(kept), tuple(removed)) if removed else CleanText(text)


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cf", "Cs") or (category == "Cc" and not char.isspace())


def _joins_a_word(text: str, i: int) -> bool:
    if text[i] not in _JOINERS or i == 0 or i == len(text) - 1:
        return False
    return _is_letter_or_mark(text[i - 1]) and _is_letter_or_mark(text[i + 1])


def _is_letter_or_mark(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} {name}" if name else code
