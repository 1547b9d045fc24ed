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
* Any other apostrophe separates words, and so do the Hebrew geresh and gershayim: the
  spellings אזרבייג׳ן, אזרבייג'ן and אזרבייג’ן are all the words ``אזרבייג`` ``ן``, one form
  for every variant (and Turkish ``Azerbaycan'ın`` has the word ``azerbaycan``).
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
from functools import cache
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
_TABLE_LETTER = re.compile(f"[{re.escape(''.join(map(chr, _LETTER_TABLE)))}]")
"""Finds a letter of ``_LETTER_TABLE``: most text has none, and looking is some ten times
cheaper than ``str.translate``, which looks up every character."""

_APOSTROPHES = "'’ʼ"


def _char_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)


def _word_char_ranges() -> list[tuple[int, int]]:
    """Letters, digits and marks outside the CJK ranges, as code point ranges.

    Python's ``re`` has no ``\\p{L}`` and ``\\w`` leaves out combining marks (which would cut
    Hindi or decomposed accents in two), so the class is built once from ``unicodedata``.
    Planes above 1 hold only CJK (handled separately) and rare historic scripts. The major
    categories of all code points are looked up and searched for runs in C: a loop over the
    code points in Python took 0.14 s of every process's start-up.
    """
    categories = "".join(map(unicodedata.category, map(chr, range(0x20000))))
    major = categories[::2]  # each category is two letters, "Lu", "Mn", "Nd"…
    runs = ((found.start(), found.end() - 1) for found in re.finditer("[LMN]+", major))
    return [part for run in runs for part in _outside(run, _CJK_RANGES)]


