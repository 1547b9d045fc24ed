"""Summary-stage benchmark: summaries per second, cost per alert next to matching, clustering.

Run from the repository root: ``python bench/bench_summary.py`` (needs ../shared). It prints
the figures recorded in docs/benchmarks.md, and the precision/recall of story clustering on
the labelled pairs for several settings, which is how the defaults were chosen.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.feeds.errors import FeedParseError  # noqa: E402
from bot.feeds.parser import parse_feed  # noqa: E402
from bot.ingest.stories import StoryClusterer  # noqa: E402
from bot.summary import matched_line, summarize  # noqa: E402
from tests.support import story_pairs  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "feeds"
SAMPLE = SHARED / "samples" / "jpost-herzog-azerbaijan-2023-05-28.txt"
RULE = "trump | russia | china | ukraine | iran | election | (police + shooting)"
"""A broad subscription, so that many corpus articles yield hits to summarize around."""


def corpus_articles() -> list[Article]:
    articles = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in {".xml", ".rss", ".atom"}:
            continue
        try:
            articles += parse_feed(
                path.read_bytes(), url=f"http://corpus.invalid/{path.name}"
            ).articles
        except FeedParseError:
            continue
    return [article for article in articles if article.text]


def per_second(work: Callable[[], int], min_seconds: float = 2.0) -> tuple[float, int]:
    """Items per second over repeated runs of ``work`` (which returns how many it did)."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        done += work()
    return done / elapsed, done


def bench_summaries(articles: list[Article]) -> None:
    rule = rules.compile(RULE)
    documents = [rules.Document(**article.rule_doc()) for article in articles]
    hits = [rule.explain(document) or [] for document in documents]
    matched = sum(1 for h in hits if h)

    def summarize_all() -> int:
        for article, article_hits in zip(articles, hits, strict=True):
            summarize(article.title, article.text, article_hits)
            matched_line(article_hits)
        return len(articles)

    def match_all() -> int:
        for article in articles:
            rule.explain(rules.Document(**article.rule_doc()))
        return len(articles)

    summaries, _ = per_second(summarize_all)
    matches, _ = per_second(match_all)
    chars = sum(len(a.text) for a in articles) / len(articles)
    print(f"corpus: {len(articles)} articles with text (mean {chars:.0f} chars); rule {RULE!r}")
    print(f"  matches {matched} of them")
    print(
        f"summaries (summarize + matched_line): {summaries:,.0f}/s = {1e6 / summaries:.0f} µs each"
    )
    print(
        f"matching (Document + explain), one rule: {matches:,.0f}/s = {1e6 / matches:.0f} µs each"
    )
    print(f"added cost per alert: {matches / summaries:.1f}x one rule's matching of the article")


def assign_cpu(articles: list[Article], apart: timedelta = timedelta(minutes=1)) -> float:
    """Microseconds of CPU (``time.process_time``) for one :meth:`StoryClusterer.assign`,
    all ``articles`` into one fresh clusterer, made outside the timing as the pipeline makes
    it once; each article published ``apart`` after the one before."""
    clusterer = StoryClusterer()
    base = datetime(2024, 3, 1, tzinfo=UTC)
    gc.collect()
    began = time.process_time()
    for i, article in enumerate(articles):
        clusterer.assign(
            str(i),
            article.title,
            article.text,
            base + i * apart,
            feed=article.feed_url,
            link=article.url,
        )
    return (time.process_time() - began) / len(articles) * 1e6


def bench_clustering(articles: list[Article], runs: int = 9) -> None:
    """Cost of :meth:`StoryClusterer.assign` per article, into a fresh clusterer each run: the
    median of several runs, since the machine may be shared (``bench_clustering.py`` compares
    commits, on this text and the ingestion bench's)."""
    costs = [assign_cpu(articles) for _ in range(runs)]
    median = statistics.median(costs)
    print(
        f"clustering: {1e6 / median:,.0f} assigns/s = {median:.0f} µs each"
        f" (median of {runs} runs, fastest {min(costs):.0f} µs),"
        f" into a window holding up to {len(articles)} articles"
    )


def bench_labelled_pairs() -> None:
    """Precision and recall on both labelled sets for several settings (how the defaults were
    chosen; the tests assert the default's)."""
    sets = {
        "written": story_pairs.labelled_pairs(),
        "corpus": story_pairs.corpus_pairs(CORPUS, SAMPLE.read_text(encoding="utf-8")),
    }
    window = story_pairs.window_rarity(story_pairs.labelled_articles().values())
    rarities = {"written": window, "corpus": None}
    for name, pairs in sets.items():
        same = sum(p.same for p in pairs)
        different = len(pairs) - same
        print(f"labelled pairs ({name}): {len(pairs)} ({same} same story, {different} different)")
    print("num_perm threshold " + " ".join(f"{n}: precision recall false" for n in sets))
    for num_perm in (64, 128, 256):
        for threshold in (0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
            row = []
            for name, pairs in sets.items():
                rarity = rarities[name]

                def make(t: float = threshold, n: int = num_perm, r=rarity) -> StoryClusterer:
                    return StoryClusterer(threshold=t, num_perm=n, rarity=r.copy() if r else None)

                decisions = story_pairs.merge_decisions(pairs, make)
                precision, recall, false_merges = story_pairs.precision_recall(decisions)
                row.append(f"{precision:9.2f} {recall:6.2f} {false_merges:5}")
            print(f"{num_perm:8} {threshold:9}   " + "   ".join(row))


def bench_recall_by_kind() -> None:
    """Recall by kind of same-event pair and false merges by kind of distinct pair, on the
    written set at the defaults: the table of docs/benchmarks.md (issue 23)."""
    decisions = story_pairs.merge_decisions(
        story_pairs.labelled_pairs(), story_pairs.labelled_clusterer()
    )
    kinds: dict[tuple[bool, str], list[bool]] = {}
    for pair, merged in decisions:
        kinds.setdefault((pair.same, pair.kind), []).append(merged)
    print("written set at the defaults, by kind (same: merged / pairs; different: merged)")
    print("| same event | pairs | merged | recall |")
    print("|---|---|---|---|")
    for (same, kind), merges in sorted(
        kinds.items(), key=lambda item: (not item[0][0], item[0][1])
    ):
        if same:
            print(f"| {kind} | {len(merges)} | {sum(merges)} | {sum(merges) / len(merges):.2f} |")
    print("| **different event** | **pairs** | **merged (false)** | |")
    for (same, kind), merges in sorted(kinds.items()):
        if not same:
            print(f"| {kind} | {len(merges)} | {sum(merges)} | |")
    precision, recall, false_merges = story_pairs.precision_recall(decisions)
    retitled = [
        merged for pair, merged in decisions if pair.same and story_pairs.different_headlines(pair)
    ]
    retold = [merged for pair, merged in decisions if pair.same and pair.source == "rewrites"]
    print(
        f"precision {precision:.2f} ({false_merges} false merges), recall {recall:.2f} over"
        f" {sum(p.same for p, _ in decisions)} same-event pairs; headlines sharing no word"
        f" beyond names: {sum(retitled) / len(retitled):.2f} ({sum(retitled)}/{len(retitled)});"
        f" issue 23's pairs: {sum(retold) / len(retold):.2f} ({sum(retold)}/{len(retold)})"
    )


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is absent: the benchmark reads the shared corpus in place")
    articles = corpus_articles()
    bench_summaries(articles)
    bench_clustering(articles)
    bench_recall_by_kind()
    bench_labelled_pairs()


if __name__ == "__main__":
    main()
