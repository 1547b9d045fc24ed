"""``topic-alert feeds`` and ``remove-feed``: the feed list as the database holds it."""

from __future__ import annotations

import argparse
import contextlib

from bot.cli.articles import utc_time
from bot.cli.database import open_store
from bot.cli.errors import CliError
from bot.config import load_config
from bot.markup import shorten
from bot.store import FeedOrigin, FeedRow, Store, UnknownRow


def feeds(args: argparse.Namespace) -> int:
    with open_store(load_config(args.config)) as store:
        feeds = store.list_feeds(enabled_only=False)
    if not feeds:
        print("no feeds: add [[feeds]] to the config file or import an OPML file")
        return 0
    header = ("ID", "FEED", "LAST POLL", "RESULT", "ERRORS", "NEXT POLL", "ARTICLES")
    rows = [header, *(_feed_cells(feed) for feed in feeds)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {0, 4, 6}
    for row in rows:
        cells = (
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        print("  ".join(cells).rstrip())
    return 0


def _feed_cells(feed: FeedRow) -> tuple[str, ...]:
    name = shorten(feed.display_name, 40)
    result = feed.last_status.words if feed.last_status else "never polled"
    if not feed.enabled:
        result += " (removed)" if feed.removed_at else " (disabled)"
    next_poll = utc_time(feed.next_poll_at) if feed.enabled else "-"
    return (
        str(feed.id),
        name,
        utc_time(feed.last_polled_at),
        result,
        str(feed.error_count),
        next_poll,
        str(feed.articles),
    )


def remove_feed(args: argparse.Namespace) -> int:
    """Disable a feed; a running daemon drops its job at its next resync (within a minute)."""
    with open_store(load_config(args.config)) as store:
        feed = _find_feed(store, args.feed)
        store.remove_feed(feed.id)
    print(f"removed feed {feed.id}: {feed.display_name} ({feed.url})")
    if feed.origin is FeedOrigin.CONFIG:
        print(
            "it is also listed in the config file: it stays removed until it is deleted there "
            "or added again (/addfeed, import-opml)"
        )
    return 0


def _find_feed(store: Store, wanted: str) -> FeedRow:
    """The feed ``topic-alert feeds`` lists with this ID, or the one with this URL."""
    feed = store.feed_by_url(wanted)
    if feed is None and wanted.isascii() and wanted.isdecimal():
        with contextlib.suppress(UnknownRow):
            feed = store.get_feed(int(wanted))
    if feed is None:
        raise CliError(f"no feed has the ID or URL {wanted!r}; `topic-alert feeds` lists them")
    return feed
