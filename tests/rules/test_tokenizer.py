"""The fast tokenizer and Document against the straightforward reference they replaced.

The reference below is the original implementation, kept here only: one regular expression
whose word class lists every range of letters, digits and marks (slow, because ``re`` searches
such a class range by range), and a fold without caches or shortcuts.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import rules
from rules import folding

# --- reference -----------------------------------------------------------------------------


def _char_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)


def _reference_word_ranges() -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for cp in range(0x20000):
        if unicodedata.category(chr(cp))[0] not in "LMN" or any(
            lo <= cp <= hi for lo, hi in folding._CJK_RANGES
        ):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


_REF_WORD = _char_class(_reference_word_ranges())
_REF_TOKEN_RE = re.compile(
    rf"(?P<w>[{_char_class(list(folding._CJK_RANGES))}]|[{_REF_WORD}]+)"
    rf"(?:['’ʼ][sS](?![{_REF_WORD}]))?"
)
_REF_ACCENT_RE = re.compile(f"[{_char_class(list(folding._ACCENT_RANGES))}]+")


def reference_fold(word: str) -> str:
    decomposed = _REF_ACCENT_RE.sub("", unicodedata.normalize("NFKD", word))
    folded = decomposed.casefold().translate(folding._LETTER_TABLE)
    return unicodedata.normalize("NFC", folded)


def reference_tokens(text: str) -> list[tuple[str, int, int]]:
    tokens = []
    for match in _REF_TOKEN_RE.finditer(text):
        word = reference_fold(match.group("w"))
        if word:
            tokens.append((word, match.start("w"), match.end("w")))
    return tokens


# --- generated text ------------------------------------------------------------------------

# Characters that matter to the tokenizer: apostrophes and s, separators, CJK, combining
# accents, the letters of the explicit table, tatweel, letters above U+FFFF (mathematical
# bold, Gothic), emoji, digits, and anything else.
_SPECIAL = [
    *"'’ʼsS -.,\n_",
    *"北京ひカ",
    "\U00020001",
    "\u0301",
    "\u0308",
    *"əıøđðłħŧŀæœþـ",
    "\U0001d400",
    "\U00010330",
    "\U0001f600",
    *"½²IİßẞΣςσﬁ",
]
characters = st.one_of(
    st.sampled_from(_SPECIAL), st.characters(), st.characters(max_codepoint=0x7F)
)
texts = st.one_of(
    st.text(characters, max_size=40),
    st.lists(
        st.sampled_from(["Israel", "Israel's", "Élysée", "Москва", "שָׁלוֹם", "北京", "COVID-19"])
        | st.text(characters, max_size=4),
        max_size=8,
    ).map(" ".join),
)


@given(texts)
def test_tokenize_equals_the_reference(text: str) -> None:
    assert [tuple(token) for token in folding.tokenize(text)] == reference_tokens(text)


@given(texts)
def test_document_fields_equal_the_reference(text: str) -> None:
    doc = rules.Document(title=text, text=text + " " + text, source=text)
    for tokens in doc.fields.values():
        reference = reference_tokens(tokens.text)
        assert tokens.words == [word for word, _, _ in reference]
        assert tokens.spans == [(start, end) for _, start, end in reference]
        assert tokens.word_set == {word for word, _, _ in reference}
        for word, positions in tokens.positions.items():
            assert [tokens.words[p] for p in positions] == [word] * len(positions)
        assert sorted(p for ps in tokens.positions.values() for p in ps) == list(
            range(len(tokens.words))
        )


@example("Bakı şəhərində Łódź, Æsir — «Ørsted» ـ")  # letters of the table among others
@example("Ɵ Ə ǝ İstanbul")  # capitals that case-fold into the table's letters
@example("Переговоры в Баку — «итоги»")  # not ASCII, and none of the table's letters
@given(texts)
def test_whole_texts_and_word_lists_fold_as_their_words(text: str) -> None:
    assert rules.fold_text(text) == reference_fold(text)
    folded = [word for word, _, _ in reference_tokens(text)]
    assert rules.folded_words(text) == folded
    assert [rules.fold(word) for word in rules.raw_words(text) if rules.fold(word)] == folded


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Azərbaycan", "azerbaycan"),
        ("Łódź", "lodz"),
        ("Ø", "o"),
        ("Straße", "strasse"),
        ("नमस्ते", "नमस्ते"),  # the virama is spelling, not an accent: kept
    ],
)
def test_folding_the_letters_unicode_does_not_decompose(written: str, folded: str) -> None:
    assert rules.fold(written) == rules.fold_text(written) == folded


# Planes 0 and 1 whole (where the word class lies), the edges of the CJK planes 2-3, and a
# little of the planes above.
_CODE_POINTS = [
    *range(0x20000),
    *range(0x20000, 0x20200),
    *range(0x3FE00, 0x40200),
    *range(0xE0000, 0xE0200),
    *range(0x10FE00, 0x110000),
]


@pytest.mark.parametrize("context", ["a{}b", "{}{}", "北{}", "\U0001d400{}x's"])
def test_every_character_tokenizes_as_in_the_reference(context: str) -> None:
    """Each code point in a few contexts, in chunks (one call per chunk)."""
    step = 512
    for i in range(0, len(_CODE_POINTS), step):
        chunk = " ".join(
            context.format(chr(cp), chr(cp))
            for cp in _CODE_POINTS[i : i + step]
            if not 0xD800 <= cp <= 0xDFFF
        )
        assert [tuple(token) for token in folding.tokenize(chunk)] == reference_tokens(chunk)


def test_every_character_outside_words_keeps_the_ascii_shortcut_exact() -> None:
    """Text whose only non-ASCII characters are outside words is folded by lower-casing it
    whole: no such character may lower-case into a word character or join two words."""
    outside = [
        chr(cp)
        for cp in _CODE_POINTS
        if cp >= 0x80 and not 0xD800 <= cp <= 0xDFFF and not reference_tokens(chr(cp))
    ]
    for i in range(0, len(outside), 512):
        text = "".join(f"Ab{c}CD's{c}" for c in outside[i : i + 512])
        words = rules.Document(text=text).fields["text"].words
        assert words == [word for word, _, _ in reference_tokens(text)]


def test_fold_cache_gives_the_same_words_when_full() -> None:
    folding._FOLDED.clear()
    words = [f"Wörd{i}" for i in range(folding._FOLDED_LIMIT + 10)]
    assert folding.fold_all(words) == [f"word{i}" for i in range(len(words))]
    assert len(folding._FOLDED) <= folding._FOLDED_LIMIT
    assert folding.fold_all(words[:3]) == ["word0", "word1", "word2"]


def test_words_that_fold_to_nothing_are_no_tokens() -> None:
    doc = rules.Document(text="ـ Israel ـــ Baku’s")
    tokens = doc.fields["text"]
    assert tokens.words == ["israel", "baku"]
    assert tokens.spans == [(2, 8), (13, 17)]
    assert tokens.positions == {"israel": [0], "baku": [1]}
    hits = rules.compile('"Israel Baku"').explain(doc)
    assert hits == [rules.Hit("Israel Baku", "text", 2, 17)]
