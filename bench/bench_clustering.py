"""Story clustering's CPU per article, on real-world text and on the ingestion bench's.

Run from the repository root: ``python bench/bench_clustering.py`` (needs ../shared). Each
run assigns every article to a fresh ``StoryClusterer`` (made outside the timing, as the
pipeline makes it once), 20 seconds apart, and times it with ``time.process_time``; the best
of ``--runs`` is printed, as the least disturbed by other work on a shared machine. Two
inputs: the corpus entries with text (``bench_summary.corpus_articles``: many languages,
full pages, real copies and retellings), and the articles of the ingestion bench's
generated feeds (``bench_ingest.make_feed``: the text the cold cycle clusters).

To compare two commits, copy this file into a worktree of each and run them in turn: the
machine's speed drifts by a fifth within minutes, so alternate, and compare the best of each.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ingest import make_feed  # noqa: E402
from bench_summary import assign_cpu, corpus_articles  # noqa: E402

from bot.article import Article  # noqa: E402
from bot.feeds.parser import parse_feed  # noqa: E402

APART = timedelta(seconds=20)
"""Between two articles' publication: the corpus's 1,876 span some ten hours, within the
twelve in which retellings are compared."""
BENCH_FEEDS = 74
"""Feeds of the ingestion bench's text: 3,700 articles, about as many as its cold cycle
clusters (the matched ones)."""


def generated_articles(feeds: int = BENCH_FEEDS, items: int = 50) -> list[Article]:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    articles = []
    for feed in range(feeds):
        articles += parse_feed(
            make_feed(feed, items, now), url=f"http://bench.invalid/{feed}"
        ).articles
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    inputs = {"corpus": corpus_articles(), "ingestion bench text": generated_articles()}
    for name, articles in inputs.items():
        assign_cpu(articles[:200], APART)  # first use: the tokenizer's patterns are built
        runs = sorted(assign_cpu(articles, APART) for _ in range(args.runs))
        print(
            f"{name}: {len(articles):,} articles, {runs[0]:.0f} µs an article"
            f" (best of {args.runs}; median {runs[len(runs) // 2]:.0f} µs)"
        )


if __name__ == "__main__":
    main()
