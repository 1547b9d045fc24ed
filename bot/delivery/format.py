"""Alert and digest messages in Telegram HTML.

Every piece of feed text is escaped before it meets markup: a feed is written by strangers,
and an unescaped ``<`` either breaks the send (Telegram rejects the message) or, worse, styles
it. Shortening always works on plain text and escapes afterwards, so a cut can never land
inside a tag or an entity.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.article import Article
from bot.delivery.buttons import Buttons, alert_buttons

logger = logging.getLogger(__name__)

MAX_MESSAGE = 4096
"""Telegram's limit on visible text; we hold the whole HTML source to it, in UTF-16 units."""
_ELLIPSIS = "…"
_MAX_TITLE = 300
_MAX_LINE = 300
_MAX_SOURCE = 100
_MAX_URL = 1000
_MAX_ALSO = 1500
"""UTF-16 units the "Also:" line of an alert may take: past it, a copy gets its own message."""
_DIGEST_TITLE = 150


class SummaryLike(Protocol):
    """``bot.summary.Summary``: text plus sorted, non-overlapping spans to show in bold."""

    @property
    def text(self) -> str: ...

    @property
    def highlights(self) -> Sequence[tuple[int, int]]: ...


class CopyLike(Protocol):
    """``bot.store.StoryCopy``: another article of the same story, named on the first alert."""

    @property
    def source(self) -> str: ...

    @property
    def url(self) -> str | None: ...


@dataclass(frozen=True)
class RenderedAlert:
    """One message ready for sendMessage with ``parse_mode=HTML``."""

    text: str
    buttons: Buttons = field(default_factory=list)


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest: what the alert would have been about."""

    title: str
    url: str | None
    topic: str
    published: datetime | None = None


@dataclass(frozen=True)
class DigestPage:
    """One message of a digest; it lists the next ``count`` items, in order."""

    text: str
    count: int


def utf16_len(text: str) -> int:
    """Telegram counts UTF-16 code units: an emoji outside the BMP costs two."""
    return len(text.encode("utf-16-le")) // 2


def chat_zone(name: str | None) -> ZoneInfo:
    """The chat's zone, falling back to UTC when unset or no longer known to tzdata."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown timezone %r, showing UTC", name)
        return ZoneInfo("UTC")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, ending in "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(_ELLIPSIS))]
    head, space, _ = cut.rpartition(" ")
    return (head if space and head else cut).rstrip(" ,;:.-–—") + _ELLIPSIS


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
    text = html.escape(label, quote=False)
    if url is None or not linkable(url):
        return text
    return f'<a href="{html.escape(url, quote=True)}">{text}</a>'


def format_when(moment: datetime, tz: ZoneInfo) -> str:
    """ "28 May 2023, 15:05 UTC" in the chat's zone."""
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Escaped ``text`` with each in-range span wrapped in ``<b>``; bad spans are skipped."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(html.escape(text[pos:start], quote=False))
        out.append(f"<b>{html.escape(text[start:end], quote=False)}</b>")
        pos = end
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def fit_summary(summary: SummaryLike, budget: int) -> str:
    """The longest highlighted summary whose HTML stays within ``budget`` UTF-16 units.

    Binary search over the plain-text cut: escaping and tags make the HTML length depend on
    where the cut falls, so it is measured rather than computed.
    """
    full = highlight(summary.text, summary.highlights)
    if utf16_len(full) <= budget:
        return full
    low, high, best = 0, len(summary.text), ""
    while low <= high:
        middle = (low + high) // 2
        cut = shorten(summary.text, middle)
        candidate = highlight(cut, summary.highlights) if cut != _ELLIPSIS else ""
        if utf16_len(candidate) <= budget:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def _source_line(article: Article, tz: ZoneInfo) -> str:
    parts = [shorten(article.source, _MAX_SOURCE)]
    if article.published is not None:
        parts.append(format_when(article.published, tz))
    return html.escape(" · ".join(p for p in parts if p), quote=False)


