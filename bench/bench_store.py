"""Store benchmark: CPU of ``Store.add_articles`` (articles + full-text index) and of searches.

Run from the repository root: ``python bench/bench_store.py`` (``--feeds 500`` for the
ingestion benchmark's 25,000 articles). The ingestion benchmark's feeds are parsed once; each
round stores them, one ``add_articles`` call (one transaction) per feed, in a new database
file, then times a few searches. Medians over the rounds, as the machine is shared.

``--busy`` stores while another thread runs Python non-stop, as the event loop does while it
matches a large poll, and shows the wall-clock time of storing instead: the store's thread
must win the GIL back after every SQLite statement, so what counts there is how many
statements a poll takes.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
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


def store_round(
    feeds: Sequence[Sequence[Article]], queries: Sequence[str], *, busy: bool = False
) -> list[float]:
    """CPU seconds of storing every feed (wall-clock seconds when ``busy``), then of one run
    of each query."""
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        ids = [store.add_feed(f"https://feed{n}.example/rss").id for n in range(len(feeds))]
        clock = time.perf_counter if busy else time.process_time
        with busy_thread() if busy else contextlib.nullcontext():
            start = clock()
            for feed_id, articles in zip(ids, feeds, strict=True):
                store.add_articles(feed_id, articles, seen_at=now)
            figures = [clock() - start]
        for query in queries:
            start = time.process_time()
            for _ in range(20):
                store.search_articles(query)
            figures.append((time.process_time() - start) / 20)
        store.close()
    return figures


@contextlib.contextmanager
def busy_thread() -> Iterator[None]:
    """Another thread running Python without a pause (it gives the GIL up only when made to)."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(1000))

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--busy", action="store_true", help="store beside a busy thread")
    args = parser.parse_args()

    now = datetime.now(UTC)
    feeds = [
        parse_feed(make_feed(n, args.items, now), url=f"https://feed{n}.example/rss").articles
        for n in range(args.feeds)
    ]
    phrase = '"' + " ".join(feeds[0][0].text.split()[:2]) + '"'
    queries = [*QUERIES, phrase]
    rounds = [store_round(feeds, queries, busy=args.busy) for _ in range(args.rounds)]
    stored, *searches = zip(*rounds, strict=True)
    unit = "s wall-clock beside a busy thread" if args.busy else "s CPU"
    print(
        f"add_articles, {args.feeds} feeds x {args.items}: median {statistics.median(stored):.3f}"
        f" {unit} (min {min(stored):.3f}, max {max(stored):.3f}, {args.rounds} rounds)"
    )
    for query, times in zip(queries, searches, strict=True):
        print(f"search {query!r}: median {statistics.median(times) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
