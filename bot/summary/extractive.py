"""Extractive summaries: a few of the article's own sentences, with the matched terms marked.

The default summary sends nothing anywhere and needs no model: it picks the sentences that
carry the terms the rule matched, so the reader sees at once why the alert came.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import rules
from bot.i18n import N_, _, format_list, isolate
from bot.summary.boilerplate import strip_boilerplate
from bot.summary.sentences import split_sentences

logger = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = 400
_MAX_SENTENCES = 3
_MIN_SENTENCES = 2
_ELLIPSIS = "…"
_FIELD_ORDER = ("title", "text", "source")
_FIELD_NAMES = {
    # TRANSLATORS: where a rule's term was found, in "Matched: Baku (title, text)": the
    # article's title.
    "title": N_("title"),
    # TRANSLATORS: where a rule's term was found: the article's text.
    "text": N_("text"),
    # TRANSLATORS: where a rule's term was found: the name of the article's source.
    "source": N_("source"),
}
_FINISHED = re.compile(r"[.!?…。！？;\"'”’»)]$")


class HitLike(Protocol):
    """What the rule engine reports for one matched term (``rules.Hit`` has this shape)."""

    @property
    def term(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Summary:
    """Summary text and the character spans of it that delivery shows in bold."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    """Sorted, non-overlapping ``(start, end)`` spans into ``text``."""


def summarize(
    title: str,
    text: str,
    hits: Sequence[HitLike] = (),
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Summary:
    """Two or three sentences of ``text`` in article order, at most ``max_chars`` long.

    Sentences that carry more of the terms matched in the text win, earlier ones first, and
    the lead joins them when it fits; without text hits the summary is the lead.
    """
    sentences = _story_sentences(text, title)
    text_terms = matched_terms(hits, title=title, text=text, fields=("text",))
    chosen = _choose(sentences, text_terms, max_chars)
    body = _fit(" ".join(sentences[i] for i in chosen), max_chars)
    return Summary(
        text=body, highlights=find_terms(body, matched_terms(hits, title=title, text=text))
    )


def matched_line(hits: Iterable[HitLike]) -> str:
    """ "Matched: Israel, Azerbaijan (title, text), Baku (text)": which terms, and where, in
    the current language (the terms as the rule has them, each isolated in right-to-left).

    Terms are listed once each, in the order the rule reported them, grouped by the set of
    fields they were found in. Empty when nothing matched.
    """
    fields_by_term: dict[str, set[str]] = {}
    display: dict[str, str] = {}
    for hit in hits:
        key = rules.fold(hit.term)
        display.setdefault(key, hit.term)
        fields_by_term.setdefault(key, set()).add(hit.field)
    groups: dict[tuple[str, ...], list[str]] = {}
    for key, fields in fields_by_term.items():
        ordered = tuple(sorted(fields, key=_field_rank))
        groups.setdefault(ordered, []).append(display[key])
    if not groups:
        return ""
    parts = [
        f"{format_list(map(isolate, terms))} ({format_list(map(_field_name, fields))})"
        for fields, terms in groups.items()
    ]
    return _("Matched: {terms}").format(terms=format_list(parts))


def _field_name(field: str) -> str:
    return _(_FIELD_NAMES[field]) if field in _FIELD_NAMES else field


def find_terms(text: str, terms: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """Spans of whole-word occurrences of ``terms`` in ``text``, words compared as the rule
    engine compares them (case, accents, possessive ``'s``), so the summary bolds what matched.

    Terms are found again rather than carried over as offsets because boilerplate removal and
    sentence choice move every position. A term of several words is found where the text has
    those words in a row, as a rule's phrase is.
    """
    phrases = {phrase for phrase in map(_phrase, terms) if phrase}
    if not phrases or not text:
        return ()
    tokens = list(rules.tokenize(text))
    words = [token.word for token in tokens]
    spans = [
        (tokens[start].start, tokens[start + len(phrase) - 1].end)
        for phrase in phrases
        for start in _phrase_starts(words, phrase)
    ]
    return _merge(spans)


def _phrase(term: str) -> tuple[str, ...]:
    return tuple(rules.folded_words(term))


def _phrases_found(text: str, phrases: Sequence[tuple[str, ...]]) -> int:
    """How many of ``phrases`` (none empty) occur in ``text``, each counted once.

    Most sentences hold none of them, which the folded text shows without splitting it into
    words: a phrase whose first word is not in it cannot be among its words.
    """
    folded = rules.fold_text(text)
    present = [phrase for phrase in phrases if phrase[0] in folded]
    if not present:
        return 0
    words = rules.folded_words(text)
    return sum(1 for phrase in present if next(_phrase_starts(words, phrase), -1) >= 0)


def _phrase_starts(words: Sequence[str], phrase: tuple[str, ...]) -> Iterator[int]:
    """Where in ``words`` the words of ``phrase`` begin in a row."""
    size = len(phrase)
    for start, word in enumerate(words):
        if word == phrase[0] and tuple(words[start : start + size]) == phrase:
            yield start


def _field_rank(field: str) -> int:
    return _FIELD_ORDER.index(field) if field in _FIELD_ORDER else len(_FIELD_ORDER)


def matched_terms(
    hits: Sequence[HitLike],
    *,
    title: str,
    text: str,
    fields: tuple[str, ...] = ("title", "text"),
) -> list[str]:
    """The matched words as the article spells them ("Azerbaijan's" for ``azerbaijan*``).

    These, not the hits' offsets, mark the summary: offsets into the original fields no
    longer hold once boilerplate is gone and sentences are picked.
    """
    sources = {"text": text, "title": title}
    terms: list[str] = []
    for hit in hits:
        if hit.field not in fields:
            continue
        source = sources[hit.field]
        in_range = 0 <= hit.start < hit.end <= len(source)
        term = source[hit.start : hit.end] if in_range else hit.term
        if term not in terms:
            terms.append(term)
    return terms


def written_summary(written: str, hits: Sequence[HitLike], *, title: str, text: str) -> Summary:
    """A summary someone else wrote (a model, a translator) with the matched terms in bold
    where it has them: as the article spells them, or as the rule names them (``Israel`` in
    an English translation of an article matched as Израиль, whose hit is labelled
    "Israel (Израиль)": the rule's term, then the name found)."""
    spelled = matched_terms(hits, title=title, text=text)
    named = [hit.term.partition(" (")[0] for hit in hits]
    return Summary(text=written, highlights=find_terms(written, dict.fromkeys([*spelled, *named])))


def _story_sentences(text: str, title: str) -> list[str]:
    """The sentences of ``text`` without its furniture. When every line looked like furniture,
    those judged by their shape alone come back (a text that repeats one sentence, a list of
    names), so that such an alert still shows its first sentences rather than nothing."""
    for keep_shapes in (False, True):
        story = strip_boilerplate(text, title, keep_shapes=keep_shapes)
        sentences = _candidates(split_sentences(story))
        if sentences:
            return sentences
    return []


def _candidates(sentences: list[str]) -> list[str]:
    """Finished sentences only: an unpunctuated line is a heading or a leftover label."""
    finished = [s for s in sentences if _FINISHED.search(s)]
    return finished or sentences


def _choose(sentences: list[str], terms: list[str], max_chars: int) -> list[int]:
    """Indexes of the sentences to show, in article order.

    Preference: the sentence with the most matched terms (earliest on ties), then the lead,
    then other matching sentences; when fewer than two fit, the sentences after the first
    choice fill in, as they usually explain it.
    """
    if not sentences:
        return []
    phrases = [phrase for phrase in map(_phrase, terms) if phrase]
    scores = [_phrases_found(sentence, phrases) if phrases else 0 for sentence in sentences]
    matched = sorted((i for i, score in enumerate(scores) if score), key=lambda i: -scores[i])
    preferred = dict.fromkeys([*matched[:1], 0, *matched[1:]])
    chosen: list[int] = []
    for index in preferred:
        if len(chosen) < _MAX_SENTENCES and _adds(sentences, chosen, index, max_chars):
            chosen.append(index)
    first = chosen[0] if chosen else 0
    for index in [*range(first + 1, len(sentences)), *range(first)]:
        if len(chosen) < _MIN_SENTENCES and _adds(sentences, chosen, index, max_chars):
            chosen.append(index)
    return sorted(chosen or [first])


def _adds(sentences: list[str], chosen: list[int], index: int, max_chars: int) -> bool:
    """Whether sentence ``index`` fits and says something new (feeds repeat paragraphs)."""
    if any(sentences[i] == sentences[index] for i in chosen):
        return False
    return _fits(sentences, [*chosen, index], max_chars)


def _fits(sentences: list[str], indexes: list[int], max_chars: int) -> bool:
    length = sum(len(sentences[i]) for i in indexes) + len(indexes) - 1
    return length <= max_chars


def _fit(text: str, max_chars: int) -> str:
    """``text`` cut at a word boundary when a single sentence is longer than the limit."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - len(_ELLIPSIS)]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    logger.debug("summary sentence cut to %d characters", max_chars)
    return cut.rstrip(" ,;:") + _ELLIPSIS


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