def _footer(topics: Sequence[str], matched: str, also: Sequence[CopyLike]) -> list[str]:
    lines = []
    if matched:
        prefixed = matched if matched.startswith("Matched:") else f"Matched: {matched}"
        lines.append(prefixed)
    if topics:
        label = "Topic" if len(topics) == 1 else "Topics"
        lines.append(f"{label}: {'; '.join(topics)}")
    footer = [html.escape(shorten(line, _MAX_LINE), quote=False) for line in lines]
    return [*footer, also_line(also)] if also else footer


def also_line(copies: Sequence[CopyLike]) -> str:
    """ "Also: <a href=…>Source B</a>, …": every copy linked to its own article, so the chat
    can open each article the alert stands for. Never shortened: a copy cut off would be a
    copy the chat cannot see (:func:`fit_also` decides how many fit)."""
    names = [
        link(shorten(copy.source, _MAX_SOURCE) or "another source", copy.url) for copy in copies
    ]
    return f"Also: {', '.join(names)}"


def fit_also(named: Sequence[CopyLike], waiting: Sequence[CopyLike]) -> int:
    """How many of ``waiting`` (in order) the "Also:" line can name after the ``named`` ones
    (which it keeps) within ``_MAX_ALSO``; the others need messages of their own."""
    taken = 0
    while taken < len(waiting):
        if utf16_len(also_line([*named, *waiting[: taken + 1]])) > _MAX_ALSO:
            break
        taken += 1
    return taken


def format_alert(
    article: Article,
    summary: SummaryLike,
    *,
    topics: Sequence[str],
    matched: str,
    tz: ZoneInfo,
    also: Sequence[CopyLike] = (),
    sub_id: int | None = None,
) -> RenderedAlert:
    """One alert: linked bold title, source and date, summary, why it matched, which topic.

    ``matched`` is ``bot.summary.matched_line(...)`` (the "Matched:" prefix is added if
    missing); ``also`` lists other articles of the same story, each linked on the "Also:"
    line; ``sub_id`` adds the Mute / Unsubscribe buttons for that subscription.
    """
    title = f"<b>{link(shorten(article.title, _MAX_TITLE) or '(untitled)', article.url)}</b>"
    head = "\n".join(filter(None, [title, _source_line(article, tz)]))
    footer = "\n".join(_footer(topics, matched, also))
    body = fit_summary(summary, MAX_MESSAGE - utf16_len(f"{head}\n\n\n\n{footer}"))
    blocks = [head, body, footer]
    text = "\n\n".join(block for block in blocks if block)
    buttons = alert_buttons(sub_id) if sub_id is not None else []
    return RenderedAlert(text=text, buttons=buttons)


def _digest_line(item: DigestItem, tz: ZoneInfo) -> str:
    line = f"• {link(shorten(item.title, _DIGEST_TITLE) or 'untitled', item.url)}"
    details = [shorten(item.topic, _MAX_LINE)]
    if item.published is not None:
        details.append(format_when(item.published, tz))
    return f"{line} — {html.escape(' · '.join(details), quote=False)}"


def format_digest(items: Sequence[DigestItem], tz: ZoneInfo) -> list[DigestPage]:
    """ "N new alerts": one linked line per alert, over as many messages as that takes.

    Every item is listed exactly once, in order; a digest too long for one message is split
    between lines, each message headed "N new alerts (k/n)" and within ``MAX_MESSAGE``. The
    longest line (escaped title, topic and URL at their caps) is far shorter than a message.
    """
    total = len(items)
    lines = [_digest_line(item, tz) for item in items]
    header_room = utf16_len(_digest_header(total, total, total)) + 1  # and its newline
    pages = pack_lines(lines, MAX_MESSAGE - header_room)
    return [
        DigestPage("\n".join([_digest_header(total, number, len(pages)), *page]), len(page))
        for number, page in enumerate(pages, start=1)
    ]


def pack_lines(lines: Sequence[str], room: int) -> list[list[str]]:
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


def _digest_header(total: int, number: int, pages: int) -> str:
    header = f"<b>{total} new alert{'s' if total != 1 else ''}</b>"
    return f"{header} ({number}/{pages})" if pages > 1 else header
