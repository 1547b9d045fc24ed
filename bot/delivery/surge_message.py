"""The message that a topic surges, in Telegram HTML: its figures and its top stories.

"📈 Surge: #2 Azerbaijan — 14 stories in the last hour, 5× usual", a note when the topic has
less than a week of history to be compared with, then the hour's top stories (most outlets
first), each linked. The figures are those stored when the surge was found
(``bot.ingest.surges``), so a message sent after quiet hours says what happened then.
"""

from __future__ import annotations

from bot.i18n import _, format_number, isolate, ngettext
from bot.markup import esc, link, shorten
from bot.store import OutboxRow, Surge, SurgeStory
from bot.store.surges import WEEK

WEEK_HOURS = WEEK.total_seconds() / 3600
"""Hours of history a topic followed for a week or more is compared with."""
_MAX_TITLE = 150


def format_surge(row: OutboxRow, surge: Surge) -> str:
    """The message of ``surge``, about the topic of ``row`` (a surge names one)."""
    topic = (
        isolate(esc(f"#{row.subscriptions[0].number} {row.subscriptions[0].rule}"))
        if row.subscriptions
        else _("A removed topic")
    )
    lines = [_heading(topic, surge)]
    note = _history_note(surge.history_hours)
    if note:
        lines.append(f"<i>{note}</i>")
    lines += [_story_line(story) for story in surge.top]
    return "\n".join(lines)


def _heading(topic: str, surge: Surge) -> str:
    count = format_number(surge.stories)
    if surge.usual == 0:
        return ngettext(
            "📈 <b>Surge: {topic}</b> — {count} story in the last hour, usually none",
            "📈 <b>Surge: {topic}</b> — {count} stories in the last hour, usually none",
            surge.stories,
        ).format(topic=topic, count=count)
    return ngettext(
        "📈 <b>Surge: {topic}</b> — {count} story in the last hour, {ratio}× usual",
        "📈 <b>Surge: {topic}</b> — {count} stories in the last hour, {ratio}× usual",
        surge.stories,
    ).format(topic=topic, count=count, ratio=format_number(round(surge.stories / surge.usual)))


def _history_note(hours: float) -> str | None:
    """How much history "usual" rests on, when it is less than a week; None for a week."""
    if hours >= WEEK_HOURS:
        return None
    if hours >= 24:
        days = int(hours // 24)
        return ngettext(
            "Usual rate from the {count} day this topic has been followed: less than a week.",
            "Usual rate from the {count} days this topic has been followed: less than a week.",
            days,
        ).format(count=format_number(days))
    whole = int(hours)
    return ngettext(
        "Usual rate from the {count} hour this topic has been followed: less than a week.",
        "Usual rate from the {count} hours this topic has been followed: less than a week.",
        whole,
    ).format(count=format_number(whole))


def _story_line(story: SurgeStory) -> str:
    title = isolate(link(shorten(story.title, _MAX_TITLE) or _("untitled"), story.url))
    outlets = ngettext("{count} outlet", "{count} outlets", story.outlets).format(
        count=format_number(story.outlets)
    )
    return f"• {title} — {outlets}"
