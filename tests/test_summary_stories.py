"""One alert per story: the labelled same-story / different-story pairs, and the time window.

The pairs live in ``tests/data/summary/story_pairs.json``: corpus articles named by feed file and
title (read in place from ../shared), rewrites of them as syndicating sites make them, and short
stories written for this test. ``bench/bench_summary.py`` reuses :func:`load_pairs` and
:func:`merge_decisions` to report precision and recall for several settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from datasketch import MinHashLSH
from hypothesis import example, given
from hypothesis import strategies as st

from bot.feeds.parser import parse_feed
from bot.summary import StoryClusterer, split_sentences, stories
from bot.summary.folding import fold
from bot.summary.stories import DEFAULT_NUM_PERM, _BandIndex

PAIRS_FILE = Path(__file__).parent / "data" / "summary" / "story_pairs.json"
BASE_TIME = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
COPY_DELAY = timedelta(hours=2)


@dataclass(frozen=True)
class Story:
    title: str
    text: str


@dataclass(frozen=True)
class Pair:
    a: Story
    b: Story
    same: bool
    note: str


def load_pairs(corpus_dir: Path, sample_text: str) -> list[Pair]:
    """The labelled pairs with every reference resolved to a title and a text."""
    specs = json.loads(PAIRS_FILE.read_text(encoding="utf-8"))["pairs"]
    resolve = _Resolver(corpus_dir, sample_text)
    pairs = []
    for spec in specs:
        a = resolve(spec["a"])
        b = resolve(spec["b"], original=spec["b"].get("of", spec["a"]))
        pairs.append(Pair(a, b, spec["same"], spec["note"]))
    return pairs


def merge_decisions(
    pairs: list[Pair], make_clusterer: Callable[[], StoryClusterer]
) -> list[tuple[Pair, bool]]:
    """For each pair, whether a fresh clusterer puts the later copy into the first's story."""
    decisions = []
    for pair in pairs:
        clusterer = make_clusterer()
        first = clusterer.assign("a", pair.a.title, pair.a.text, BASE_TIME)
        second = clusterer.assign("b", pair.b.title, pair.b.text, BASE_TIME + COPY_DELAY)
        decisions.append((pair, first == second))
    return decisions


def precision_recall(decisions: list[tuple[Pair, bool]]) -> tuple[float, float, int]:
    """Precision and recall of "same story", and the number of false merges."""
    true_merges = sum(1 for pair, merged in decisions if merged and pair.same)
    false_merges = sum(1 for pair, merged in decisions if merged and not pair.same)
    same = sum(1 for pair, _ in decisions if pair.same)
    merged = true_merges + false_merges
    return (true_merges / merged if merged else 1.0), true_merges / same, false_merges


class _Resolver:
    """Turns a pair side from the JSON into a Story."""

    def __init__(self, corpus_dir: Path, sample_text: str) -> None:
        self._corpus_dir = corpus_dir
        self._sample = _split_sample(sample_text)

    def __call__(self, spec: dict, original: dict | None = None) -> Story:
        if "own" in spec:
            return Story(spec["own"]["title"], spec["own"]["text"])
        if "sample" in spec:
            return self._sample[spec["sample"]]
        if "rewrite" in spec:
            return _rewrite(self(original or {}), spec)
        return self._corpus_article(spec["file"], spec["title"], spec.get("copy", 0))

    def _corpus_article(self, file_name: str, title: str, copy: int) -> Story:
        """The ``copy``-th entry with this title (a feed may carry one item twice)."""
        matches = [a for a in _parsed(self._corpus_dir / file_name) if a.title == title]
        assert len(matches) > copy, f"{title!r} is not in {file_name}"
        return Story(matches[copy].title, matches[copy].text)


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
    return Story(spec["title"], text)


@cache
def _parsed(path: Path) -> list:
    return parse_feed(path.read_bytes(), url=f"http://corpus.invalid/{path.name}").articles


def _split_sample(sample_text: str) -> dict[str, Story]:
    """The sample page holds two stories: Herzog's visit, then Cohen's trip under its heading."""
    lines = [line for line in sample_text.splitlines() if line.strip()]
    heading = next(i for i, line in enumerate(lines) if "Eli Cohen to make" in line)
    return {
        "herzog": Story(lines[1], "\n".join(lines[2:heading])),
        "cohen": Story(lines[heading], "\n".join(lines[heading + 1 :])),
    }


@pytest.fixture(scope="module")
def pairs(corpus_dir: Path, sample_article_text: str) -> list[Pair]:
    return load_pairs(corpus_dir, sample_article_text)


def test_the_labelled_set_is_large_enough(pairs: list[Pair]) -> None:
    assert len(pairs) >= 40
    assert sum(pair.same for pair in pairs) >= 15
    assert sum(not pair.same for pair in pairs) >= 15


def test_no_false_merges_on_the_labelled_set(pairs: list[Pair]) -> None:
    decisions = merge_decisions(pairs, StoryClusterer)
    precision, recall, false_merges = precision_recall(decisions)
    missed = [pair.note for pair, merged in decisions if pair.same and not merged]
    print(f"\nstory clustering: precision {precision:.2f}, recall {recall:.2f}; missed: {missed}")
    assert false_merges == 0, [p.note for p, merged in decisions if merged and not p.same]


def test_syndicated_and_retitled_copies_are_one_story(pairs: list[Pair]) -> None:
    copies = [p for p in pairs if p.same and p.note.endswith(("copy", "edits", "trimmed end"))]
    assert len(copies) >= 15
    decisions = merge_decisions(copies, StoryClusterer)
    assert [pair.b.title for pair, merged in decisions if not merged] == []


