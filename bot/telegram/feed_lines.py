"""How replies and operator notices name a feed: its name linked to its address, and while
its polls fail, the last error."""

from __future__ import annotations

from bot.i18n import _, isolate
from bot.markup import esc, link
from bot.sources import FeedKind
from bot.store import FeedRow


def feed_line(feed: FeedRow) -> str:
    """The feed's linked name, its kind when it is not a feed and, while its polls fail, the
    last error as it was recorded (in English: it is the poll's log line, kept in the
    database); /feeds and /status list it."""
    name = linked(feed)
    if feed.kind is FeedKind.TELEGRAM:
        name = _("{feed} (Telegram channel)").format(feed=name)
    elif feed.kind is FeedKind.PAGE:
        name = _("{feed} (web page)").format(feed=name)
    if not feed.error_count:
        return name
    error = isolate(esc(feed.failure))
    return _("{feed} — failing: {error}").format(feed=name, error=error)


def linked(feed: FeedRow) -> str:
    """The feed's name linked to its address, as one run in a right-to-left sentence."""
    return isolate(link(feed.display_name, feed.url))
