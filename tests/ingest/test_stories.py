"""One alert per story: the clusterer's window, links, feeds, and the corpus pairs.

The written labelled set is scored in ``tests/ingest/test_story_pairs.py``; here the second
set, built from ../shared corpus articles (``tests/support/story_pairs.py``), and the mechanics: the
time window, forgetting, links, which feed an article came from.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from bot.ingest.copies import profile
from bot.ingest.stories import (
    _LSH_WEIGHTS,
    DEFAULT_NUM_PERM,
    SEAL_EVERY,
    SIGNATURE_HASH,
    SIGNATURE_SCHEME,
    StoryClusterer,
    _BandIndex,
)
from tests.support.story_pairs import (
    BASE_TIME,
    COPY_DELAY,
    Pair,
    Story,
    assign,
    corpus_pairs,
    merge_decisions,
    precision_recall,
    sample_stories,
)


@pytest.fixture(scope="module")
def pairs(corpus_dir: Path, sample_article_text: str) -> list[Pair]:
    return corpus_pairs(corpus_dir, sample_article_text)


@pytest.fixture(scope="module")
def herzog(sample_article_text: str) -> Story:
    return sample_stories(sample_article_text)["herzog"]


def copy_of(story: Story, feed: str, title: str | None = None, link: str | None = None) -> Story:
    return Story(title or story.title, story.text, feed=feed, link=link)


def test_the_corpus_set_is_large_enough(pairs: list[Pair]) -> None:
    assert len(pairs) >= 40
    assert sum(pair.same for pair in pairs) >= 15
    assert sum(not pair.same for pair in pairs) >= 15


def test_no_false_merges_on_the_corpus_set(pairs: list[Pair]) -> None:
    decisions = merge_decisions(pairs, StoryClusterer)
    precision, recall, false_merges = precision_recall(decisions)
    missed = [pair.note for pair, merged in decisions if pair.same and not merged]
    print(f"\ncorpus pairs: precision {precision:.2f}, recall {recall:.2f}; missed: {missed}")
    assert false_merges == 0, [p.note for p, merged in decisions if merged and not p.same]
    assert recall >= 0.8


def test_syndicated_and_retitled_copies_are_one_story(pairs: list[Pair]) -> None:
    copies = [p for p in pairs if p.same and p.note.endswith(("copy", "edits", "trimmed end"))]
    assert len(copies) >= 15
    decisions = merge_decisions(copies, StoryClusterer)
    assert [pair.b.title for pair, merged in decisions if not merged] == []


def test_herzog_and_cohen_visits_stay_separate(sample_article_text: str) -> None:
    stories = sample_stories(sample_article_text)
    clusterer = StoryClusterer()
    herzog = assign(clusterer, "herzog", stories["herzog"], BASE_TIME)
    cohen = assign(clusterer, "cohen", stories["cohen"], BASE_TIME)
    assert (herzog, cohen) == ("herzog", "cohen")


def test_every_copy_joins_the_story_of_the_first_article(herzog: Story) -> None:
    clusterer = StoryClusterer()
    delay = COPY_DELAY
    keys = ["site-a/1", "site-b/7", "site-c/3"]
    titles = [herzog.title, "Herzog heads to Baku", "Israeli president visits Azerbaijan"]
    stories = [
        assign(clusterer, key, copy_of(herzog, key.split("/")[0], title), BASE_TIME + i * delay)
        for i, (key, title) in enumerate(zip(keys, titles, strict=True))
    ]
    assert stories == ["site-a/1"] * 3
    assert clusterer.assign("site-b/7", "anything", "", BASE_TIME, feed="site-b") == "site-a/1"


def test_a_copy_outside_the_window_starts_a_new_story(herzog: Story) -> None:
    clusterer = StoryClusterer(window=timedelta(hours=48))
    assign(clusterer, "first", copy_of(herzog, "a"), BASE_TIME)
    late = BASE_TIME + timedelta(hours=49)
    assert assign(clusterer, "late", copy_of(herzog, "b"), late) == "late"


def test_forgotten_articles_no_longer_gather_copies(herzog: Story) -> None:
    clusterer = StoryClusterer()
    link = "https://www.jpost.com/israel-news/herzog-baku"
    assign(clusterer, "old", copy_of(herzog, "a", link=link), BASE_TIME)
    clusterer.assign("empty", "", "", BASE_TIME, feed="a")
    assert clusterer.forget_before(BASE_TIME + timedelta(hours=1)) == 2
    assert len(clusterer) == 0
    assert assign(clusterer, "new", copy_of(herzog, "b", link=link), BASE_TIME) == "new"


def test_forget_before_drops_exactly_the_older_articles_whatever_their_order(
    herzog: Story,
) -> None:
    clusterer = StoryClusterer()
    hours = [5, 1, 9, 3, 7, 1]  # feeds deliver articles out of publication order
    for n, hour in enumerate(hours):
        assign(clusterer, f"k{n}", copy_of(herzog, f"feed{n}"), BASE_TIME + timedelta(hours=hour))
    assert clusterer.forget_before(BASE_TIME + timedelta(hours=4)) == 3
    assert clusterer.forget_before(BASE_TIME + timedelta(hours=4)) == 0
    assert len(clusterer) == 3
    late = assign(clusterer, "late", copy_of(herzog, "feed9"), BASE_TIME + timedelta(hours=8))
    assert late == "k0", "the copies kept still carry the story of the first article"


def test_articles_without_words_are_stories_of_their_own() -> None:
    clusterer = StoryClusterer()
    assert clusterer.assign("x", "", "", BASE_TIME, feed="a") == "x"
    assert clusterer.assign("y", "…", "", BASE_TIME, feed="b") == "y"


def test_the_same_link_is_the_same_article_whatever_the_text() -> None:
    clusterer = StoryClusterer()
    link = "https://news.example.org/2024/05/storm"
    first = Story("Storm floods the coast", "Heavy rain flooded the coast road.", "wire", link)
    digest = Story("Weather", "See the pictures.", "digest", link)
    empty = Story("", "", "wire", link)
    assert assign(clusterer, "a", first, BASE_TIME) == "a"
    assert assign(clusterer, "b", digest, BASE_TIME) == "a"
    assert assign(clusterer, "c", empty, BASE_TIME) == "a"


@pytest.mark.parametrize(
    "home", ["https://news.example.org/", "https://news.example.org", "https://x.org/?"]
)
def test_a_home_page_link_names_no_article(home: str) -> None:
    clusterer = StoryClusterer()
    first = Story("Storm floods the coast", "Heavy rain flooded the coast road.", "a", home)
    other = Story("Minister resigns", "The finance minister resigned on Monday.", "a", home)
    assign(clusterer, "a", first, BASE_TIME)
    assert assign(clusterer, "b", other, BASE_TIME) == "b"


def test_one_feed_repeats_a_story_only_by_re_posting_the_same_article(herzog: Story) -> None:
    clusterer = StoryClusterer()
    assign(clusterer, "a", copy_of(herzog, "jpost", link="https://jpost.example/1"), BASE_TIME)
    repost = copy_of(herzog, "jpost", link="https://jpost.example/1-updated")
    retitled = copy_of(herzog, "jpost", "Herzog heads to Baku", "https://jpost.example/2")
    assert assign(clusterer, "b", repost, BASE_TIME + COPY_DELAY) == "a"
    assert assign(clusterer, "c", retitled, BASE_TIME + COPY_DELAY) == "c"


def test_a_story_takes_no_second_article_from_one_feed(herzog: Story) -> None:
    """Through another feed's copy, a feed's second article must not join its first's story."""
    clusterer = StoryClusterer()
    wire = copy_of(herzog, "wire", link="https://wire.example/herzog")
    assign(clusterer, "wire", wire, BASE_TIME)
    assign(clusterer, "site", copy_of(herzog, "site", "Herzog heads to Baku"), BASE_TIME)
    # The wire's own second take: too different to be a re-post, so a different article.
    second = copy_of(herzog, "wire", "Herzog lands in Baku", "https://wire.example/herzog-2")
    assert assign(clusterer, "wire-2", second, BASE_TIME + COPY_DELAY) == "wire-2"


