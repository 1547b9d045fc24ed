"""Alert and digest messages in Telegram HTML.

Every piece of feed text is escaped (``bot.markup``) before it meets markup: a feed is written
by strangers, and an unescaped ``<`` either breaks the send (Telegram rejects the message) or,
worse, styles it. Shortening always works on plain text and escapes afterwards, so a cut can
never land inside a tag or an entity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from bot.article import Article
from bot.delivery.buttons import Buttons
from bot.i18n import (
    _,
    format_language,
    format_list,
    format_number,
    format_period,
    format_when,
    isolate,
    ngettext,
)
from bot.markup import MAX_MESSAGE, esc, link, pack_lines, shorten, utf16_len

_ELLIPSIS = "…"
_MAX_TITLE = 300
_MAX_LINE = 300
_MAX_SOURCE = 100
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


class TranslationLike(Protocol):
    """``bot.store.StoredTranslation``: the article's title in the chat's language, and the
    language it was translated from."""

    @property
    def source_language(self) -> str: ...

    @property
    def title(self) -> str: ...


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
    sources: tuple[CopyLike, ...] = ()
    """The outlets that carried it, in the order they arrived, in a scheduled digest: the
    first is the one the title links to, so it is named without a link of its own."""
    also: str = ""
    """The other topics that matched it, in a scheduled digest (where it is listed once)."""


@dataclass(frozen=True)
class DigestPage:
    """One message of a digest; it lists the next ``count`` items, in order."""

    text: str
    count: int


def highlight(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Escaped ``text`` with each in-range span wrapped in ``<b>``; bad spans are skipped."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(esc(text[pos:start]))
        out.append(f"<b>{esc(text[start:end])}</b>")
        pos = end
    out.append(esc(text[pos:]))
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


def _source_line(article: Article, tz: tzinfo) -> str:
    parts = [isolate(shorten(article.source, _MAX_SOURCE))]
    if article.published is not None:
        parts.append(format_when(article.published, tz))
    return esc(" · ".join(p for p in parts if p))


def _footer(
    topics: Sequence[str],
    matched: str,
    also: Sequence[CopyLike],
    translation: TranslationLike | None = None,
) -> list[str]:
    lines = []
    if translation is not None:
        lines.append(
            _("Translated from {language}").format(
                language=format_language(translation.source_language)
            )
        )
    if matched:
        lines.append(matched)
    if len(topics) == 1:
        lines.append(_("Topic: {topic}").format(topic=isolate(topics[0])))
    elif topics:
        lines.append(_("Topics: {topics}").format(topics=format_list(map(isolate, topics), "; ")))
    footer = [esc(shorten(line, _MAX_LINE)) for line in lines]
    return [*footer, also_line(also)] if also else footer


NAMED_OUTLETS = 3
"""Sources a story's line names; past them the others are counted ("and 4 more outlets") and
each linked by its number in the story ("[5] [6] [7] [8]"), so a story carried by twenty
outlets still links every article in a line a chat can read."""


def also_line(copies: Sequence[CopyLike]) -> str:
    """ "Also: <a href=…>Source B</a>, …": every copy linked to its own article, in the order
    they arrived, so the chat can open each article the alert stands for (:func:`outlets`).
    Never shortened: a copy cut off would be a copy the chat cannot see (:func:`fit_also`
    decides how many fit). The alert's own article is the story's first outlet."""
    return _("Also: {sources}").format(sources=outlets(copies, first_number=2))


def outlets(sources: Sequence[CopyLike], *, first_number: int) -> str:
    """ "A, B, C" or "A, B, C and 2 more outlets: [5] [6]": the first NAMED_OUTLETS
    ``sources`` named, the rest counted and linked by number, each linked to its own article
    (a source without a link is named or numbered unlinked). ``first_number`` is the number of
    ``sources[0]`` among the story's outlets, counted in the order they arrived."""
    names = format_list(
        isolate(link(shorten(s.source, _MAX_SOURCE) or _("another source"), s.url))
        for s in sources[:NAMED_OUTLETS]
    )
    rest = sources[NAMED_OUTLETS:]
    if not rest:
        return names
    numbers = " ".join(
        isolate(link(f"[{format_number(number)}]", s.url))
        for number, s in enumerate(rest, start=first_number + NAMED_OUTLETS)
    )
    # TRANSLATORS: {sources}: three outlets; {numbers}: the others' links ("[5] [6]")
    return ngettext(
        "{sources} and {count} more outlet: {numbers}",
        "{sources} and {count} more outlets: {numbers}",
        len(rest),
    ).format(sources=names, count=format_number(len(rest)), numbers=numbers)


