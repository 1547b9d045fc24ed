"""Issue 23: the same event in other words, and one outlet's updates, through the clusterer.

The labelled pairs (``tests/ingest/test_story_pairs.py``) score the decisions over the whole
written set; here the mechanics a pair cannot show: update markers and revision links of one
feed, the time between two retellings, and the window's word counts, which the clusterer must
give back as it forgets.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from bot.ingest.rarity import WordRarity
from bot.ingest.rewrites import REWRITE_HOURS, has_update_marker, revision_base
from bot.ingest.stories import StoryClusterer
from tests.support.story_pairs import (
    BASE_TIME,
    Story,
    assign,
    labelled_articles,
    labelled_clusterer,
    window_rarity,
)


@pytest.fixture(scope="module")
def articles() -> dict[str, Story]:
    return labelled_articles()


@pytest.mark.parametrize(
    "title",
    [
        "UPDATE 1-Ashby derailment: 23 injured",
        "UPDATE 2 - Ashby derailment",
        "CORRECTED-Central bank lifts key rate",
        "REFILE-Central bank lifts key rate",
        "Developing: floods in Lindmark",
        "Live: central bank decision",
        "ОБНОВЛЕНО: число пострадавших выросло",
        "Оновлено: після вибуху постраждали троє",
        "Aktualisiert: Stellwerk repariert",
        "Liveticker: Bahnchaos in Hamburg",
        "Actualización: los colegios cierran",
        "Última hora: daños en Santa Fe",
        "עדכון: ארבעה פצועים",
        "تحديث: إخماد الحريق",
        "YENİLƏNİB: yanğın söndürülüb",
    ],
)
def test_update_markers_in_the_bots_languages(title: str) -> None:
    assert has_update_marker(title)


@pytest.mark.parametrize(
    "title",
    [
        "Updated timetable for trains to Lindmark",
        "Live music returns to Port Calder",
        "Срочно: водитель задержан",
        "Eilmeldung: Stellwerk gestört",
        "Central bank update expected on Thursday",
    ],
)
def test_titles_that_only_mention_an_update_carry_no_marker(title: str) -> None:
    assert not has_update_marker(title)


@pytest.mark.parametrize(
    ("link", "base"),
    [
        ("https://wire.example/news/gas-leak-update-2", "https://wire.example/news/gas-leak"),
        ("https://wire.example/news/gas-leak-v3", "https://wire.example/news/gas-leak"),
        ("https://wire.example/news/gas-leak?rev=3", "https://wire.example/news/gas-leak"),
        ("https://wire.example/news?id=7&update=2", "https://wire.example/news?id=7"),
        ("https://wire.example/news/gas-leak", None),
        ("https://wire.example/news/kyiv", None),
    ],
)
def test_a_revision_link_names_the_item_it_revises(link: str, base: str | None) -> None:
    assert revision_base(link) == base


def test_an_outlets_update_with_new_figures_joins_its_first_report(
    articles: dict[str, Story],
) -> None:
    clusterer = StoryClusterer()
    assign(clusterer, "flash", articles["train-flash"], BASE_TIME)
    update = articles["train-up1"]
    assert assign(clusterer, "up1", update, BASE_TIME + timedelta(minutes=40)) == "flash"


def test_the_same_report_without_its_marker_is_another_story_of_that_feed(
    articles: dict[str, Story],
) -> None:
    """One feed's second item on a subject, with new facts and no marker, is news of its own."""
    unmarked = articles["train-up1"]
    unmarked = Story(unmarked.title.removeprefix("UPDATE 1-"), unmarked.text, unmarked.feed)
    clusterer = StoryClusterer()
    assign(clusterer, "flash", articles["train-flash"], BASE_TIME)
    assert assign(clusterer, "later", unmarked, BASE_TIME + timedelta(minutes=40)) == "later"


def test_an_update_about_another_place_does_not_join(articles: dict[str, Story]) -> None:
    """The feed's update names a street its earlier fire report never does."""
    flats = articles["fire-flats"]
    update = Story(f"UPDATE 1-{flats.title}", flats.text, articles["fire-warehouse"].feed)
    clusterer = StoryClusterer()
    assign(clusterer, "warehouse", articles["fire-warehouse"], BASE_TIME)
    assert assign(clusterer, "update", update, BASE_TIME + timedelta(hours=3)) == "update"


def test_a_revised_link_of_the_same_feed_is_the_same_story(articles: dict[str, Story]) -> None:
    first = articles["ru-dtp"]
    revised = Story("Водитель грузовика задержан", "Полиция задержала водителя.", first.feed)
    clusterer = StoryClusterer()
    assign(clusterer, "first", first, BASE_TIME)
    later = clusterer.assign(
        "revised",
        revised.title,
        revised.text,
        BASE_TIME + timedelta(hours=1),
        feed=first.feed,
        link=f"{first.link}-update-2",
    )
    assert later == "first"


def test_a_retelling_a_day_later_is_news_of_its_own(articles: dict[str, Story]) -> None:
    """The same retelling that joins its story hours later starts its own a day later."""
    decided = {}
    for apart in (timedelta(hours=1), REWRITE_HOURS + timedelta(hours=1)):
        clusterer = labelled_clusterer()()
        assign(clusterer, "a", articles["fire-flats"], BASE_TIME)
        decided[apart] = assign(clusterer, "b", articles["fire-flats-b"], BASE_TIME + apart)
    assert list(decided.values()) == ["a", "b"]


def test_the_window_forgets_the_words_of_the_articles_it_forgets(
    articles: dict[str, Story],
) -> None:
    rarity = WordRarity()
    clusterer = StoryClusterer(rarity=rarity)
    for i, story in enumerate(articles.values()):
        assign(clusterer, str(i), story, BASE_TIME + timedelta(minutes=i))
    full = window_rarity(articles.values())
    terms = np.arange(1 << 16, dtype=np.uint32)
    assert rarity.documents == full.documents == len(articles)
    assert clusterer.forget_before(BASE_TIME + timedelta(days=30)) == len(articles)
    assert rarity.documents == 0
    assert (rarity.weights(terms) == WordRarity().weights(terms)).all()


def test_a_word_every_article_has_weighs_least_and_is_common() -> None:
    rarity = WordRarity()
    every, once = np.uint32(7), np.uint32(8)
    for n in range(300):
        rarity.add(np.array([every] + ([once] if n == 0 else []), dtype=np.uint32))
    weights = rarity.weights(np.array([every, once], dtype=np.uint32))
    assert weights[0] < weights[1]
    assert rarity.common(np.array([every, once], dtype=np.uint32)).tolist() == [True, False]
