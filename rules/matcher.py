"""Compiled rules: checking a document against one rule and explaining why it matched."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from rules.aliases import Aliases
from rules.document import Document, FieldTokens
from rules.folding import words
from rules.nodes import (
    FIELDS,
    LANGUAGE_MARK,
    And,
    Node,
    Not,
    Or,
    Term,
    all_terms,
    meaning,
    other_reading,
    positive_terms,
)
from rules.syntax import parse

DocumentLike = Document | Mapping[str, str] | str
_NO_LANGUAGES: frozenset[str] = frozenset()
"""Shared by the rules with no ``lang:`` term (nearly all): one empty set, not 100,000."""
_Test = Callable[[Document], bool]


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a positive term, located in the original (unfolded) field text."""

    term: str
    """The term as the rule shows it, e.g. ``Israel`` or ``Eli Cohen``."""
    field: str
    """``title``, ``text`` or ``source``."""
    start: int
    end: int
    """``[start, end)`` character offsets into that field's original string."""


class Rule:
    """A compiled topic rule; build it with :func:`rules.compile`.

    Rules compare and hash by :attr:`canonical`, so a set of rules holds each meaning once.
    """

    __slots__ = (
        "_test",
        "aliases",
        "canonical",
        "inline",
        "key",
        "languages",
        "match_node",
        "node",
        "terms",
        "text",
    )

    def __init__(
        self, text: str, aliases: Aliases | None = None, inline: Aliases | None = None
    ) -> None:
        self.text = text
        """The rule exactly as written."""
        self.aliases = aliases
        """The alias table its terms were expanded with, if any (see :mod:`rules.aliases`)."""
        self.inline = inline
        """The small table expanded in the rule itself (a chat's own aliases), if any."""
        self.node: Node = parse(text, aliases)
        """The parsed tree (see :mod:`rules.nodes`): what the rule shows and is compared by."""
        self.canonical = self.node.canonical()
        """Equal for rules that differ only in case, spacing, operator spelling or order."""
        self.terms = tuple(dict.fromkeys(term.label for term in positive_terms(self.node)))
        """Display strings of the terms that must or may appear, for "Matched: ..." lines."""
        codes = [t.words[0][1:] for t in all_terms(self.node) if t.words[0][0] == LANGUAGE_MARK]
        self.languages = frozenset(codes) if codes else _NO_LANGUAGES
        """The language codes its ``lang:`` terms name: a document must say its language
        (``Document(language=)``) for those to match."""
        self.match_node: Node = parse(text, aliases, inline) if inline is not None else self.node
        """What is matched, and what the index reads to choose its keys: :attr:`node` with
        ``inline`` aliases as alternatives of terms."""
        self.key = self.canonical if inline is None else self.match_node.canonical()
        """Equal for rules that match the same: the index shares one entry among them."""
        self._test: _Test | None = None

    @property
    def meaning(self) -> str:
        """Equal for rules that match the same articles with the same names, whatever the
        language their place names are written in (:func:`rules.nodes.meaning`)."""
        return meaning(self.match_node)

    @property
    def test(self) -> Callable[[Document], bool]:
        """The check itself, on a prepared Document: for hot loops that already have one.

        Built on first use: the index decides most rules with set operations and never asks
        for it, and 100,000 trees of closures would weigh some 45 MB.
        """
        if self._test is None:
            test = _build_test(self.match_node)
            aliases = self.aliases
            if aliases is not None and any(t.group for t in all_terms(self.node)):

                def expanded(doc: Document) -> bool:
                    doc.expand(aliases)
                    return test(doc)

                self._test = expanded
            else:
                self._test = test
        return self._test

    def matches(self, doc: DocumentLike) -> bool:
        return self.test(Document.of(doc))

    def explain(self, doc: DocumentLike) -> list[Hit] | None:
        """Every occurrence of the positive terms that made ``doc`` match, or None if it doesn't.

        Terms of an OR branch that did not match are left out, so the hits are exactly the
        evidence for the match; they are ordered by field (title, text, source), then position.
        """
        doc = Document.of(doc)
        if self.aliases is not None:
            doc.expand(self.aliases)
        hits = _explain(self.match_node, doc)
        if hits is None:
            return None
        return sorted(dict.fromkeys(hits), key=lambda h: (FIELDS.index(h.field), h.start, h.end))

    def also_matches(self) -> dict[str, tuple[str, ...]]:
        """Each term that stands for an alias group → the group's other names, in table
        order: what the rule matches beyond the words typed."""
        found: dict[str, tuple[str, ...]] = {}
        for term in positive_terms(self.node):
            names: list[str] = []
            if term.group is not None and self.aliases is not None:
                names += self.aliases.names(term.group)
            if self.inline is not None and not (term.literal or term.prefix):
                names += [name.label for name in self.inline.names_of(term.spelled or term.words)]
            others: dict[tuple[str, ...], str] = {}
            for name in names:
                others.setdefault(tuple(words(name)), name)
            others.pop(term.spelled or term.words, None)
            if others:
                found.setdefault(term.label, tuple(others.values()))
        return found

    def __str__(self) -> str:
        return self.node.display()

    @property
    def grouped(self) -> str:
        """The rule as :func:`str` shows it, with the brackets AND's precedence leaves out made
        explicit: ``Iran | (Armenia -football)``. The same as ``str`` for rules that do not
        mix ``|`` with AND or ``-``."""
        return self.node.display(explicit=True)

    @property
    def other_reading(self) -> str | None:
        """How the rule reads with its trailing exclusions applying to every alternative, as
        the author may have meant it (``(Iran | Armenia) -football``); None when there is no
        such other reading."""
        other = other_reading(self.node)
        return other.display(explicit=True) if other is not None else None

    def __repr__(self) -> str:
        return f"rules.compile({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and other.canonical == self.canonical

    def __hash__(self) -> int:
        return hash(self.canonical)


