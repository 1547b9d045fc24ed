"""The fast folding and boilerplate paths give exactly what the plain definitions give."""

from __future__ import annotations

import re
import unicodedata

from datasketch import MinHash
from hypothesis import example, given
from hypothesis import strategies as st

from bot.ingest import copies, stories
from bot.summary import boilerplate
from bot.summary.folding import fold, fold_with_offsets

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from("ßſKİıﬀ\u0301\u0308 \t\n\u00a0\u2028AaÉé한"),
    )
)


def _reference_fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _reference_fold(text: str) -> str:
    return re.sub(r"\s+", " ", "".join(_reference_fold_char(c) for c in text)).strip()


def _reference_fold_with_offsets(text: str) -> tuple[str, list[int]]:
    folded, offsets = [], []
    for index, char in enumerate(text):
        piece = char if char.isspace() else _reference_fold_char(char)
        folded.append(piece)
        offsets.extend([index] * len(piece))
    return "".join(folded), offsets


@given(_TEXT)
def test_fold_is_the_per_character_folding(text: str) -> None:
    assert fold(text) == _reference_fold(text)


@given(_TEXT)
def test_fold_with_offsets_is_the_per_character_folding(text: str) -> None:
    assert fold_with_offsets(text) == _reference_fold_with_offsets(text)


def test_fold_with_offsets_maps_expanding_and_vanishing_characters() -> None:
    assert fold_with_offsets("Aß\u0301 x") == ("ass x", [0, 1, 1, 3, 4])
    assert fold_with_offsets("abc") == ("abc", [0, 1, 2])


_LINE = st.one_of(
    _TEXT,
    st.lists(
        st.sampled_from(
            [
                "Read more",
                "read MORE »",
                "Continue reading...",
                "read the full ſtory",
                "[…]",
                "[...]",
                " ",
                "(Photo: AP)",
                "(photo credit: GPO)",
                "(Reporting by Jane Roe)",
                "The post X appeared first on Y.",
                "APPEARED FIRST ON",
                "story",
                "2024",
                ")",
                "(",
                "\u00a0",
                "word",
            ]
        ),
        max_size=6,
    ).map("".join),
)


def _reference_strip_inline(line: str) -> str:
    patterns = (
        boilerplate._CREDIT,
        boilerplate._REPORTING_CREDIT,
        boilerplate._WORDPRESS_FOOTER,
        boilerplate._TRAILING_MORE,
    )
    for pattern in patterns:
        line = pattern.sub("", line)
    return line.strip()


@example("Storm hits. Read more")
@example("Text read the full ſtory ")
@example("Continue reading...")
@example("Quake kills 3 […]")
@example("Quake (Photo: AP)")
@example("Talks end (Reporting by Jane Roe)")
@example("The post Quake appeared first on Site.")
@example("Quake. Read more »\xa0")
@example("Storm. READ THE FULL ARTICLE:")
@given(_LINE)
def test_inline_furniture_prefilters_change_nothing(line: str) -> None:
    assert boilerplate._strip_inline(line) == _reference_strip_inline(line)
    expected = boilerplate._TRAILING_CREDIT.search(line) is not None
    assert boilerplate._ends_with_credit(line) == expected


_DATE_ONLY_REFERENCE = re.compile(
    rf"^(?:\d+|{boilerplate._MONTHS_AND_DAYS}|[\s,.:/|+\-–—()])+$", re.IGNORECASE
)


@given(st.text(alphabet=st.sampled_from("0123456789 -,.:/()元aAmMpPjanuesty"), max_size=14))
def test_date_only_lines_are_the_same_as_with_digit_runs(line: str) -> None:
    assert bool(boilerplate._DATE_ONLY.match(line)) == bool(_DATE_ONLY_REFERENCE.match(line))


def test_date_only_does_not_backtrack_on_digit_runs() -> None:
    line = "444991--444999--445000---380元" * 3
    assert boilerplate._DATE_ONLY.match(line) is None  # exponential in the digits with ``\d+``


def test_signature_is_a_plain_minhash_of_the_title_and_lead_word_pairs() -> None:
    clusterer = stories.StoryClusterer()
    parts = copies.profile("Storm hits coast", "A storm hit the coast on Monday, officials said.")
    assert parts is not None
    plain = MinHash(num_perm=stories.DEFAULT_NUM_PERM, hashfunc=stories.SIGNATURE_HASH)
    plain.update_batch([s.encode() for s in parts.words])
    assert clusterer._signature(parts) == plain
