"""Rule engine benchmark: up to 100,000 subscriptions matched against the corpus articles.

Run from the repository root: ``python bench/bench_rules.py`` (about 1-2 minutes on two cores;
``--subscriptions 20000 --articles 500`` for a quick look).

Subscriptions are drawn the way users write them: words are picked with a Zipf distribution
over the corpus vocabulary ranked by how many articles use them (popular topics are the ones
in the news), skipping words in more than 1% of the articles, which are function words and
generic ones ("the", "und", "и", "said", "new") rather than topics; 30% repeat an earlier
subscription, re-spelled (case, operator spelling), as people subscribe to the same topics,
and the other 70% are distinct from each other; the shapes are mixed (single words,
AND of 2-3, OR, NOT, phrases taken from the articles, prefixes, fields).

``--aliases`` compiles every rule with the alias table the bot builds for the default
``[rules] languages`` (country names in 11 languages and their forms): preparation then
includes expanding each document with it, once, as :meth:`RuleIndex.match` does for a new
article.

Printed per index size (1, 10, 10k, 100k subscriptions): µs per article for preparing the
document (tokenizing, independent of the number of rules) and for matching, the ratio to one
subscription, and the candidates verified as a share of the distinct rules; then build time
and the memory the compiled rules and the index hold (tracemalloc).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402
from bot.feeds.parser import FeedParseError, parse_feed  # noqa: E402
from bot.places import DEFAULT_LANGUAGES, alias_table  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feeds"
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
MAX_DOCUMENT_SHARE = 0.01
DUPLICATE_SHARE = 0.30


def load_articles(corpus: Path, limit: int | None) -> list[dict[str, str]]:
    """The corpus articles as the pipeline hands them to the matcher (``Article.rule_doc``)."""
    docs: list[dict[str, str]] = []
    for path in sorted(p for p in corpus.iterdir() if p.suffix in FEED_SUFFIXES):
        try:
            feed = parse_feed(path.read_bytes(), url=f"https://{path.stem}.example/feed")
        except FeedParseError:
            continue
        docs.extend(article.rule_doc() for article in feed.articles)
    return docs[:limit]


class Vocabulary:
    """Subscription words ranked by article frequency, sampled with a Zipf distribution."""

    def __init__(self, documents: Sequence[rules.Document], pick: random.Random) -> None:
        frequency = Counter(w for doc in documents for w in doc.vocabulary)
        ceiling = MAX_DOCUMENT_SHARE * len(documents)
        ranked = [w for w, n in frequency.most_common() if n <= ceiling and _topical(w)]
        self.words = ranked
        self._cumulative = _zipf_cumulative(len(ranked))
        self._pick = pick
        self.phrases = sorted(
            {
                f"{a} {b}"
                for doc in documents
                for a, b in pairwise(doc.fields["text"].words)
                if _topical(a) and _topical(b)
            }
        )

    def word(self) -> str:
        return self._pick.choices(self.words, cum_weights=self._cumulative)[0]

    def phrase(self) -> str:
        return self._pick.choice(self.phrases)


def _topical(word: str) -> bool:
    return len(word) >= 3 and not word.isdigit()


def _zipf_cumulative(n: int, exponent: float = 1.0) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-exponent
        cumulative.append(total)
    return cumulative


def _shapes(v: Vocabulary) -> list[tuple[float, Callable[[], str]]]:
    """(weight, generator) of each rule shape."""
    return [
        (0.35, lambda: v.word()),
        (0.15, lambda: f"{v.word()} + {v.word()}"),
        (0.05, lambda: f"{v.word()} {v.word()} {v.word()}"),
        (0.15, lambda: f"{v.word()} | {v.word()}"),
        (0.03, lambda: f"({v.word()} | {v.word()} | {v.word()}) + {v.word()}"),
        (0.10, lambda: f"{v.word()} -{v.word()}"),
        (0.08, lambda: f'"{v.phrase()}"'),
        (0.04, lambda: f"{v.word()[:5]}*"),
        (0.03, lambda: f"title:{v.word()}"),
        (0.02, lambda: f"{v.word()} + source:{v.word()}"),
    ]


def _respell(text: str, pick: random.Random) -> str:
    """The same rule as another user would type it: other case and operator spelling."""
    text = text.replace(" + ", pick.choice([" + ", " AND ", " & ", " "]))
    text = text.replace(" | ", pick.choice([" | ", " OR ", ", "]))
    return text.upper() if pick.random() < 0.5 else text.title()


def subscriptions(v: Vocabulary, count: int, pick: random.Random) -> list[str]:
    shapes = _shapes(v)
    weights = [w for w, _ in shapes]
    texts: list[str] = []
    distinct: set[str] = set()
    while len(texts) < count:
        if texts and pick.random() < DUPLICATE_SHARE:
            texts.append(_respell(pick.choice(texts), pick))
            continue
        make = pick.choices([make for _, make in shapes], weights=weights)[0]
        try:
            rule = rules.compile(make())
        except rules.RuleSyntaxError:  # e.g. "x -x"
            continue
        if rule.canonical not in distinct:
            distinct.add(rule.canonical)
            texts.append(str(rule))
    return texts


def build(texts: Sequence[str], aliases: rules.Aliases | None = None) -> rules.RuleIndex:
    index = rules.RuleIndex(aliases)
    for key, text in enumerate(texts):
        index.add(key, rules.compile(text, aliases))
    return index


def prepared(doc: dict[str, str], aliases: rules.Aliases | None) -> rules.Document:
    """The document as matching sees it: tokenized, and expanded with ``aliases`` if any."""
    document = rules.Document.of(doc)
    if aliases is not None:
        document.expand(aliases)
    return document


def best_us(func: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` runs, in µs: the least disturbed by other work on the machine."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return min(runs) * 1e6


def measure(
    texts: Sequence[str],
    documents: Sequence[rules.Document],
    repeat: int,
    aliases: rules.Aliases | None,
) -> dict:
    """Build an index of ``texts`` and time matching each document against it."""
    start = time.perf_counter()
    index = build(texts, aliases)
    built = time.perf_counter() - start
    match = index.match
    each = [best_us(lambda d=d: match(d), repeat) for d in documents]
    candidates = statistics.mean(len(index.candidates(d)) for d in documents)
    distinct = len({rules.compile(text).canonical for text in texts})
    return {
        "size": len(texts),
        "distinct": distinct,
        "build": built,
        "each": each,
        "share": candidates / distinct,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=None, help="limit (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N timing passes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--aliases", action="store_true", help="expand country names")
    args = parser.parse_args(argv)
    pick = random.Random(args.seed)

    aliases = None
    if args.aliases:
        tracemalloc.start()
        start = time.perf_counter()
        aliases = alias_table(DEFAULT_LANGUAGES, {})
        table_s = time.perf_counter() - start
        table_bytes, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"alias table: {len(aliases)} groups in {len(DEFAULT_LANGUAGES)} languages, "
            f"built in {table_s:.2f} s, {table_bytes / 2**20:.0f} MiB (once per process)"
        )
    raw = load_articles(args.corpus, args.articles)
    prepare = [best_us(lambda d=d: prepared(d, aliases), args.repeat) for d in raw]
    documents = [prepared(doc, aliases) for doc in raw]
    vocabulary = Vocabulary(documents, pick)
    texts = subscriptions(vocabulary, args.subscriptions, pick)
    print(
        f"{len(documents)} articles, {sum(len(d['text']) for d in raw) // len(raw)} characters "
        f"of text on average; {len(texts):,} subscriptions over {len(vocabulary.words):,} "
        "topic words"
    )
    print(
        f"document preparation (independent of the number of rules): "
        f"{statistics.mean(prepare):.0f} µs/article mean, {statistics.median(prepare):.0f} median"
    )

    sizes = sorted({1, min(10, len(texts)), min(10_000, len(texts)), len(texts)})
    results = [measure(texts[:size], documents, args.repeat, aliases) for size in sizes]
    print(
        f"\n{'subscriptions':>13} {'distinct':>9} {'build s':>8} {'match µs: mean':>15} "
        f"{'median':>7} {'p95':>7} | {'total µs: mean':>15} {'median':>7} | "
        f"{'ratio: mean':>12} {'median':>7} | {'candidates':>10}"
    )
    prep_mean, prep_median = statistics.mean(prepare), statistics.median(prepare)
    one = results[0]["each"]
    for r in results:
        each = r["each"]
        total_mean = prep_mean + statistics.mean(each)
        total_median = prep_median + statistics.median(each)
        print(
            f"{r['size']:>13,} {r['distinct']:>9,} {r['build']:>8.2f} "
            f"{statistics.mean(each):>15.1f} {statistics.median(each):>7.1f} "
            f"{statistics.quantiles(each, n=20)[-1]:>7.1f} | {total_mean:>15.1f} "
            f"{total_median:>7.1f} | {total_mean / (prep_mean + statistics.mean(one)):>11.2f}x "
            f"{total_median / (prep_median + statistics.median(one)):>6.2f}x | {r['share']:>10.2%}"
        )
    print("total = preparation + match; ratio = total against 1 subscription;")
    print(
        "candidates = distinct rules found through their index keys per article, as a share of "
        "the distinct rules (plain-word ones among them match without verification)"
    )

    tracemalloc.start()
    index = build(texts, aliases)
    held, _ = tracemalloc.get_traced_memory()
    print(f"\nmemory held by {len(index):,} compiled rules and their index: {held / 2**20:.0f} MiB")
    for doc in documents:  # rules whose checks need the rule itself build it on first use
        index.match(doc)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"after matching every article once: {held / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