def _occurrences(term: Term, tokens: FieldTokens) -> Iterator[tuple[int, int]]:
    """``(first, last)`` token positions of each occurrence of ``term`` in one field."""
    *leading, last = term.words
    if not leading:
        candidates = tokens.words_with_prefix(last) if term.prefix else (last,)
        for word in candidates:
            for position in tokens.positions.get(word, ()):
                yield position, position
        return
    words = tokens.words
    for first in tokens.positions.get(leading[0], ()):
        end = first + len(leading)
        if end >= len(words) or words[first:end] != leading:
            continue
        if words[end] == last or (term.prefix and words[end].startswith(last)):
            yield first, end


def _term_test(term: Term) -> _Test:
    scope = term.field
    if len(term.words) == 1 and not term.prefix:
        # The common case, kept to a dictionary lookup per field.
        word = term.words[0]

        def has_word(doc: Document) -> bool:
            return word in doc.words_in[scope]

        return has_word

    def has_term(doc: Document) -> bool:
        return any(next(_occurrences(term, t), None) is not None for t in doc.scopes[scope])

    return has_term


def _build_test(node: Node) -> _Test:
    """Turn the tree into nested closures: checking a candidate is the hot path of the index."""
    match node:
        case Term():
            return _term_test(node)
        case Not(child):
            test = _build_test(child)
            return lambda doc: not test(doc)
        case And(children):
            return _all_test(tuple(_build_test(child) for child in children))
        case Or(children):
            return _any_test(tuple(_build_test(child) for child in children))
    raise TypeError(f"not a rule node: {node!r}")


def _all_test(tests: tuple[_Test, ...]) -> _Test:
    def all_match(doc: Document) -> bool:
        for test in tests:  # noqa: SIM110 - a loop creates no generator per call (hot path)
            if not test(doc):
                return False
        return True

    return all_match


def _any_test(tests: tuple[_Test, ...]) -> _Test:
    def any_matches(doc: Document) -> bool:
        for test in tests:  # noqa: SIM110 - as above
            if test(doc):
                return True
        return False

    return any_matches


def _explain(node: Node, doc: Document) -> list[Hit] | None:
    """The hits under ``node`` when it matches ``doc``, else None (an empty list for a NOT)."""
    match node:
        case Term() if node.words[0].startswith(LANGUAGE_MARK):
            return [] if node.words[0] in doc.words_in[None] else None  # matched, no span
        case Term() if node.group is not None:
            hits = [
                Hit(
                    _alias_label(node, alias.label),
                    tokens.name,
                    tokens.spans[alias.first][0],
                    tokens.spans[alias.last][1],
                )
                for tokens in doc.scopes[node.field]
                for alias in doc.alias_hits.get(tokens.name, ())
                if alias.marker == node.words[0]
            ]
            return hits or None
        case Term():
            hits = [
                Hit(node.label, tokens.name, tokens.spans[first][0], tokens.spans[last][1])
                for tokens in doc.scopes[node.field]
                for first, last in _occurrences(node, tokens)
            ]
            return hits or None
        case Not(child):
            return None if _explain(child, doc) is not None else []
        case And(children):
            parts = [_explain(child, doc) for child in children]
            return None if None in parts else [hit for part in parts if part for hit in part]
        case Or(children):
            matched = [part for child in children if (part := _explain(child, doc)) is not None]
            return [hit for part in matched for hit in part] if matched else None
    raise TypeError(f"not a rule node: {node!r}")


def _alias_label(term: Term, name: str) -> str:
    """How a hit of an alias shows: ``Azerbaijan (Азербайджан)``, or the term alone when the
    name found is the term's own."""
    return term.label if tuple(words(name)) == term.spelled else f"{term.label} ({name})"
