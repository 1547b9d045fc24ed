"""Story memory benchmark: the memory of 48 hours of story profiles (issue 23, point 5).

Run from the repository root: ``python bench/bench_story_memory.py --per-hour 250`` (needs
../shared; about three minutes traced on the shared machine; the default 1,000 an hour takes
four times as long). It assigns
``--per-hour`` articles an hour for ``--hours`` hours (the story window) into one
``StoryClusterer``, as the pipeline does with matched articles: the 1,876 corpus articles of
``bench_summary.py`` over and over, each round as if from other feeds and links (so most
rounds' articles join the first round's stories, which costs the same memory as a story of
their own). Memory is traced (``tracemalloc``) from before the first article to after the
last, with the word-folding cache filled beforehand, and printed per article.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_summary import CORPUS, corpus_articles  # noqa: E402

from bot.ingest.copies import profile  # noqa: E402
from bot.ingest.stories import StoryClusterer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=int, default=48)
    parser.add_argument("--per-hour", type=int, default=1000)
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is absent: the benchmark reads the shared corpus in place")
    articles = corpus_articles()
    for article in articles:  # fills the fold cache, which is bounded and not the memory's
        profile(article.title, article.text)
    total = args.hours * args.per_hour
    step = timedelta(hours=1) / args.per_hour
    start = datetime(2024, 3, 1, tzinfo=UTC)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    began = time.process_time()
    clusterer = StoryClusterer()
    for i in range(total):
        article = articles[i % len(articles)]
        rounds = i // len(articles)
        clusterer.assign(
            str(i),
            article.title,
            article.text,
            start + i * step,
            feed=f"{article.feed_url}#{rounds}",
            link=f"{article.url}?round={rounds}" if article.url else None,
        )
    seconds = time.process_time() - began
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    held = after - before
    print(
        f"{len(clusterer):,} articles over {args.hours} h ({args.per_hour:,} an hour):"
        f" story memory {held / 2**20:.1f} MB traced, {held / len(clusterer):,.0f} bytes an"
        f" article; {seconds / total * 1e6:.0f} µs an assign (traced)"
    )


if __name__ == "__main__":
    main()
