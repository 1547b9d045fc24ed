"""Right-to-left messages: keeping Latin rule text, URLs and source names in order.

In a Hebrew or Arabic message, a run such as ``Israel + Azerbaijan`` or ``jpost.com`` is laid
out by the Unicode bidirectional algorithm together with the words around it, and neutral
characters (``+``, ``|``, ``-``, brackets, dots) can jump to the wrong side. Wrapping the run
in an isolate (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE) lays it out on its own, in its
own direction, as one block of the sentence. Left-to-right messages need none.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n.context import is_rtl

FSI = "\u2068"
PDI = "\u2069"
LRM = "\u200e"


def isolate(text: str) -> str:
    """``text`` as one isolated run in a right-to-left message; unchanged otherwise."""
    return f"{FSI}{text}{PDI}" if text and is_rtl() else text


def ltr_lines(lines: Iterable[str]) -> str:
    """Lines of a ``<pre>`` block (a rule and the caret under it) laid out left to right.

    A caret line has no letters, so a right-to-left message would set it from the right edge
    and the caret would point at the wrong character; a LEFT-TO-RIGHT MARK opening each line
    makes every line start at the left, column under column.
    """
    mark = LRM if is_rtl() else ""
    return "\n".join(f"{mark}{line}" for line in lines)
