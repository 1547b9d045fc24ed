"""Text folding and tokenizing shared by rules and documents.

Rules and articles go through the very same functions, so a word typed in a rule and the same
word printed in an article always fold to the same token, whatever the case, accents or
apostrophes. Tokens keep their character span in the original string so that a match can be
shown in the unfolded text.

Choices worth knowing:

* A word is a run of Unicode letters, digits and combining marks; everything else separates
  words (so ``Nagorno-Karabakh`` is two tokens that are adjacent, and ``jpost.com`` is
  ``jpost`` ``com``).
* A possessive ``'s`` / ``’s`` right after a word is dropped: ``Israel's`` gives ``israel``.
* Han, Hiragana and Katakana have no spaces between words, so each of their characters is a
  token of its own; a query word in those scripts becomes the phrase of its characters, which
  amounts to substring matching.
* Diacritics are removed only where they are accents on Latin, Greek, Cyrillic, Hebrew or
  Arabic letters. Marks that are part of the spelling in Indic and other scripts are kept.
* Letters that Unicode does not decompose (Azerbaijani ``ə``, dotless ``ı``, ``ø``, ``ł``...)
  are folded through an explicit table.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

# Scripts written without spaces: one token per character.
_CJK_RANGES = (
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)

# Accents to remove after NFKD decomposition: the combining diacritics used by Latin, Greek and
# Cyrillic, Hebrew points and Arabic vowel marks.
_ACCENT_RANGES = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)

# Letters with no Unicode decomposition that readers still treat as a plain letter.
_LETTER_TABLE = str.maketrans(
    {
        "ə": "e",
        "ı": "i",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ـ": "",  # Arabic tatweel only stretches a word
    }
)

_APOSTROPHES = "'’ʼ"


def _char_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)


def _in_ranges(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _word_char_ranges() -> list[tuple[int, int]]:
    """Letters, digits and marks outside the CJK ranges, as code point ranges.

    Python's ``re`` has no ``\\p{L}`` and ``\\w`` leaves out combining marks (which would cut
    Hindi or decomposed accents in two), so the class is built once from ``unicodedata``.
    Planes above 1 hold only CJK (handled separately) and rare historic scripts.
    """
    ranges: list[tuple[int, int]] = []
    for cp in range(0x20000):
        if unicodedata.category(chr(cp))[0] not in "LMN" or _in_ranges(cp, _CJK_RANGES):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


_WORD = _char_class(_word_char_ranges())
_TOKEN_RE = re.compile(
    rf"(?P<w>[{_char_class(list(_CJK_RANGES))}]|[{_WORD}]+)(?:[{_APOSTROPHES}][sS](?![{_WORD}]))?"
)
_ACCENT_RE = re.compile(f"[{_char_class(list(_ACCENT_RANGES))}]+")


class Token(NamedTuple):
    """A folded word and its ``[start, end)`` character span in the original string."""

    word: str
    start: int
    end: int


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Fold one word to the form used for comparison.

    Cached because news vocabulary is heavily skewed: most tokens of an article were folded
    before. Results are interned so that thousands of rules naming the same word share it.
    """
    decomposed = _ACCENT_RE.sub("", unicodedata.normalize("NFKD", word))
    folded = decomposed.casefold().translate(_LETTER_TABLE)
    return sys.intern(unicodedata.normalize("NFC", folded))


def tokenize(text: str) -> Iterator[Token]:
    """Yield the folded words of ``text`` with their spans in ``text``."""
    for match in _TOKEN_RE.finditer(text):
        word = fold(match.group("w"))
        if word:
            yield Token(word, match.start("w"), match.end("w"))


def words(text: str) -> list[str]:
    """The folded words of ``text``, for parsing query words."""
    return [token.word for token in tokenize(text)]
