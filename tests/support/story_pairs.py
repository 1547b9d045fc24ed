"""Labelled story pairs and how a clusterer is scored on them (tests and bench/bench_summary.py).

Two sets:

* the written set: news items written for this project (invented), each with its feed and
  link, and pairs of them labelled same story or not, with the kind of case each pair is.
  ``tests/data/stories/pairs.json`` (issue 9: English, Russian, Hebrew, German and
  Azerbaijani) holds copies and the distinct events they must not swallow;
  ``tests/data/stories/rewrites.json`` (issue 23: also Spanish, Ukrainian and Arabic) the same
  event retold by another outlet in its own words, one outlet's updates, and distinct events
  that share names, places and figures;
* ``tests/data/summary/story_pairs.json``: corpus articles named by feed file and title (read
  in place from ../shared), rewrites of them as syndicating sites make them, the sample page's
  two stories, and short stories written for the test.

A pair is scored by putting its first article and then its second (``hours`` later, default 2)
into a fresh clusterer: "merged" when the second gets the first one's story.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np

import rules
from bot.feeds.parser import parse_feed
from bot.ingest.copies import profile
from bot.ingest.rarity import WordRarity
from bot.ingest.stories import StoryClusterer
from bot.summary import split_sentences

DATA = Path(__file__).parents[1] / "data"
LABELLED_FILES = (DATA / "stories" / "pairs.json", DATA / "stories" / "rewrites.json")
CORPUS_PAIRS_FILE = DATA / "summary" / "story_pairs.json"
BASE_TIME = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
COPY_DELAY = timedelta(hours=2)


@dataclass(frozen=True)
class Story:
    title: str
    text: str
    feed: str
    link: str | None = None


@dataclass(frozen=True)
class Pair:
    a: Story
    b: Story
    same: bool
    note: str
    kind: str = ""
    delay: timedelta = COPY_DELAY
    source: str = ""
    """The file of the written set it comes from ("pairs", "rewrites")."""


def labelled_articles() -> dict[str, Story]:
    """The articles of the written set by name (names are unique across its files)."""
    return {
        key: Story(**fields)
        for data in _labelled_files().values()
        for key, fields in data["articles"].items()
    }


def labelled_pairs() -> list[Pair]:
    """The pairs of the written set, issue 9's then issue 23's."""
    stories = labelled_articles()
    return [
        Pair(
            stories[spec["a"]],
            stories[spec["b"]],
            spec["same"],
            spec["note"],
            spec["kind"],
            timedelta(hours=spec.get("hours", 2)),
            source,
        )
        for source, data in _labelled_files().items()
        for spec in data["pairs"]
    ]


@cache
def _labelled_files() -> dict[str, dict]:
    """Each file of the written set by its name ("pairs", "rewrites")."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in LABELLED_FILES}


def corpus_pairs(corpus_dir: Path, sample_text: str) -> list[Pair]:
    """The pairs of ``tests/data/summary/story_pairs.json`` with every reference resolved."""
    specs = json.loads(CORPUS_PAIRS_FILE.read_text(encoding="utf-8"))["pairs"]
    resolve = _Resolver(corpus_dir, sample_text)
    pairs = []
    for spec in specs:
        a = resolve(spec["a"], side="a")
        b = resolve(spec["b"], side="b", original=spec["b"].get("of", spec["a"]))
        pairs.append(Pair(a, b, spec["same"], spec["note"]))
    return pairs


def merge_decisions(
    pairs: list[Pair], make_clusterer: Callable[[], StoryClusterer]
) -> list[tuple[Pair, bool]]:
    """For each pair, whether a fresh clusterer puts the later article into the first's story."""
    decisions = []
    for pair in pairs:
        clusterer = make_clusterer()
        first = assign(clusterer, "a", pair.a, BASE_TIME)
        second = assign(clusterer, "b", pair.b, BASE_TIME + pair.delay)
        decisions.append((pair, first == second))
    return decisions


def window_rarity(stories: Iterable[Story]) -> WordRarity:
    """Document frequencies of a window that has seen ``stories``: how rare each word is
    among them, as a deployment's story memory learns it from the articles it has seen."""
    rarity = WordRarity()
    for story in stories:
        parts = profile(story.title, story.text)
        if parts is not None:
            rarity.add(np.array(sorted(parts.terms), dtype=np.uint32))
    return rarity


