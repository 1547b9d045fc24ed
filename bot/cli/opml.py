"""``topic-alert import-opml`` and ``export-opml``: feed lists in and out of other readers."""

from __future__ import annotations

import argparse
import sys

from bot.cli.database import open_store
from bot.cli.errors import CliError
from bot.config import load_config
from bot.feeds.opml import OpmlFeed, read_opml, write_opml
from bot.markup import counted
from bot.store import FeedOrigin


def import_opml(args: argparse.Namespace) -> int:
    try:
        listed = read_opml(args.file.read_bytes())
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    with open_store(load_config(args.config)) as store:
        known = {feed.url for feed in store.list_feeds()}
        added = [feed for feed in listed if feed.url not in known]
        for feed in added:
            store.add_feed(feed.url, name=feed.name, origin=FeedOrigin.OPML)
    print(
        f"imported {counted(len(added), 'feed')} from {args.file} "
        f"({len(listed) - len(added)} known)"
    )
    return 0


def export_opml(args: argparse.Namespace) -> int:
    with open_store(load_config(args.config)) as store:
        # A topic's news search comes and goes with the topic: it is no feed to take along.
        feeds = [
            OpmlFeed(url=feed.url, name=feed.display_name)
            for feed in store.list_feeds()
            if feed.origin is not FeedOrigin.SEARCH
        ]
    sys.stdout.write(write_opml(feeds))
    return 0
