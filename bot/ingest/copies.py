"""Whether a later article is a copy of an earlier one, checked part by part.

Two articles whose title and lead share many word pairs are not necessarily one story.
Distinct events share a lot: a stock background paragraph, a template headline with other
figures ("Markets close higher on …"), the same people and places, the frame of one press
release announcing several agreements. So the part that says what happened, the opening, is
compared on its own beside the title and the lead, and facts that disagree count against a
copy whatever else agrees:

* a copy keeps the opening (wire rewrites, new headlines, datelines, trims, reordered or
  syndicated text): its opening is near-identical, and its lead or its title agrees;
* a longer article may have its opening edited or reworded: then its lead must agree
  closely, or it must keep its headline;
* a short item (one or two sentences) gets no such leeway: with little text, a shared clause
  or background sentence is most of it;
* two items of one feed are one story only when they are the same article re-posted:
  title, opening and lead all near-identical;
* each lead reporting a figure the other article never mentions, or each opening naming
  someone or somewhere the other never does, makes two events: the next day's close, the
  next week's count, the same police bulletin from another city.

The thresholds were chosen on the labelled pairs in ``tests/data/stories/pairs.json``
(docs/benchmarks.md gives precision, recall and the margins). Everything here is built once
per article, so checking a candidate costs a few set intersections. An article retold in
other words is no copy; ``bot.ingest.rewrites`` judges it, on the profile's terms.

The story memory keeps a window of articles (two days of a busy deployment are tens of
thousands), so it keeps each one :func:`pack`-ed: its words as 64-bit ids in one bytes
object, a few hundred bytes where the profile's strings and sets took tens of kilobytes
(docs/benchmarks.md, "Memory"). An unpacked profile compares as its words would: two words
are equal exactly when their ids are (a 64-bit hash; a collision is about as likely as a
cosmic-ray bit flip), and so are their pairs.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Generic, TypeVar

import numpy as np

import rules
from bot.summary.boilerplate import strip_boilerplate

SHINGLE_WORDS = 2
LEAD_WORDS = 60
"""How much of the text counts as the lead; copies diverge further down (edits, trims)."""
OPENING_WORDS = 10
"""The opening is the first sentence, with the next ones while it is shorter than this: a
dateline or a two-word kicker ("Breaking.") is no opening on its own."""
SHORT_SENTENCES = 2
"""An article of at most this many sentences is short and needs the strongest evidence."""
_LEAD_CHARS = 10 * LEAD_WORDS
"""Where to look for the end of the lead: a space this far in is past it in nearly every text."""
_HEAD_CHARS = 5 * _LEAD_CHARS
"""How much of a text is stripped of page furniture before its lead is read: a page runs to
tens of kilobytes, and stripping all of it was half of profiling (docs/benchmarks.md); only
when the furniture leaves less than a lead in it is the whole text stripped."""
_FIGURE_CHARS = 2000
"""How far into a text its figures are collected (a copy's lead figures are near its top)."""
_TERM_BYTES = np.dtype(np.uint32).itemsize
STEM_CHARS = 5
"""A term is a word's first five letters: enough to tell words apart, few enough that most
inflections of a word (Камышин, Камышине; Freibad, Freibads; llamas, llama) are one term."""

_FIGURE = re.compile(r"\d+")
"""A figure is a run of digits: 1,954.2 is 1, 954 and 2, as its words are, whichever
separators its language uses."""
_SENTENCE_END = re.compile(r"[.!?…\n][.!?…\"'”’»)\]]*(?:\s+|(?<=\n))")
"""Full stops (closing quotes or brackets after them) before a space, and line breaks. It
starts with one character class, which ``re`` scans for fastest."""
_DATELINE = re.compile(r"\s*([^\W\d_]{2,})[^\n]{0,60}?\s[-–—]+\s")
"""A wire dateline before the story: "BAKU, May 15 (Caspian Wire) - ", "JERUSALEM — "; taken
only when its first word is in capitals, so an ordinary sentence with a dash is left alone."""
_LEADING_FRAGMENT = re.compile(r"\s*((?:[^\s.]+\s+){0,2}[^\s.]+)\.\s+(?=\S)")
"""Up to three words closing with a full stop before the story: a dateline of its own when it
starts in capitals ("BAKI, 12 iyul."), or the agency after a dateline ("— Kaspiy Vesti.")."""


Word = TypeVar("Word", str, int)
"""What a profile is made of: folded words (and figures), or their ids once unpacked."""


@dataclass(frozen=True, slots=True)
class Profile(Generic[Word]):
    """The parts of an article a copy is recognised by (word pairs of the folded text)."""

    title: frozenset[Word]
    lead: frozenset[Word]
    title_words: tuple[Word, ...]
    lead_words: tuple[Word, ...]
    opening: int
    """How many of the lead's words are its opening."""
    names: frozenset[Word]
    """The names in its opening."""
    figures: frozenset[Word]
    """The figures its title and lead report."""
    all_figures: frozenset[Word]
    """The figures anywhere in its title and text (up to ``_FIGURE_CHARS``)."""
    sentences: int
    """How many sentences its lead has, counting no further than SHORT_SENTENCES + 1."""
    terms: frozenset[int]
    """The ids of the terms (``_term``) of its title and lead: what a retelling keeps."""
    name_terms: frozenset[int]
    """The ids of the terms of ``names``."""

    @property
    def short(self) -> bool:
        return self.sentences <= SHORT_SENTENCES

    @property
    def words(self) -> frozenset[Word]:
        """Title and lead together: what the LSH signature is made of. Made when asked rather
        than kept: a window of profiles holds thousands, and the union is a third of each."""
        return self.title | self.lead


@dataclass(frozen=True, slots=True)
class _Rule:
    """Least similarity of each part (Jaccard of word pairs) for a copy under this rule."""

    title: float = 0.0
    lead: float = 0.0
    opening: float = 0.0
    long_only: bool = False
    """Not for short articles."""

    def holds(self, title: float, lead: float, opening: float, short: bool) -> bool:
        return (
            title >= self.title
            and lead >= self.lead
            and opening >= self.opening
            and not (short and self.long_only)
        )

    def margin(self, title: float, lead: float, opening: float, short: bool) -> float:
        """How far the parts clear this rule (the least of their distances to the thresholds
        it sets): at least 0 when it holds, negative when it misses; -1 when it is not for
        this article."""
        if short and self.long_only:
            return -1.0
        parts = ((title, self.title), (lead, self.lead), (opening, self.opening))
        return min(value - least for value, least in parts if least > 0)


_ACROSS_FEEDS = (
    _Rule(opening=0.9, lead=0.4),
    _Rule(opening=0.9, title=0.5),
    _Rule(opening=0.75, lead=0.4, long_only=True),
    _Rule(opening=0.6, lead=0.6, long_only=True),
    _Rule(title=0.7, lead=0.35, long_only=True),
)
"""Any one rule makes a copy. A copy that keeps its opening scores 1.0 on it once datelines are
set aside. On the labelled set, distinct short stories whose facts do not disagree reach 0.69
on both opening and lead (one-sentence items on one frame), which is as far as lightly edited
short copies reach too (0.59-0.71): those stay apart, precision first. Distinct long stories
reach 0.42 on the opening with a lead of 0.45 (one press release's frame); a long copy may
have its opening edited or reworded if its lead or its headline stays."""
_WITHIN_A_FEED = _Rule(title=0.5, lead=0.8, opening=0.8)
"""A feed re-posting one article under a new id: everything near-identical."""


@dataclass(frozen=True, slots=True)
class Packed:
    """A profile as the story memory keeps it: the ids of its title's and lead's words, in
    order, then of its names, figures and all figures, in one bytes object (pairs and the
    vocabulary are made again from the words when the article is a candidate); then the
    32-bit ids of its name terms and of its terms, ascending, in another."""

    ids: bytes
    title_words: int
    lead_words: int
    names: int
    figures: int
    opening: int
    sentences: int
    terms: bytes
    name_terms: int


def pack(parts: Profile[str]) -> Packed:
    """``parts`` in the few hundred bytes the story memory keeps; see :func:`unpack`."""
    ids = array("q", map(hash, parts.title_words + parts.lead_words))
    for facts in (parts.names, parts.figures, parts.all_figures):
        ids.extend(map(hash, facts))
    terms = np.fromiter(chain(parts.name_terms, parts.terms), dtype=np.uint32)
    terms[: len(parts.name_terms)].sort()
    terms[len(parts.name_terms) :].sort()
    return Packed(
        ids.tobytes(),
        title_words=len(parts.title_words),
        lead_words=len(parts.lead_words),
        names=len(parts.names),
        figures=len(parts.figures),
        opening=parts.opening,
        sentences=parts.sentences,
        terms=terms.tobytes(),
        name_terms=len(parts.name_terms),
    )


def packed_terms(packed: Packed) -> np.ndarray:
    """The term ids of a packed profile, ascending (without unpacking the rest)."""
    return np.frombuffer(packed.terms, dtype=np.uint32)[packed.name_terms :]


def packed_term_bytes(packed: Packed) -> bytes:
    """The bytes of :func:`packed_terms`, for joining many profiles' into one array."""
    return packed.terms[packed.name_terms * _TERM_BYTES :]


def unpack(packed: Packed) -> Profile[int]:
    """The profile ``packed`` was made of, with word ids for words: two unpacked profiles
    compare (:func:`copy_score`, :func:`jaccard`) as the profiles they were packed from."""
    ids = array("q")
    ids.frombytes(packed.ids)
    lead_end = packed.title_words + packed.lead_words
    names_end = lead_end + packed.names
    figures_end = names_end + packed.figures
    title_words, lead_words = (
        tuple(ids[: packed.title_words]),
        tuple(ids[packed.title_words : lead_end]),
    )
    terms = np.frombuffer(packed.terms, dtype=np.uint32).tolist()
    return Profile(
        title=_runs(title_words),
        lead=_runs(lead_words),
        title_words=title_words,
        lead_words=lead_words,
        opening=packed.opening,
        names=frozenset(ids[lead_end:names_end]),
        figures=frozenset(ids[names_end:figures_end]),
        all_figures=frozenset(ids[figures_end:]),
        sentences=packed.sentences,
        terms=frozenset(terms[packed.name_terms :]),
        name_terms=frozenset(terms[: packed.name_terms]),
    )


def profile(title: str, text: str) -> Profile[str] | None:
    """The parts of an article to compare; None when it has no words at all."""
    lead_text, lead_words = _story_lead(title, text)
    title_words = rules.folded_words(title)
    title_pairs = _runs(title_words)
    lead_pairs = _runs(lead_words)
    if not title_pairs and not lead_pairs:
        return None
    opening, starts, sentences = _opening(lead_text)
    title_figures = _figures(title)
    names = frozenset(
        folded
        for i, (word, folded) in enumerate(zip(opening, lead_words, strict=False))
        if word[0].isupper() and i not in starts
    )
    return Profile(
        title=title_pairs,
        lead=lead_pairs,
        title_words=tuple(title_words),
        lead_words=tuple(lead_words),
        opening=min(len(opening), len(lead_words)),
        names=names,
        figures=title_figures | _figures(lead_text),
        all_figures=title_figures | _figures(text[:_FIGURE_CHARS]),
        sentences=sentences,
        terms=_terms(title_words + lead_words),
        name_terms=_terms(names),
    )


def _terms(words: Iterable[str]) -> frozenset[int]:
    """The ids of the terms of ``words``: each word's first STEM_CHARS letters; words of
    three letters or fewer (mostly articles, prepositions, pronouns) left out but figures.
    An id is the term's CRC-32: the same in every process, so that the candidates the
    clusterer finds and the words it weighs are too (``hash`` is salted per process)."""
    stems = {word[:STEM_CHARS] for word in words if len(word) > 3 or word.isdigit()}
    return frozenset(map(zlib.crc32, map(str.encode, stems)))


def copy_score(earlier: Profile[Word], later: Profile[Word], *, same_feed: bool) -> float | None:
    """How alike two articles are when ``later`` is a copy of ``earlier``, else None.

    The score (sum of the three similarities) only ranks several earlier copies.
    """
    if _disagree(earlier.figures, later.figures, earlier.all_figures, later.all_figures):
        return None
    title = jaccard(earlier.title, later.title)
    lead = jaccard(earlier.lead, later.lead)
    opening = opening_similarity(earlier, later)
    short = earlier.short or later.short
    rules = (_WITHIN_A_FEED,) if same_feed else _ACROSS_FEEDS
    if not any(rule.holds(title, lead, opening, short) for rule in rules):
        return None
    if _disagree(earlier.names, later.names, _vocabulary(earlier), _vocabulary(later)):
        return None
    return title + lead + opening


def copy_margin(earlier: Profile[Word], later: Profile[Word]) -> tuple[float, float] | None:
    """How far two articles of different feeds are from the nearest rule of a copy (positive:
    they clear it by that much, negative: they miss it by that much), and their score; None
    when their figures or names disagree, which makes them distinct whatever else agrees.

    What ``bot.ingest.stories`` measures a lexical verdict's certainty by: a pair close to a
    rule's thresholds on either side is one the lexical check is unsure of.
    """
    if facts_disagree(earlier, later):
        return None
    title = jaccard(earlier.title, later.title)
    lead = jaccard(earlier.lead, later.lead)
    opening = opening_similarity(earlier, later)
    short = earlier.short or later.short
    margin = max(rule.margin(title, lead, opening, short) for rule in _ACROSS_FEEDS)
    return margin, title + lead + opening


def opening_similarity(a: Profile[Word], b: Profile[Word]) -> float:
    """How alike the two articles begin, over the length of either one's opening.

    Both leads are cut at the same word, once where ``a``'s opening ends and once where
    ``b``'s does, and the better of the two comparisons counts: where a sentence ends is not
    part of the story (a copy may run a standfirst and the first sentence together).
    """
    return max(_prefix_similarity(a, b, a.opening), _prefix_similarity(a, b, b.opening))


def _prefix_similarity(a: Profile[Word], b: Profile[Word], words: int) -> float:
    return jaccard(_runs(a.lead_words[:words]), _runs(b.lead_words[:words]))


def facts_disagree(a: Profile[Word], b: Profile[Word]) -> bool:
    """Each lead reports a figure the other article never mentions, or each opening names
    someone or somewhere the other's title and lead never do: different events.

    One-sided extras are normal in a copy (a dateline's date, a detail the other trimmed, an
    agency named), and so is one of each (an agency named here, a background figure trimmed
    there); two different figures, or two different names, are not: the next day's close, the
    same police bulletin from another city.
    """
    return _disagree(a.figures, b.figures, a.all_figures, b.all_figures) or _disagree(
        a.names, b.names, _vocabulary(a), _vocabulary(b)
    )


def _disagree(
    facts_a: frozenset[Word],
    facts_b: frozenset[Word],
    known_a: frozenset[Word],
    known_b: frozenset[Word],
) -> bool:
    """Each side has a fact the other side does not know."""
    return not facts_a <= known_b and not facts_b <= known_a


def _vocabulary(article: Profile[Word]) -> frozenset[Word]:
    """The words of its title and lead; built per candidate, not per article (most articles
    are never a candidate)."""
    return frozenset(article.title_words).union(article.lead_words)


def jaccard(a: frozenset[Word], b: frozenset[Word]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _without_dateline(text: str) -> str:
    """``text`` from where the story starts: a copy adds or drops datelines, and the opening
    is compared word by word from the start."""
    dateline = _DATELINE.match(text)
    if dateline and dateline.group(1).isupper():
        text = text[dateline.end() :]
    fragment = _LEADING_FRAGMENT.match(text)
    if fragment and (dateline or _first_word_in_capitals(fragment.group(1))):
        return text[fragment.end() :]
    return text


def _first_word_in_capitals(text: str) -> bool:
    words = rules.raw_words(text)
    return bool(words) and len(words[0]) > 1 and words[0].isupper()


def _story_lead(title: str, text: str) -> tuple[str, list[str]]:
    """:func:`_lead` of the story, from the start of ``text`` without furniture or dateline.

    Furniture is stripped from the head of the text first (``_HEAD_CHARS``, to the end of
    its line, or of a word when the line runs on): a line of it repeated only further down
    then stays, in every copy alike.
    """
    end = text.find("\n", _HEAD_CHARS, 2 * _HEAD_CHARS)
    if end < 0:
        end = text.find(" ", _HEAD_CHARS)
    if end >= 0:
        lead_text, lead_words = _lead(_without_dateline(strip_boilerplate(text[:end], title)))
        if len(lead_words) >= LEAD_WORDS:
            return lead_text, lead_words
    return _lead(_without_dateline(strip_boilerplate(text, title)))


def _lead(text: str) -> tuple[str, list[str]]:
    """The beginning of ``text`` that holds its lead, and the lead: the first LEAD_WORDS folded
    words of ``text``, without folding all of a long text.

    A space always ends a word, so the words of the text up to a space are the first words of
    the whole. Texts run to thousands of characters (full pages), and folding long texts whole
    was a good part of ``assign`` (docs/benchmarks.md).
    """
    cut = text.find(" ", _LEAD_CHARS)
    if cut >= 0:
        words = rules.folded_words(text[:cut])
        if len(words) >= LEAD_WORDS:
            return text[:cut], words[:LEAD_WORDS]
    return text, rules.folded_words(text)[:LEAD_WORDS]


def _opening(lead: str) -> tuple[list[str], list[int], int]:
    """The words of the first sentence of ``lead`` (with the next ones until there are
    OPENING_WORDS of them), where its sentences start (by word), and how many sentences
    ``lead`` has, counting no further than SHORT_SENTENCES + 1.

    The words are not folded: they are counted, and their capitals show names. They are the
    words the folded lead is made of, so word *i* here is word *i* of the folded lead (but
    after the rare word that folds to nothing, a lone tatweel, which only shifts a name).
    """
    lead = lead.rstrip()
    words: list[str] = []
    starts = [0]
    opening: list[str] | None = None
    position = 0
    sentences = 1 if lead else 0
    for end in _SENTENCE_END.finditer(lead):
        sentences += 1
        if opening is None:
            words += rules.raw_words(lead[position : end.start()])
            position = end.end()
            starts.append(len(words))
            if len(words) >= OPENING_WORDS:
                opening = words
        if opening is not None and sentences > SHORT_SENTENCES:
            break
    if opening is None:
        opening = words + rules.raw_words(lead[position:])
    return opening, starts, sentences


def _figures(text: str) -> frozenset[str]:
    return frozenset(_FIGURE.findall(text))


def _runs(words: Sequence[Word]) -> frozenset[Word]:
    """Each run of SHINGLE_WORDS consecutive words; fewer words make one shingle, none none.

    A run of words is the words joined by spaces; a run of word ids is their hash.
    """
    if len(words) < SHINGLE_WORDS:
        return frozenset(words)  # one word: the word itself, as joining it alone gives
    runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)  # stops at the end
    if isinstance(words[0], str):
        return frozenset(map(" ".join, runs))
    return frozenset(map(hash, runs))
