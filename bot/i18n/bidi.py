"""Right-to-left messages: the marks that keep Latin runs in order and each line in the
message's direction, and the layout of a right-to-left catalog's translations.

In a Hebrew or Arabic message, a run such as ``/subscribe``, ``Israel + Azerbaijan`` or
``jpost.com`` is laid out by the Unicode bidirectional algorithm together with the words
around it, and neutral characters at its edges (``/``, ``@``, ``"``, brackets, ``-``) take the
direction of the sentence: ``/subscribe`` is drawn ``subscribe/`` and a quoted ``"("``
mirrored. Wrapping the run in an isolate (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE)
lays it out on its own, in its own direction, as one block of the sentence. A Telegram client
sets each line in the direction of its first letter, so a Hebrew line that opens with a
command would read left to right; a RIGHT-TO-LEFT MARK (ARABIC LETTER MARK in Arabic) at its
start makes it read right to left. Left-to-right messages need neither.

This module is pure text; which language is being written (and so whether to use it) is
:mod:`bot.i18n.context`'s.
"""

from __future__ import annotations

import re
import unicodedata

FSI = "\u2068"
PDI = "\u2069"
RLM = "\u200f"
ALM = "\u061c"

LINE_MARKS = {"he": RLM, "ar": ALM}
"""What opens a line of a right-to-left language: the mark of its script (an ARABIC LETTER
MARK is an Arabic letter to the algorithm, so numbers after it lay out as in Arabic text)."""

_RTL = frozenset({"R", "AL"})
_STRONG = frozenset({"L", "R", "AL"})

_ARGUMENT = r"(?:[A-Za-z0-9:./+_-]*[A-Za-z0-9]|\{\w+\})"
_LATIN_RUNS = re.compile(
    rf"""
      (?P<code><code>.*?</code>)              # an example: a rule, a command line
    | (?P<skip><[^>]*>|\{{[^{{}}]*\}})          # other markup, a placeholder: left as they are
    | (?P<url>https?://[^\s<>"]+)
    | (?P<command>(?<![A-Za-z0-9_/])          # after a space, or a prefix (Arabic "و/add")
        /(?:[A-Za-z][A-Za-z0-9_]*|\{{\w+\}})(?:@\w+)?
        (?:\x20(?:[+|]\x20)?{_ARGUMENT})*)     # with its Latin arguments: "/quiet off"
    | (?P<name>(?<![A-Za-z0-9_@])@\w+)
    | (?P<quote>(?<![^\s(\u05be\u0640])"[^"\n]*"(?!\w))  # a quotation, not a Hebrew ״-abbreviation
    """,
    re.VERBOSE,
)
_TAGS = re.compile(r"<[^>]*>")
_PLACEHOLDERS = re.compile(r"\{[^{}]*\}")


def isolated(text: str) -> str:
    """``text`` wrapped as one isolated run."""
    return f"{FSI}{text}{PDI}"


def lay_out(translation: str, mark: str) -> str:
    """A right-to-left ``translation`` (Telegram HTML with ``{placeholders}``) as a chat
    should receive it: its Latin runs isolated and each of its lines read right to left.

    Done once to a whole catalog (``bot.i18n.catalogs``), so a translator writes plain text and
    no handler marks its own words; values filled into placeholders are isolated where they
    are filled (:func:`bot.i18n.isolate`), except inside ``<code>``, which is isolated whole.
    Isolates go around a ``<code>`` element, not inside it: what a tap copies from it stays a
    command Telegram recognises.
    """
    return "\n".join(_marked(_isolate_runs(line), mark) for line in translation.split("\n"))


def _isolate_runs(line: str) -> str:
    def run(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group("skip") or (match.group("quote") and _has_rtl(text)):
            return text
        return isolated(text)

    return _LATIN_RUNS.sub(run, line)


def _marked(line: str, mark: str) -> str:
    """``line`` with ``mark`` before it when it has words of its own in the right-to-left
    script but does not open with one (it opens with a command or an example).

    The algorithm looks past isolates for a line's first letter; the mark does not count on
    every client doing so. A placeholder is passed over: its value is a number or is isolated
    where it is filled, and a line that opens with a count reads right to left already."""
    visible = _TAGS.sub("", _PLACEHOLDERS.sub("", line))
    if not _has_rtl(visible):
        return line
    first = next((char for char in visible if char == FSI or _bidi(char) in _STRONG), "")
    return line if _bidi(first) in _RTL else mark + line


def _has_rtl(text: str) -> bool:
    return any(_bidi(char) in _RTL for char in text)


def _bidi(char: str) -> str:
    return unicodedata.bidirectional(char) if char else ""