def test_herzog_and_cohen_visits_stay_separate(sample_article_text: str) -> None:
    stories = _split_sample(sample_article_text)
    clusterer = StoryClusterer()
    herzog = clusterer.assign("herzog", stories["herzog"].title, stories["herzog"].text, BASE_TIME)
    cohen = clusterer.assign("cohen", stories["cohen"].title, stories["cohen"].text, BASE_TIME)
    assert (herzog, cohen) == ("herzog", "cohen")


def test_every_copy_joins_the_story_of_the_first_article(sample_article_text: str) -> None:
    herzog = _split_sample(sample_article_text)["herzog"]
    clusterer = StoryClusterer()
    keys = ["site-a/1", "site-b/7", "site-c/3"]
    titles = [herzog.title, "Herzog heads to Baku", "Israeli president visits Azerbaijan"]
    stories = [
        clusterer.assign(key, title, herzog.text, BASE_TIME + i * COPY_DELAY)
        for i, (key, title) in enumerate(zip(keys, titles, strict=True))
    ]
    assert stories == ["site-a/1"] * 3
    assert clusterer.assign("site-b/7", "anything", "", BASE_TIME) == "site-a/1"


def test_a_copy_outside_the_window_starts_a_new_story(sample_article_text: str) -> None:
    herzog = _split_sample(sample_article_text)["herzog"]
    clusterer = StoryClusterer(window=timedelta(hours=48))
    clusterer.assign("first", herzog.title, herzog.text, BASE_TIME)
    late = BASE_TIME + timedelta(hours=49)
    assert clusterer.assign("late", herzog.title, herzog.text, late) == "late"


def test_forgotten_articles_no_longer_gather_copies(sample_article_text: str) -> None:
    herzog = _split_sample(sample_article_text)["herzog"]
    clusterer = StoryClusterer()
    clusterer.assign("old", herzog.title, herzog.text, BASE_TIME)
    clusterer.assign("empty", "", "", BASE_TIME)
    assert clusterer.forget_before(BASE_TIME + timedelta(hours=1)) == 2
    assert len(clusterer) == 0
    assert clusterer.assign("new", herzog.title, herzog.text, BASE_TIME) == "new"


def test_forget_before_drops_exactly_the_older_articles_whatever_their_order(
    sample_article_text: str,
) -> None:
    herzog = _split_sample(sample_article_text)["herzog"]
    clusterer = StoryClusterer()
    hours = [5, 1, 9, 3, 7, 1]  # feeds deliver articles out of publication order
    for n, hour in enumerate(hours):
        clusterer.assign(f"k{n}", herzog.title, herzog.text, BASE_TIME + timedelta(hours=hour))
    assert clusterer.forget_before(BASE_TIME + timedelta(hours=4)) == 3
    assert clusterer.forget_before(BASE_TIME + timedelta(hours=4)) == 0
    assert len(clusterer) == 3
    late = clusterer.assign("late", herzog.title, herzog.text, BASE_TIME + timedelta(hours=8))
    assert late == "k0", "the copies kept still carry the story of the first article"


def test_articles_without_words_are_stories_of_their_own() -> None:
    clusterer = StoryClusterer()
    assert clusterer.assign("x", "", "", BASE_TIME) == "x"
    assert clusterer.assign("y", "…", "", BASE_TIME) == "y"


@pytest.mark.parametrize("threshold", [0.15, 0.25, 0.5])
def test_the_band_index_finds_what_minhash_lsh_finds(pairs: list[Pair], threshold: float) -> None:
    """The clusterer's own LSH index stands in for datasketch's: same candidates, always."""
    signer = StoryClusterer()
    signatures = {
        f"{i}{side}": signer._signature(story.title, story.text)
        for i, pair in enumerate(pairs)
        for side, story in (("a", pair.a), ("b", pair.b))
    }
    lsh = MinHashLSH(threshold=threshold, num_perm=DEFAULT_NUM_PERM)
    index = _BandIndex(threshold, DEFAULT_NUM_PERM)
    inserted: list[str] = []
    found_any = False
    for key, signature in signatures.items():
        found = index.add(key, signature)
        assert sorted(found) == sorted(lsh.query(signature)), key
        found_any = found_any or bool(found)
        lsh.insert(key, signature)
        inserted.append(key)
        if len(inserted) > 10:  # a sliding window, as forget_before keeps
            gone = inserted.pop(0)
            lsh.remove(gone)
            index.remove(gone, signatures[gone])
    assert found_any


@given(st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=127))))
@example("Straße  İstanbul\tﬁnal ½ A\u00a0B")
@example("  Two\n\nLines, UPPER case  ")
def test_folded_words_are_the_words_of_the_folded_text(text: str) -> None:
    assert stories._folded_words(text) == stories._WORDS.findall(fold(text))


_LONG_TEXT = st.lists(
    st.text(st.sampled_from("aé ½™\u00a0\u0301\n-ßİ한"), max_size=14), max_size=140
).map(" ".join)
"""Texts on both sides of the lead's length, with characters that fold to several or none."""


@given(_LONG_TEXT)
@example("word " * 130)
@example(("x" * 50 + " ") * 13)  # too few words before the cut: the whole text is folded
def test_lead_words_are_the_first_words_of_the_folded_text(text: str) -> None:
    assert stories._lead_words(text) == stories._WORDS.findall(fold(text))[: stories.LEAD_WORDS]


@given(st.lists(st.text(alphabet="ab", min_size=1), max_size=6))
def test_runs_are_every_window_of_shingle_words(words: list[str]) -> None:
    n = stories.SHINGLE_WORDS
    plain = {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))} - {""}
    assert stories._runs(words) == plain
