"""An article prepared for matching: each field tokenized and folded once.

Preparing costs one pass over the text; after that each rule is checked with dictionary
lookups, which is why one :class:`Document` should be reused for every rule and for the index.

Only what every article needs is computed up front: the folded words of each field, in order,
and their set. Where each word occurs (for phrases and prefixes) and the character spans (for
:meth:`Rule.explain <rules.Rule.explain>`) are worked out on first use.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from rules.folding import fold_all, folded_words, raw_spans, raw_words
from rules.nodes import FIELDS, language_word

if TYPE_CHECKING:
    from rules.aliases import Aliases, AliasHit

JOINER = "\x1f"
"""Joins the words of a phrase into one string: a control character, never part of a word."""


class FieldTokens:
    """The tokens of one field, with where each word occurs."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.words: list[str] = folded_words(text)
        self.word_set: frozenset[str] = frozenset(self.words)

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Where each word occurs, as indexes into :attr:`words`."""
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            if word in positions:
                positions[word].append(position)
            else:
                positions[word] = [position]
        return positions

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """The ``[start, end)`` character span of each word of :attr:`words` in the text."""
        spans = raw_spans(self.text)
        if len(spans) != len(self.words):  # leave out the words that fold to nothing
            folded = fold_all(raw_words(self.text))
            spans = [span for span, word in zip(spans, folded, strict=True) if word]
        return spans

    @cached_property
    def vocabulary(self) -> list[str]:
        """Distinct words, sorted, so that a prefix finds its words by bisection."""
        return sorted(self.word_set)

    def words_with_prefix(self, prefix: str) -> Iterator[str]:
        vocabulary = self.vocabulary
        for i in range(bisect_left(vocabulary, prefix), len(vocabulary)):
            if not vocabulary[i].startswith(prefix):
                break
            yield vocabulary[i]


class Document:
    """Title, text and source of an article, tokenized for matching.

    ``source`` is the feed's name and the article's domain; it is searched only by terms
    written with ``source:``, so that a feed called "Israel Hayom" does not make every one of
    its articles match ``Israel``.

    ``language`` (a code such as ``ru``, or None when unknown) is what ``lang:`` terms test.
    """

    def __init__(
        self, title: str = "", text: str = "", source: str = "", language: str | None = None
    ) -> None:
        self.title = title
        self.text = text
        self.source = source
        self.fields: dict[str, FieldTokens] = {
            name: FieldTokens(name, value)
            for name, value in zip(FIELDS, (title, text, source), strict=True)
        }
        self.scopes: dict[str | None, tuple[FieldTokens, ...]] = {
            None: (self.fields["title"], self.fields["text"]),
            **{name: (tokens,) for name, tokens in self.fields.items()},
        }
        """The fields a term searches: its own field, or title and text when it has none."""
        self.words_in: dict[str | None, frozenset[str]] = {
            None: self.fields["title"].word_set | self.fields["text"].word_set,
            **{name: tokens.word_set for name, tokens in self.fields.items()},
        }
        """The distinct words of each scope: a one-word term is a single lookup here, and all
        are sets so that the index can compare them with sets of rule words."""
        self.language = language
        if language:
            # lang: terms have no field: the language counts as a word of title and text.
            self.words_in[None] = self.words_in[None] | {language_word(language)}
        self.alias_hits: dict[str, list[AliasHit]] = {}
        """Field → the names of :attr:`expanded`'s groups found there (see :meth:`expand`)."""
        self.expanded: Aliases | None = None

    def expand(self, aliases: Aliases) -> None:
        """Add the marker of every alias group named in the document to its word sets.

        Done once per document (the index and each rule call it; repeats return at once), so
        that rules compiled with ``aliases`` find a group by its marker, as any other word.
        A document serves one table: rules of one index share theirs.
        """
        if self.expanded is aliases:
            return
        if self.expanded is not None:
            raise ValueError("this Document was expanded with another alias table")
        self.expanded = aliases
        markers: dict[str, frozenset[str]] = {}
        for name, tokens in self.fields.items():
            found = tokens.word_set & aliases.first_words
            if found:
                hits = aliases.find(tokens.words, tokens.positions, found)
                self.alias_hits[name] = hits
                markers[name] = frozenset(hit.marker for hit in hits)
        if not markers:
            return
        none: frozenset[str] = frozenset()
        for name, added in markers.items():
            self.words_in[name] = self.words_in[name] | added
        self.words_in[None] = (
            self.words_in[None] | markers.get("title", none) | markers.get("text", none)
        )
        self.__dict__["vocabulary"] = self.vocabulary.union(*markers.values())
        self.__dict__.pop("_derived", None)

    @classmethod
    def of(cls, doc: Document | Mapping[str, str] | str) -> Document:
        """Coerce what callers have at hand: a Document, a mapping of fields, or plain text."""
        if isinstance(doc, Document):
            return doc
        if isinstance(doc, str):
            return cls(text=doc)
        if isinstance(doc, Mapping):
            return cls(
                **{name: doc.get(name) or "" for name in FIELDS}, language=doc.get("language")
            )
        raise TypeError(
            f"cannot match a {type(doc).__name__}: pass a str, a mapping with "
            "'title'/'text'/'source' keys, or a rules.Document"
        )

    @cached_property
    def _derived(self) -> dict[tuple[str, str | None, int], frozenset[str]]:
        """Word sets the index asks for on first use: n-grams and word heads per scope."""
        return {}

    def ngrams(self, scope: str | None, n: int) -> frozenset[str]:
        """The runs of ``n`` consecutive words of each field of ``scope`` (never across fields),
        each joined with :data:`JOINER`.

        A phrase of ``n`` words occurs in the scope exactly when its joined words are one of
        these. Strings rather than tuples: a string caches its hash, a tuple hashes its items
        again at every lookup.
        """
        derived = self._derived
        found = derived.get(("ngrams", scope, n))
        if found is None:
            found = frozenset().union(
                *(
                    map(JOINER.join, zip(*(t.words[i:] for i in range(n)), strict=False))
                    for t in self.scopes[scope]
                )
            )
            derived[("ngrams", scope, n)] = found
        return found

    def heads(self, scope: str | None, length: int) -> frozenset[str]:
        """The first ``length`` characters of each word of ``scope`` (shorter words whole).

        A prefix of ``length`` characters starts a word of the scope exactly when it is one
        of these.
        """
        derived = self._derived
        found = derived.get(("heads", scope, length))
        if found is None:
            found = frozenset([word[:length] for word in self.words_in[scope]])
            derived[("heads", scope, length)] = found
        return found

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every distinct word of every field (and the language's): what the index looks up."""
        return self.words_in[None] | self.fields["source"].word_set

    def __repr__(self) -> str:
        text = _shorten(self.text)
        return f"Document(title={self.title!r}, text={text!r}, source={self.source!r})"


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
