"""A line of a received message as a Telegram client draws it, by the Unicode Bidirectional
Algorithm: python-bidi resolves each character's embedding level (paragraph direction from
the first letter outside isolates, isolates, weak and neutral types), and the line is
reordered for display by rule L2 here, so a test can ask which character is drawn where.

A client sets every line of a message as a paragraph of its own, so lines are laid out one by
one. Marks and isolates take no room on screen: :func:`glyphs` leaves them out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bidi import get_display
from bidi.mirror import MIRRORED

_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")

BIDI_MARKS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def unmarked(text: str) -> str:
    """``text`` without the direction marks and isolates a right-to-left message carries: for
    tests that compare the words, whichever runs the layout isolates."""
    return BIDI_MARKS.sub("", text)


def levels(line: str) -> list[int]:
    """The resolved embedding level of each character of ``line`` (odd: right to left).

    python-bidi reports them only in its debug description, one per UTF-8 byte."""
    description = str(get_display(line, debug=True))
    section = description.split("levels:", 1)[1].split("paragraphs:", 1)[0]
    per_byte = [int(level) for level in _LEVEL.findall(section)]
    found, at = [], 0
    for char in line:
        found.append(per_byte[at])
        at += len(char.encode())
    return found


@dataclass(frozen=True)
class Glyph:
    index: int
    """Where the character is in the line as sent (logical order)."""
    shape: str
    """What is drawn: the character, mirrored when set right to left (``(`` drawn as ``)``)."""


def glyphs(line: str) -> list[Glyph]:
    """The visible characters of ``line`` from the left edge to the right."""
    resolved = levels(line)
    order = list(range(len(line)))
    for level in range(max(resolved, default=0), 0, -1):  # L2: reverse runs at >= level
        start = 0
        while start < len(order):
            if resolved[order[start]] < level:
                start += 1
                continue
            end = start
            while end < len(order) and resolved[order[end]] >= level:
                end += 1
            order[start:end] = reversed(order[start:end])
            start = end
    return [
        Glyph(i, MIRRORED.get(line[i], line[i]) if resolved[i] % 2 else line[i])
        for i in order
        if unicodedata.category(line[i]) != "Cf"
    ]


def drawn(line: str) -> str:
    """What the eye sees, left to right."""
    return "".join(glyph.shape for glyph in glyphs(line))


def drawn_as_written(line: str, text: str) -> bool:
    """Whether ``text`` (found in ``line``) is drawn left to right in the order it is written:
    ``/subscribe`` with its ``/`` at the start, ``"@daily"`` with its ``@`` after the quote."""
    start = line.index(text)
    wanted = [i for i in range(start, start + len(text)) if unicodedata.category(line[i]) != "Cf"]
    shown = [glyph.index for glyph in glyphs(line) if start <= glyph.index < start + len(text)]
    return shown == wanted


def reads_right_to_left(line: str) -> bool:
    """Whether a client sets ``line`` right to left: its first letter is Hebrew or Arabic, or a
    mark of theirs (not counting on a client to look past isolates, as the algorithm does)."""
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind != "L"
    return False
