"""/search benchmark: latency of a page of matches over a store of up to 1,000,000 articles.

Run from the repository root: ``python bench/bench_search.py`` (fills a 1,000,000-article store
first, which takes a while; ``--articles 100000`` for a quick look). The store is kept
(``--db``, in the temporary directory by default): a later run on it only times the searches.

Articles are generated from the corpus vocabulary: titles of 8 and bodies of 60 words drawn
with the corpus' own word frequencies (function words included), spread evenly over the last
30 days, stored a poll of 1,000 at a time through ``Store.add_articles`` as the daemon stores
them. The rules are the shapes of the rule benchmark (``bench_rules.py``: single words, ANDs,
ORs, NOT, phrases, prefixes, fields), their words drawn from the same Zipf ranking of topic
words, ``--rules`` of each shape. Each rule is searched over the last 30 days (``since``) as
/search does it (``bot.search.find``: FTS5 candidates, the rule decides), the first page and
the second; times are wall-clock per page, on a warm cache. Printed: p50/p95 per shape and
overall, and the database size.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402
from bench.bench_rules import CORPUS, Vocabulary, _shapes, load_articles  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.search import PAGE_SIZE, find  # noqa: E402
from bot.store import AsyncStore, Store  # noqa: E402

SHAPES = [
    "word",
    "a + b",
    "a b c",
    "a | b",
    "(a|b|c) + d",
    "a -b",
    "phrase",
    "prefix*",
    "title:",
    "+ source:",
]
"""Names of the shapes of ``bench_rules._shapes``, in its order."""
POLL = 1_000
DAYS = 30
SOURCES = [f"Source {n}" for n in range(50)]


class Words:
    """Words drawn with the corpus' own frequencies."""

    def __init__(self, documents: list[rules.Document], pick: random.Random) -> None:
        counts = Counter(
            w for doc in documents for f in ("title", "text") for w in doc.fields[f].words
        )
        self.words = [w for w, _ in counts.most_common()]
        total, self.cumulative = 0, []
        for _, n in counts.most_common():
            total += n
            self.cumulative.append(total)
        self.pick = pick

    def text(self, count: int) -> str:
        return " ".join(self.pick.choices(self.words, cum_weights=self.cumulative, k=count))


def fill(store: Store, words: Words, count: int) -> None:
    now = datetime.now(UTC)
    start = time.perf_counter()
    feeds = [
        store.add_feed(f"https://feed{n}.example/rss", name=name).id
        for n, name in enumerate(SOURCES)
    ]
    for first in range(0, count, POLL):
        seen = now - timedelta(days=DAYS) + timedelta(days=DAYS) * (first / count)
        which = (first // POLL) % len(feeds)
        feed = feeds[which]
        articles = [
            Article(
                id=f"g{n}",
                feed_url=f"https://feed{which}.example/rss",
                url=f"https://news.example/{n}",
                title=words.text(8).capitalize(),
                text=words.text(60).capitalize() + ".",
                published=seen,
                source=SOURCES[which],
            )
            for n in range(first, min(first + POLL, count))
        ]
        store.add_articles(feed, articles, seen_at=seen)
        if (first // POLL) % 50 == 0:
            rate = (first + len(articles)) / (time.perf_counter() - start)
            print(f"  stored {first + len(articles):,} articles ({rate:,.0f}/s)", file=sys.stderr)
    print(f"filled {count:,} articles in {time.perf_counter() - start:.0f} s", file=sys.stderr)


async def time_searches(store: AsyncStore, rule_sets: dict[str, list[rules.Rule]]) -> dict:
    since = datetime.now(UTC) - timedelta(days=DAYS)
    up_to = await store.newest_article_id()
    times: dict[str, list[float]] = {}
    found: dict[str, list[int]] = {}
    for shape, shape_rules in rule_sets.items():
        for rule in shape_rules:
            for page in (0, 1):
                start = time.perf_counter()
                result = await find(
                    store, rule, since=since, up_to=up_to, reader=None, skip=page * PAGE_SIZE
                )
                times.setdefault(shape, []).append(time.perf_counter() - start)
                if page == 0:
                    found.setdefault(shape, []).append(len(result.matches))
    return {"times": times, "found": found}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rules", type=int, default=20, help="rules of each shape")
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "topic-alert-bench-search.db"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    documents = [rules.Document.of(doc) for doc in load_articles(CORPUS, None)]
    vocabulary = Vocabulary(documents, random.Random(args.seed))
    store = Store.open(args.db)
    have = store.newest_article_id()
    if have == 0:
        fill(store, Words(documents, random.Random(args.seed)), args.articles)
    else:
        print(f"using the {have:,} articles already in {args.db}", file=sys.stderr)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = store.stats().articles
    size = args.db.stat().st_size

    rule_sets: dict[str, list[rules.Rule]] = {}
    for shape, (_, make) in zip(SHAPES, _shapes(vocabulary), strict=True):
        while len(rule_sets.setdefault(shape, [])) < args.rules:
            try:
                rule_sets[shape].append(rules.compile(make()))
            except rules.RuleSyntaxError:
                continue
    astore = AsyncStore(store)
    result = asyncio.run(time_searches(astore, rule_sets))
    astore.executor.shutdown(wait=True)

    print(f"{stored:,} articles over {DAYS} days; database {size / 2**30:.2f} GiB")
    print(f"{'shape':>12} {'rules':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'found p50':>9}")
    every: list[float] = []
    for shape in SHAPES:
        times = [t * 1000 for t in result["times"][shape]]
        every += times
        found = statistics.median(result["found"][shape])
        print(
            f"{shape:>12} {len(rule_sets[shape]):>5} {statistics.median(times):>7.1f} "
            f"{p95(times):>7.1f} {max(times):>7.1f} {found:>9.0f}"
        )
    print(
        f"{'all':>12} {sum(map(len, rule_sets.values())):>5} {statistics.median(every):>7.1f} "
        f"{p95(every):>7.1f} {max(every):>7.1f}"
    )
    print("times: one page (first and second) of a 30-day search, wall clock")
    store.close()


if __name__ == "__main__":
    main()
