"""Telegram HTML: escaping, links, the message length rule, shortening and counts.

Every message the bot sends (alerts, digests, command replies) is Telegram HTML, so these are
shared by ``bot/delivery`` and ``bot/telegram``. Anything written by someone else (a feed, a
person typing a rule) goes through :func:`esc` or :func:`link` before it meets markup: an
unescaped ``<`` either breaks the send (Telegram rejects the message) or, worse, styles it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import urlsplit

MAX_MESSAGE = 4096
"""Telegram's limit on a message, held against the whole HTML source, in UTF-16 units
(:func:`utf16_len`): the source is never shorter than the text Telegram counts."""
_MAX_URL = 1000
_ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Telegram counts UTF-16 code units: an emoji outside the BMP costs two."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: object) -> str:
    """Text for the body of a message (quotes need no escaping outside attributes)."""
    return html.escape(str(text), quote=False)


def linkable(url: str | None) -> bool:
    """Whether :func:`link` links to ``url``: plain http(s) only (never javascript:, data:, …),
    and at most ``_MAX_URL`` characters once escaped, so one line can never outgrow a message."""
    if not url or len(html.escape(url, quote=True)) > _MAX_URL:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed "[" in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def link(label: str, url: str | None) -> str:
    """Escaped ``label``, linked to ``url`` when it is :func:`linkable`."""
    text = esc(label)
    if url is None or not linkable(url):
        return text
    return f'<a href="{html.escape(url, quote=True)}">{text}</a>'


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, ending in "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(_ELLIPSIS))]
    head, space, _ = cut.rpartition(" ")
    return (head if space and head else cut).rstrip(" ,;:.-–—") + _ELLIPSIS


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """ "1 alert", "2 alerts", "0 alerts": a count with its noun in the right number, for chat
    replies and terminal output alike (``plural`` when it is not the noun and an s)."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {plural or noun + 's'}"


def pack_lines(lines: Sequence[str], room: int = MAX_MESSAGE) -> list[list[str]]:
    """``lines`` in order, in as few runs as can each be joined by newlines within ``room``
    UTF-16 units (a line longer than ``room`` on its own), for a text split over messages
    between lines rather than inside one."""
    runs: list[list[str]] = []
    used = 0
    for line in lines:
        size = utf16_len(line)
        if runs and used + 1 + size <= room:
            runs[-1].append(line)
            used += 1 + size
        else:
            runs.append([line])
            used = size
    return runs