def test_a_higher_threshold_merges_less(herzog: Story) -> None:
    first_lines = "\n".join(herzog.text.split("\n")[:-1])  # the last paragraph trimmed
    trimmed = Story("Herzog to visit Baku", first_lines, "site", "https://site.example/1")
    merged = {}
    for threshold in (0.25, 0.95):
        clusterer = StoryClusterer(threshold=threshold)
        assign(clusterer, "a", copy_of(herzog, "wire"), BASE_TIME)
        merged[threshold] = assign(clusterer, "b", trimmed, BASE_TIME) == "a"
    assert merged == {0.25: True, 0.95: False}


@pytest.mark.parametrize("seal_every", [SEAL_EVERY, 3])
@pytest.mark.parametrize("threshold", [0.15, 0.25, 0.5])
def test_the_band_index_finds_what_minhash_lsh_finds(
    pairs: list[Pair], threshold: float, seal_every: int
) -> None:
    """The clusterer's own LSH index stands in for datasketch's: same candidates, always,
    whether they are in its dicts or sealed into its sorted arrays (every 3 articles here)."""
    signer = StoryClusterer()
    signatures = {}
    for i, pair in enumerate(pairs):
        for side, story in (("a", pair.a), ("b", pair.b)):
            parts = profile(story.title, story.text)
            if parts is not None:
                signatures[f"{i}{side}"] = signer._signature(parts)
    template = MinHash(num_perm=DEFAULT_NUM_PERM)
    lsh = MinHashLSH(threshold=threshold, num_perm=DEFAULT_NUM_PERM, weights=_LSH_WEIGHTS)
    index = _BandIndex(threshold, DEFAULT_NUM_PERM, seal_every=seal_every)
    inserted: list[str] = []
    found_any = False
    for key, values in signatures.items():
        found = index.add(key, values)
        signature = MinHash(hashvalues=values, scheme=template.scheme)
        assert sorted(found) == sorted(lsh.query(signature)), key
        found_any = found_any or bool(found)
        lsh.insert(key, signature)
        inserted.append(key)
        if len(inserted) > 10:  # a sliding window, as forget_before keeps
            gone = inserted.pop(0)
            lsh.remove(gone)
            index.remove(gone)
    assert found_any


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=40))
def test_signature_is_datasketchs_minhash_of_any_word_pairs(words: list[str]) -> None:
    parts = profile(" ".join(words), "")
    if parts is None:
        return
    plain = MinHash(num_perm=DEFAULT_NUM_PERM, hashfunc=SIGNATURE_HASH, scheme=SIGNATURE_SCHEME)
    plain.update_batch([s.encode() for s in parts.words])
    assert StoryClusterer()._signature(parts).tolist() == plain.hashvalues.tolist()


def test_signature_is_a_plain_minhash_of_the_title_and_lead_word_pairs() -> None:
    clusterer = StoryClusterer()
    parts = profile("Storm hits coast", "A storm hit the coast on Monday, officials said.")
    assert parts is not None
    plain = MinHash(num_perm=DEFAULT_NUM_PERM, hashfunc=SIGNATURE_HASH, scheme=SIGNATURE_SCHEME)
    plain.update_batch([s.encode() for s in parts.words])
    assert clusterer._signature(parts).tolist() == plain.hashvalues.tolist()
    other = profile("Another storm", "Hail hit the hills.")
    assert other is not None
    clusterer._signature(other)  # the signer is reused
    assert clusterer._signature(parts).tolist() == plain.hashvalues.tolist()
