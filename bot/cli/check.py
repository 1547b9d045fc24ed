"""``topic-alert check``: which articles of some feeds a rule matches, and why.

It reads the feeds with the daemon's own parts (``bot.wiring.build``: fetcher, parse workers,
full text, summary), so what it prints is what the bot would alert.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import rules
from bot.article import Article
from bot.cli.articles import json_line, text_block
from bot.cli.errors import EXIT_ERROR
from bot.cli.rule import compile_rule
from bot.config import Config, load_config
from bot.feeds.errors import FeedParseError, FetchError
from bot.feeds.probe import read_feed
from bot.ingest.fulltext import with_full_text
from bot.matching import document
from bot.sources import FeedKind, source_of
from bot.summary import summarize_article
from bot.wiring import Services, build


def check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    rule = compile_rule(args.rule, config)
    return asyncio.run(_check_feeds(rule, args, config))


async def _check_feeds(rule: rules.Rule, args: argparse.Namespace, config: Config) -> int:
    async with build(config) as services:
        read = [_read_articles(services, source, args.full_text) for source in args.feed]
        outcomes = await asyncio.gather(*read, return_exceptions=True)
        return await _print_matches(rule, args, services, outcomes)


async def _print_matches(
    rule: rules.Rule,
    args: argparse.Namespace,
    services: Services,
    outcomes: list[list[Article] | BaseException],
) -> int:
    status, total, shown = 0, 0, 0
    llm, summary_chars = services.llm, services.config.delivery.summary_chars
    for source, outcome in zip(args.feed, outcomes, strict=True):
        if isinstance(outcome, FetchError | FeedParseError | OSError):
            # Feed-stage errors name their URL already; a local file's OSError names the path
            # only inside its str(), after the reason.
            problem = (
                outcome
                if isinstance(outcome, FetchError | FeedParseError)
                else f"{source}: {outcome.strerror or outcome}"
            )
            print(f"topic-alert: {problem}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        total += len(outcome)
        for article in outcome:
            hits = rule.explain(document(article, [rule]))
            if hits is not None:
                shown += 1
                summary = await summarize_article(
                    article.title, article.text, hits, llm=llm, max_chars=summary_chars
                )
                print(
                    json_line(article, hits, summary.text)
                    if args.json
                    else text_block(article, hits, summary.text)
                )
    if not args.json:
        print(f"{shown} of {total} articles match {rule}")
    return status


async def _read_articles(services: Services, source: str, full_text: bool) -> list[Article]:
    """A feed's articles as the daemon would match them (full text for teasers), parsed in
    the daemon's worker processes too; a t.me address is read as a channel's preview."""
    fetcher, parser = services.fetcher, services.parser
    if source.startswith(("http://", "https://")):
        preview = services.config.sources.telegram_preview
        read = await read_feed(fetcher, parser, source_of(source), telegram_preview=preview)
        parsed = read.parsed
        full_text &= source_of(source).kind is not FeedKind.TELEGRAM  # as the pipeline does
    else:
        path = Path(source)
        parsed = await parser.parse(path.read_bytes(), url=path.resolve().as_uri())
    if not full_text:
        return parsed.articles
    threshold = services.config.polling.full_text_threshold
    articles, _ = await with_full_text(fetcher, parsed.articles, forced=False, threshold=threshold)
    return articles