def _outside(run: tuple[int, int], ranges: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """The parts of the range ``run`` outside ``ranges`` (sorted, disjoint; ends included)."""
    lo, hi = run
    parts = []
    for skip_lo, skip_hi in ranges:
        if skip_hi < lo or skip_lo > hi:
            continue
        if skip_lo > lo:
            parts.append((lo, skip_lo - 1))
        lo = skip_hi + 1
    if lo <= hi:
        parts.append((lo, hi))
    return parts


def _split_planes(ranges: list[tuple[int, int]]) -> tuple[str, str]:
    """The class of ``ranges`` as a Basic Multilingual Plane part and a higher-planes part.

    ``re`` compiles a class of BMP characters to a bitmap, one lookup per character; as soon as
    a range goes beyond U+FFFF the whole class becomes a list of ranges searched one by one,
    hundreds of comparisons for every space or punctuation mark (and every word's end).
    """
    bmp = [(lo, min(hi, 0xFFFF)) for lo, hi in ranges if lo <= 0xFFFF]
    high = [(max(lo, 0x10000), hi) for lo, hi in ranges if hi > 0xFFFF]
    return _char_class(bmp), _char_class(high)


_CJK_BMP, _CJK_HIGH = _split_planes(list(_CJK_RANGES))


class _Patterns(NamedTuple):
    """The patterns made from the word class; see :func:`_patterns`."""

    token: re.Pattern[str]
    """Any text."""
    bmp_token: re.Pattern[str]
    """The same tokens for text with no character above U+FFFF."""
    word_token: re.Pattern[str]
    """The same for text with no CJK either (nearly all text): a pattern that starts with one
    character class is searched much faster."""
    non_ascii_word_char: re.Pattern[str]
    """Finds a letter, digit or mark that is not ASCII: text without one takes the ASCII path."""


@cache
def _patterns() -> _Patterns:
    """The token patterns, built when text is first read rather than at import: the word
    class and four patterns over it are most of what importing ``rules`` costs (0.1 s), which
    a process that never reads an article (``topic-alert feeds``) need not pay."""
    word_ranges = _word_char_ranges()
    word_bmp, word_high = _split_planes(word_ranges)
    non_ascii_word_bmp, _ = _split_planes(
        [(max(lo, 128), hi) for lo, hi in word_ranges if hi > 127]
    )
    # A word character above U+FFFF: one cheap range test first, so that ordinary text never
    # reaches the long list of ranges in the lookbehind.
    high_word_char = rf"[\U00010000-\U0010FFFF](?<=[{word_high}])"
    high_cjk_char = f"[{_CJK_HIGH}]"
    return _Patterns(
        token=re.compile(
            rf"(?P<w>(?>(?:[{word_bmp}]+|{high_word_char})+)|[{_CJK_BMP}]|{high_cjk_char})"
            rf"(?:[{_APOSTROPHES}][sS](?![{word_bmp}]|{high_word_char}))?"
        ),
        bmp_token=re.compile(
            rf"(?P<w>[{_CJK_BMP}]|[{word_bmp}]+)(?:[{_APOSTROPHES}][sS](?![{word_bmp}]))?"
        ),
        word_token=re.compile(rf"(?P<w>[{word_bmp}]+)(?:[{_APOSTROPHES}][sS](?![{word_bmp}]))?"),
        non_ascii_word_char=re.compile(
            f"[{non_ascii_word_bmp}{_CJK_BMP}]|{high_word_char}|{high_cjk_char}"
        ),
    )


_HIGH_PLANES_RE = re.compile("[\U00010000-\U0010ffff]")
_CJK_BMP_RE = re.compile(f"[{_CJK_BMP}]")
_ACCENT_RE = re.compile(f"[{_char_class(list(_ACCENT_RANGES))}]+")


def _token_re(text: str) -> re.Pattern[str]:
    """The fastest of the equivalent token patterns that covers every character of ``text``."""
    patterns = _patterns()
    if text.isascii():
        return patterns.word_token
    if _HIGH_PLANES_RE.search(text) is not None:
        return patterns.token
    if _CJK_BMP_RE.search(text) is not None:
        return patterns.bmp_token
    return patterns.word_token


class Token(NamedTuple):
    """A folded word and its ``[start, end)`` character span in the original string."""

    word: str
    start: int
    end: int


_FOLDED: dict[str, str] = {}
"""Word as written → folded word. News vocabulary is heavily skewed: most words of an article
were folded before, and a dictionary lookup is all they cost."""
_FOLDED_LIMIT = 1 << 16


def fold(word: str) -> str:
    """Fold one word to the form used for comparison.

    Cached (see ``_FOLDED``). Results are interned so that thousands of rules naming the same
    word share it.
    """
    folded = _FOLDED.get(word)
    if folded is None:
        folded = _fold(word)
        if len(_FOLDED) >= _FOLDED_LIMIT:
            _FOLDED.clear()  # cheaper than tracking use; the common words come back at once
        _FOLDED[word] = folded
    return folded


def fold_all(raw: list[str]) -> list[str]:
    """:func:`fold` of each word: a single pass in C when every word was folded before."""
    try:
        return list(map(_FOLDED.__getitem__, raw))
    except KeyError:
        return list(map(fold, raw))


def _fold(word: str) -> str:
    return sys.intern(fold_text(word))


def fold_text(text: str) -> str:
    """``text`` folded as a whole, each of its words as :func:`fold` folds it.

    For strings compared as a whole rather than word by word (a line of a page against the
    article's title); not cached, as such strings rarely come twice.
    """
    if text.isascii():  # NFKD, accents, the letter table and NFC leave ASCII alone
        return text.lower()
    decomposed = _ACCENT_RE.sub("", unicodedata.normalize("NFKD", text))
    folded = decomposed.casefold()
    if _TABLE_LETTER.search(folded) is not None:
        folded = folded.translate(_LETTER_TABLE)
    return unicodedata.normalize("NFC", folded)


def folded_words(text: str) -> list[str]:
    """The folded words of ``text`` in order, leaving out words that fold to nothing.

    The same as folding each of :func:`raw_words`, but when every letter and digit of the text
    is ASCII, folding a word is lower-casing it, and lower-casing the whole text first moves no
    word boundary (no character outside words lower-cases into a word character): one
    ``lower()`` then replaces a lookup per word. That is most English news, whose quotes and
    dashes may be typographic while its words are plain ASCII.
    """
    if text.isascii() or _patterns().non_ascii_word_char.search(text) is None:
        return raw_words(text.lower())
    words = fold_all(raw_words(text))
    return [word for word in words if word] if "" in words else words


def raw_words(text: str) -> list[str]:
    """The words of ``text`` as written, before folding: the tokens of :func:`tokenize`.

    Words that fold to nothing (a lone tatweel) are included; fold before filtering them.
    """
    return _token_re(text).findall(text)


def raw_spans(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` span of each of :func:`raw_words`."""
    return [match.span(1) for match in _token_re(text).finditer(text)]


def tokenize(text: str) -> Iterator[Token]:
    """Yield the folded words of ``text`` with their spans in ``text``."""
    for match in _token_re(text).finditer(text):
        word = fold(match.group("w"))
        if word:
            start, end = match.span("w")
            yield Token(word, start, end)


def words(text: str) -> list[str]:
    """The folded words of ``text``, for parsing query words."""
    return [token.word for token in tokenize(text)]