def labelled_clusterer() -> Callable[[], StoryClusterer]:
    """Fresh clusterers for the written pairs, each one's word rarity that of a window that
    has seen the whole written set (some 450 articles in eight languages)."""
    window = window_rarity(labelled_articles().values())
    return lambda: StoryClusterer(rarity=window.copy())


def assign(clusterer: StoryClusterer, key: str, story: Story, when: datetime) -> str:
    return clusterer.assign(key, story.title, story.text, when, feed=story.feed, link=story.link)


def precision_recall(decisions: list[tuple[Pair, bool]]) -> tuple[float, float, int]:
    """Precision and recall of "same story", and the number of false merges."""
    true_merges = sum(1 for pair, merged in decisions if merged and pair.same)
    false_merges = sum(1 for pair, merged in decisions if merged and not pair.same)
    same = sum(1 for pair, _ in decisions if pair.same)
    merged = true_merges + false_merges
    return (true_merges / merged if merged else 1.0), true_merges / same, false_merges


class _Resolver:
    """Turns a pair side of the corpus set into a Story.

    Corpus articles keep their feed file as feed and their link; a rewrite is another site's
    copy (its own feed, no shared link); the sample page's two stories are one page of one feed.
    """

    def __init__(self, corpus_dir: Path, sample_text: str) -> None:
        self._corpus_dir = corpus_dir
        self._sample = sample_stories(sample_text)

    def __call__(self, spec: dict, *, side: str, original: dict | None = None) -> Story:
        if "own" in spec:
            return Story(spec["own"]["title"], spec["own"]["text"], feed=f"own-{side}")
        if "sample" in spec:
            return self._sample[spec["sample"]]
        if "rewrite" in spec:
            return _rewrite(self(original or {}, side="a"), spec)
        return self._corpus_article(spec["file"], spec["title"], spec.get("copy", 0))

    def _corpus_article(self, file_name: str, title: str, copy: int) -> Story:
        """The ``copy``-th entry with this title (a feed may carry one item twice)."""
        matches = [a for a in _parsed(self._corpus_dir / file_name) if a.title == title]
        assert len(matches) > copy, f"{title!r} is not in {file_name}"
        article = matches[copy]
        return Story(article.title, article.text, feed=file_name, link=article.url)


def _rewrite(original: Story, spec: dict) -> Story:
    """A copy of ``original`` as a syndicating site would publish it."""
    text = original.text
    for old, new in spec.get("replace", []):
        text = text.replace(old, new)
    sentences = split_sentences(text)
    if spec["rewrite"] == "wire":
        kept = sentences[:-1] if len(sentences) > 1 else sentences
        text = " ".join(filter(None, [spec.get("dateline", ""), *kept]))
    elif spec["rewrite"] == "trimmed":
        text = " ".join(sentences[: spec["keep_sentences"]])
    elif spec["rewrite"] == "syndicated":
        text = "\n".join([spec["byline"], text, spec["footer"]])
    return Story(spec["title"], text, feed=f"syndicator-{spec['rewrite']}")


@cache
def _parsed(path: Path) -> list:
    return parse_feed(path.read_bytes(), url=f"http://corpus.invalid/{path.name}").articles


def sample_stories(sample_text: str) -> dict[str, Story]:
    """The sample page's two stories, Herzog's visit, then Cohen's trip under its heading, as
    its feed would carry them."""
    lines = [line for line in sample_text.splitlines() if line.strip()]
    heading = next(i for i, line in enumerate(lines) if "Eli Cohen to make" in line)
    return {
        "herzog": Story(lines[1], "\n".join(lines[2:heading]), feed="jpost"),
        "cohen": Story(lines[heading], "\n".join(lines[heading + 1 :]), feed="jpost"),
    }


def different_headlines(pair: Pair) -> bool:
    """Whether the two headlines share no word beyond names: none of more than three letters
    that is not written with a capital somewhere in the text of both (a name; in scripts
    without capitals, every shared word counts against it)."""

    def names(story: Story) -> set[str]:
        words = rules.raw_words(f"{story.title} {story.text}")
        return {rules.fold(word) for word in words if word[0].isupper()}

    shared = set(rules.folded_words(pair.a.title)) & set(rules.folded_words(pair.b.title))
    meaningful = {word for word in shared if len(word) > 3 and not word.isdigit()}
    return not meaningful - (names(pair.a) & names(pair.b))
