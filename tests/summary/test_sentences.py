"""Sentence splitting: each hazard of news text, and properties over arbitrary text."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.summary import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Mr. Aliyev met Mrs. Herzog. They spoke for an hour.",
            ["Mr. Aliyev met Mrs. Herzog.", "They spoke for an hour."],
            id="Mr.",
        ),
        pytest.param(
            "Dr. Levi treated him. He recovered.",
            ["Dr. Levi treated him.", "He recovered."],
            id="Dr.",
        ),
        pytest.param(
            "The U.S. Navy sent a ship. It arrived at dawn.",
            ["The U.S. Navy sent a ship.", "It arrived at dawn."],
            id="U.S. inside",
        ),
        pytest.param(
            "Talks were held in the U.S. The next round is in Baku.",
            ["Talks were held in the U.S.", "The next round is in Baku."],
            id="U.S. at the end",
        ),
        pytest.param(
            "The vote is on Jan. 5 in Paris. Results follow.",
            ["The vote is on Jan. 5 in Paris.", "Results follow."],
            id="Jan.",
        ),
        pytest.param(
            "J. R. R. Tolkien wrote it in Oxford. It sold well.",
            ["J. R. R. Tolkien wrote it in Oxford.", "It sold well."],
            id="initials",
        ),
        pytest.param(
            "Growth reached 3.5 percent. Prices rose 0.2 points.",
            ["Growth reached 3.5 percent.", "Prices rose 0.2 points."],
            id="decimals",
        ),
        pytest.param(
            'He said: "We will go." Then he left. "Why?" she asked.',
            ['He said: "We will go."', "Then he left.", '"Why?" she asked.'],
            id="straight quotes",
        ),
        pytest.param(
            "“It is over,” he said. “We won!” The crowd cheered.",
            ["“It is over,” he said.", "“We won!”", "The crowd cheered."],
            id="curly quotes",
        ),
        pytest.param(
            "He paused... and went on. Then silence... Nobody spoke.",
            ["He paused... and went on.", "Then silence...", "Nobody spoke."],
            id="three dots",
        ),
        pytest.param(
            "It ended… or did it? Later… Rain came.",
            ["It ended… or did it?", "Later…", "Rain came."],
            id="ellipsis character",
        ),
        pytest.param(
            "Президент прибыл в Баку. Переговоры начнутся завтра.",
            ["Президент прибыл в Баку.", "Переговоры начнутся завтра."],
            id="Cyrillic",
        ),
        pytest.param(
            "Ο πρόεδρος έφτασε. Πότε θα μιλήσει; Αύριο.",
            ["Ο πρόεδρος έφτασε.", "Πότε θα μιλήσει;", "Αύριο."],
            id="Greek with its question mark",
        ),
        pytest.param(
            "הנשיא הגיע לבאקו. הביקור יימשך יומיים.",
            ["הנשיא הגיע לבאקו.", "הביקור יימשך יומיים."],
            id="Hebrew",
        ),
        pytest.param(
            "总统抵达巴库。访问将持续两天。双方会签署协议！",
            ["总统抵达巴库。", "访问将持续两天。", "双方会签署协议！"],
            id="Chinese full stop",
        ),
        pytest.param(
            "Headline without a stop\nFirst paragraph. Second sentence.",
            ["Headline without a stop", "First paragraph.", "Second sentence."],
            id="line breaks",
        ),
    ],
)
def test_splits_news_text_at_real_sentence_ends(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_spans_point_at_the_sentences_in_the_original_text() -> None:
    text = "  First one.  Second one!\n\nThird?"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["First one.", "Second one!", "Third?"]


news_text = st.text(
    alphabet=st.sampled_from(list("abcXYZ .!?…。\"'“”()\n\t0123456789Mr.U.S.ДЖж;αΩ")),
    max_size=300,
)


@given(st.text(max_size=400))
def test_never_raises_and_never_loses_a_character(text: str) -> None:
    def visible(s: str) -> str:
        return "".join(s.split())

    assert visible("".join(split_sentences(text))) == visible(text)


@given(news_text)
def test_sentences_are_trimmed_ordered_and_non_overlapping(text: str) -> None:
    spans = sentence_spans(text)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start
    for start, end in spans:
        piece = text[start:end]
        assert piece and piece == piece.strip()
