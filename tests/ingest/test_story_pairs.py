"""The written labelled set (``tests/data/stories/pairs.json`` and ``rewrites.json``) through
the clusterer.

Precision must be 1.00: an article merged into another story is an alert the chat never gets.
Recall is what is left after that, over all same-event pairs and over those whose headlines
share no word beyond names (issue 23); the floors are those the issue asks for, a little
under the figures measured when the thresholds were chosen (docs/benchmarks.md), so that a
change that loses copies or retellings shows. Each pair starts from a window that has seen the
whole written set, which is how the clusterer learns which words are rare.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.ingest.stories import StoryClusterer
from tests.support.story_pairs import (
    BASE_TIME,
    Pair,
    Story,
    assign,
    different_headlines,
    labelled_articles,
    labelled_clusterer,
    labelled_pairs,
    merge_decisions,
    precision_recall,
)

RECALL_FLOOR = 0.80
DIFFERENT_HEADLINES_RECALL_FLOOR = 0.70
HARD_NEGATIVE_KINDS = {
    "issue-case",
    "shared-background",
    "template",
    "same-entities",
    "follow-up",
    "same-feed",
    "teaser",
}
POSITIVE_KINDS = {
    "retitled",
    "reworded-lead",
    "dateline",
    "trimmed",
    "reordered",
    "syndicated",
    "repost",
    "teaser-copy",
    "same-link",
    "new-headline",
    "angle",
    "recast",
    "edited",
    "update",
}
RETELLING_KINDS = {"new-headline", "angle", "recast", "edited", "update"}
"""Issue 23's kinds: another outlet's own words, and one outlet's updates."""
ISSUE_STORIES = ("trade-office", "direct-flights", "water-pact", "university-degree")


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    return labelled_pairs()


@pytest.fixture(scope="module")
def decisions(pairs: list[Pair]) -> list[tuple[Pair, bool]]:
    return merge_decisions(pairs, labelled_clusterer())


def _sentences(story: Story) -> int:
    return sum(story.text.count(end) for end in (". ", ".\n")) + 1


def _script(story: Story) -> str:
    if any("\u0590" <= char <= "\u05ff" for char in story.text):
        return "he"
    if any("\u0600" <= char <= "\u06ff" for char in story.text):
        return "ar"
    if any(char in "іїєґ" for char in story.text):
        return "uk"
    if any("\u0400" <= char <= "\u04ff" for char in story.text):
        return "ru"
    if any(char in "əğı" for char in story.text):
        return "az"
    if any(char in "äöüß" for char in story.text):
        return "de"
    if any(char in "ñáéíóú¿¡" for char in story.text):
        return "es"
    return "en"


def test_the_set_is_large_and_hard(pairs: list[Pair]) -> None:
    kinds = Counter((pair.kind, pair.same) for pair in pairs)
    assert len(pairs) >= 150
    assert sum(n for (kind, same), n in kinds.items() if same and kind in POSITIVE_KINDS) >= 50
    hard = sum(n for (kind, same), n in kinds.items() if not same and kind in HARD_NEGATIVE_KINDS)
    assert hard >= 60
    assert {kind for kind, same in kinds if not same} == HARD_NEGATIVE_KINDS
    assert {kind for kind, same in kinds if same} == POSITIVE_KINDS
    same_feed = [pair for pair in pairs if pair.a.feed == pair.b.feed]
    assert sum(not pair.same for pair in same_feed) >= 30
    assert any(pair.same for pair in same_feed)
    teasers = [p for p in pairs if max(_sentences(p.a), _sentences(p.b)) <= 2 and not p.same]
    assert len(teasers) >= 15


def test_the_set_has_pairs_in_five_languages(pairs: list[Pair]) -> None:
    languages = Counter((_script(pair.a), pair.same) for pair in pairs)
    for language in ("ru", "he", "de", "az"):
        assert languages[(language, True)] >= 3, language
        assert languages[(language, False)] >= 3, language


def test_issue_23s_pairs_are_many_hard_and_in_eight_languages(pairs: list[Pair]) -> None:
    """At least 80 new same-event pairs of the issue's kinds, half with headlines that share
    no word beyond names, and 40 new distinct events sharing names, places and figures."""
    retold = [pair for pair in pairs if pair.same and pair.kind in RETELLING_KINDS]
    assert len(retold) >= 80
    assert sum(different_headlines(pair) for pair in retold) >= len(retold) / 2
    assert {pair.kind for pair in retold} == RETELLING_KINDS
    new_distinct = [pair for pair in pairs if not pair.same and pair.source == "rewrites"]
    assert len(new_distinct) >= 40
    languages = Counter(_script(pair.a) for pair in retold)
    assert all(languages[language] >= 10 for language in ("en", "ru", "de", "es")), languages
    assert all(languages[language] >= 2 for language in ("he", "ar", "az", "uk")), languages


def test_no_false_merge_and_recall_above_the_floors(
    decisions: list[tuple[Pair, bool]],
) -> None:
    precision, recall, false_merges = precision_recall(decisions)
    missed = [pair.note for pair, merged in decisions if pair.same and not merged]
    print(f"\nwritten pairs: precision {precision:.2f}, recall {recall:.2f}; missed: {missed}")
    assert [pair.note for pair, merged in decisions if merged and not pair.same] == []
    assert false_merges == 0 and precision == 1.0
    assert recall >= RECALL_FLOOR
    retitled = [(pair, merged) for pair, merged in decisions if different_headlines(pair)]
    assert sum(merged for pair, merged in retitled if pair.same) >= (
        DIFFERENT_HEADLINES_RECALL_FLOOR * sum(pair.same for pair, _ in retitled)
    )


@pytest.mark.parametrize("suffix", ["", "-bare"], ids=["shared sentence", "without it"])
def test_four_short_stories_of_one_feed_stay_four(suffix: str) -> None:
    """Issue 9: one feed, four distinct agreements from one meeting, in one clusterer."""
    articles = labelled_articles()
    clusterer = StoryClusterer()
    stories = [
        assign(clusterer, name, articles[name + suffix], BASE_TIME) for name in ISSUE_STORIES
    ]
    assert stories == list(ISSUE_STORIES)


def test_a_copy_from_another_feed_joins_its_own_story_only() -> None:
    articles = labelled_articles()
    clusterer = StoryClusterer()
    for name in ISSUE_STORIES:
        assign(clusterer, name, articles[name], BASE_TIME)
    assert assign(clusterer, "copy", articles["trade-office-herald"], BASE_TIME) == "trade-office"
    ledger = articles["direct-flights-ledger"]
    assert assign(clusterer, "ledger", ledger, BASE_TIME) == "direct-flights"
