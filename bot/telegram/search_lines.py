"""How a chat is told of its topics' news searches (``[sources] news_search``): the line the
/subscribe answer ends with (the query searched, or why there is none), and /feeds' lines for
the chat's own searches. Another chat's query is never named: it tells what that chat follows.
"""

from __future__ import annotations

from bot.i18n import N_, _, format_number, isolate, ngettext
from bot.markup import esc
from bot.news_search import NotSearched, SearchOutcome
from bot.store import FeedRow
from bot.telegram.feed_lines import feed_line
from rules.search_query import Reason

_WHY_NOT = {
    Reason.FIELD: N_("a search cannot look only in the headline, the text or the source ({term})"),
    Reason.LANGUAGE: N_("a search's language is set for the chat, not in the rule ({term})"),
    Reason.PREFIX: N_("a search matches whole words, not beginnings of words ({term})"),
    Reason.EXCLUDED_COMBINATION: N_(
        "a search can exclude single words, not a combination ({term})"
    ),
}


def search_line(outcome: SearchOutcome) -> str:
    """One line on the news search a new topic got, or why it got none."""
    if not isinstance(outcome, NotSearched):
        return _("News search: <code>{query}</code>").format(query=esc(outcome.query))
    if outcome.unsearchable is not None:
        term = isolate(esc(outcome.unsearchable.term))
        why = _(_WHY_NOT[outcome.unsearchable.reason]).format(term=f"<code>{term}</code>")
    elif outcome.limit is not None and outcome.limit.per_chat:
        why = ngettext(
            "this chat's topics already use {count} news search, the most allowed",
            "this chat's topics already use {count} news searches, the most allowed",
            outcome.limit.limit,
        ).format(count=format_number(outcome.limit.limit))
    else:
        why = _("the bot already runs as many news searches as it may")
    return _("No news search for this topic: {reason}. It still alerts from the sources.").format(
        reason=why
    )


def own_search_lines(searches: list[FeedRow], others: int) -> list[str]:
    """/feeds' part on news searches: the chat's own, named, and how many others there are."""
    lines: list[str] = []
    if searches:
        heading = _("<b>News searches of your topics</b> ({count})")
        lines.append(heading.format(count=format_number(len(searches))))
        lines += [f"• {feed_line(feed)}" for feed in searches]
    if others:
        lines.append(
            ngettext(
                "…and {count} news search of other chats' topics.",
                "…and {count} news searches of other chats' topics.",
                others,
            ).format(count=format_number(others))
        )
    return lines