def fit_also(named: Sequence[CopyLike], waiting: Sequence[CopyLike]) -> int:
    """How many of ``waiting`` (in order) the "Also:" line can name after the ``named`` ones
    (which it keeps) within ``_MAX_ALSO``; the others need messages of their own. A digest's
    line names its story's sources the same way, so it takes as many."""
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
    tz: tzinfo,
    also: Sequence[CopyLike] = (),
    buttons: Buttons | None = None,
    translation: TranslationLike | None = None,
) -> RenderedAlert:
    """One alert: linked bold title, source and date, summary, why it matched, which topic.

    ``matched`` is the line ``bot.summary.matched_line(...)`` writes ("Matched: …", shown as
    it is); ``also`` lists other articles of the same story, each linked on the "Also:"
    line; ``buttons`` go under it (``bot.delivery.buttons.topic_buttons``). With
    ``translation`` (and ``summary`` translated with it) the title is the translated one,
    the article's own in italics below it, and a line says which language it came from; the
    translator's text is escaped like the feed's, being no more trusted.
    """
    shown = translation.title if translation is not None else article.title
    label = shorten(shown, _MAX_TITLE) or _("(untitled)")
    title = f"<b>{link(label, article.url)}</b>"
    original = (
        f"<i>{esc(shorten(article.title, _MAX_TITLE))}</i>"
        if translation is not None and article.title.strip() not in ("", shown.strip())
        else ""
    )
    head = "\n".join(filter(None, [title, original, _source_line(article, tz)]))
    footer = "\n".join(_footer(topics, matched, also, translation))
    body = fit_summary(summary, MAX_MESSAGE - utf16_len(f"{head}\n\n\n\n{footer}"))
    blocks = [head, body, footer]
    text = "\n\n".join(block for block in blocks if block)
    return RenderedAlert(text=text, buttons=buttons or [])


def _digest_line(item: DigestItem, tz: tzinfo, *, grouped: bool = False) -> str:
    title = isolate(link(shorten(item.title, _DIGEST_TITLE) or _("untitled"), item.url))
    details = [
        outlets(item.sources, first_number=1)
        if grouped
        else esc(isolate(shorten(item.topic, _MAX_LINE)))
    ]
    if item.published is not None:
        details.append(esc(format_when(item.published, tz)))
    if grouped and item.also:
        also = _("also: {topics}").format(topics=isolate(shorten(item.also, _MAX_LINE)))
        details.append(esc(also))
    return f"• {title} — {' · '.join(d for d in details if d)}"


def format_digest(
    items: Sequence[DigestItem], tz: tzinfo, *, heading: str | None = None
) -> list[DigestPage]:
    """A digest: one linked line per alert, over as many messages as that takes.

    Without ``heading`` it is the burst digest, "N new alerts", each line naming its topic.
    With one it is a scheduled digest: the items (in the order given, topic by topic) under a
    bold line per topic, each line naming its source, and every message but the last ends
    saying how many items the next ones hold.

    Every item is listed exactly once, in order; a digest too long for one message is split
    between lines, each message headed "(k/n)" and within ``MAX_MESSAGE``. The longest line
    (escaped title, topic and URL at their caps) is far shorter than a message.
    """
    total = len(items)
    if heading is None:
        count = format_number(total)
        heading = ngettext("<b>{count} new alert</b>", "<b>{count} new alerts</b>", total).format(
            count=count
        )
        lines = [_digest_line(item, tz) for item in items]
        header_room = utf16_len(_page_header(heading, total, total)) + 1  # and its newline
        pages = pack_lines(lines, MAX_MESSAGE - header_room)
        counts = [len(page) for page in pages]
    else:
        pages, counts = _grouped_pages(items, tz, heading)
    return [
        DigestPage("\n".join([_page_header(heading, number, len(pages)), *page]), count)
        for number, (page, count) in enumerate(zip(pages, counts, strict=True), start=1)
    ]


def _grouped_pages(
    items: Sequence[DigestItem], tz: tzinfo, heading: str
) -> tuple[list[list[str]], list[int]]:
    """The lines of each message of a scheduled digest, and how many items each lists."""
    total = len(items)
    room = (
        MAX_MESSAGE
        - utf16_len(_page_header(heading, total, total))
        - utf16_len(_more_line(total))
        - 2  # their newlines
    )
    pages: list[list[str]] = []
    counts: list[int] = []
    topic: str | None = None
    used = room + 1  # the first item opens a page
    for item in items:
        line = _digest_line(item, tz, grouped=True)
        title = f"<b>{esc(shorten(item.topic, _MAX_LINE))}</b>"
        size = utf16_len(line) + 1 + (utf16_len(title) + 1 if item.topic != topic else 0)
        if used + size > room:
            pages.append([])
            counts.append(0)
            topic, used = None, 0
            size = utf16_len(line) + utf16_len(title) + 2
        if item.topic != topic:
            pages[-1].append(title)
            topic = item.topic
        pages[-1].append(line)
        counts[-1] += 1
        used += size
    listed = 0
    for page, count in zip(pages[:-1], counts[:-1], strict=True):
        listed += count
        page.append(_more_line(total - listed))
    return pages, counts


LATE = timedelta(minutes=10)
"""A digest sent this long after it was due says so (the bot was down or busy)."""


def digest_heading(since: datetime, until: datetime, tz: tzinfo, *, now: datetime) -> str:
    """ "Digest · 2 Dec 08:00 – 3 Dec 08:00 CET": the period a scheduled digest covers, in the
    chat's zone, and "sent late" when it went out well after ``until``."""
    period = esc(format_period(since, until, tz))
    if now - until > LATE:
        return _("<b>Digest · {period}</b> · sent late").format(period=period)
    return _("<b>Digest · {period}</b>").format(period=period)


def _more_line(more: int) -> str:
    return ngettext(
        "<i>{count} more in the next message ⤵</i>",
        "<i>{count} more in the next messages ⤵</i>",
        more,
    ).format(count=format_number(more))


def _page_header(heading: str, number: int, pages: int) -> str:
    return f"{heading} ({number}/{pages})" if pages > 1 else heading
