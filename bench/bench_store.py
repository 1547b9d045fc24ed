"""Store benchmark: CPU of ``Store.add_articles`` (articles + full-text index) and of searches.

Run from the repository root: ``python bench/bench_store.py`` (``--feeds 500`` for the
ingestion benchmark's 25,000 articles). The ingestion benchmark's feeds are parsed once; each
round stores them, one ``add_articles`` call (one transaction) per feed, in a new database
file, then times a few searches. Medians over the rounds, as the machine is shared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ingest import make_feed  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.feeds.parser import parse_feed  # noqa: E402
from bot.store import Store  # noqa: E402

QUERIES = ["azerbaijan", "baku OR tehran OR ankara", "w01234"]
"""A name in 1% of the articles, three of them, a word in 0.4%; a phrase is added at run time."""


def store_round(feeds: Sequence[Sequence[Article]], queries: Sequence[str]) -> list[float]:
    """CPU seconds of storing every feed, then of one run of each query."""
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        ids = [store.add_feed(f"https://feed{n}.example/rss").id for n in range(len(feeds))]
        start = time.process_time()
        for feed_id, articles in zip(ids, feeds, strict=True):
            store.add_articles(feed_id, articles, seen_at=now)
        figures = [time.process_time() - start]
        for query in queries:
            start = time.process_time()
            for _ in range(20):
                store.search_articles(query)
            figures.append((time.process_time() - start) / 20)
        store.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    now = datetime.now(UTC)
    feeds = [
        parse_feed(make_feed(n, args.items, now), url=f"https://feed{n}.example/rss").articles
        for n in range(args.feeds)
    ]
    phrase = '"' + " ".join(feeds[0][0].text.split()[:2]) + '"'
    queries = [*QUERIES, phrase]
    rounds = [store_round(feeds, queries) for _ in range(args.rounds)]
    stored, *searches = zip(*rounds, strict=True)
    print(
        f"add_articles, {args.feeds} feeds x {args.items}: median {statistics.median(stored):.3f}"
        f" s CPU (min {min(stored):.3f}, max {max(stored):.3f}, {args.rounds} rounds)"
    )
    for query, times in zip(queries, searches, strict=True):
        print(f"search {query!r}: median {statistics.median(times) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
