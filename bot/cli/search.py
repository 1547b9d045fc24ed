"""``topic-alert search``: what /search shows, on the command line."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

import rules
from bot.cli.articles import json_line, text_block, utc_time
from bot.cli.database import open_store
from bot.cli.errors import CliError
from bot.cli.rule import compile_rule
from bot.config import load_config
from bot.markup import counted
from bot.search import Found, SinceError, find, parse_since
from bot.store import AsyncStore, Store


def search(args: argparse.Namespace) -> int:
    """What /search shows, on the command line: matches in the store, latest stored first."""
    config = load_config(args.config)
    rule = compile_rule(args.rule, config)
    try:
        since = datetime.now(UTC) - parse_since(args.since) if args.since else None
    except SinceError as exc:
        raise CliError(f"--since {exc}") from None
    with open_store(config) as store:
        found = asyncio.run(_search_store(store, rule, since, args.limit))
        oldest = store.oldest_article_dated()
    for match in found.matches:
        article = match.stored.article
        print(
            json_line(article, match.hits, "") if args.json else text_block(article, match.hits, "")
        )
    if not args.json:
        window = f"articles published since {utc_time(since)}" if since else "all stored articles"
        more = " (there are more; raise --limit)" if found.more else ""
        stopped = " (stopped after checking many articles)" if found.stopped else ""
        kept = config.storage.retention_days
        verb = "matches" if len(found.matches) == 1 else "match"
        print(
            f"{counted(len(found.matches), 'article')} {verb} {rule} in {window}{more}{stopped}; "
            f"the oldest stored is from {utc_time(oldest, missing='-')}, "
            f"articles are kept {kept} days"
        )
    return 0


async def _search_store(
    store: Store, rule: rules.Rule, since: datetime | None, limit: int
) -> Found:
    astore = AsyncStore(store)
    try:
        newest = await astore.newest_article_id()
        return await find(astore, rule, since=since, up_to=newest, reader=None, count=limit)
    finally:
        astore.shutdown()
