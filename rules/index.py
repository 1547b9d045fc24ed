"""RuleIndex: which of many rules match a document, without trying every rule.

It works like Lucene's Monitor (formerly Luwak), a "percolator": queries are indexed instead of
documents. Each distinct rule is registered under a small set of *index keys* chosen so that
every document the rule matches contains at least one of them:

* a word or phrase → its longest exact word;
* a prefix ``Azer*`` → the prefix itself, found through the prefix table;
* AND → the keys of the one operand estimated rarest (NOTs never qualify);
* OR → the union of every branch's keys.

Matching a document looks up each distinct word of the document (and each of its leading
substrings whose length some registered prefix has) to collect *candidate* rules, and only
those are verified with :meth:`Rule.matches`. Rules with the same canonical form are stored and
verified once and the result is fanned out to every subscriber key.

"Rarest" is a static estimate: the commonness of a word is taken to halve with each letter
(Zipf's law of abbreviation: "in", "the", "и" are common, "Azerbaijan" is not), and a prefix
counts as a word one letter shorter. Static keys keep add/remove independent of what documents
were seen, so the index never needs re-keying.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from rules.document import Document
from rules.matcher import DocumentLike, Rule
from rules.nodes import And, Node, Not, Or, Term

IndexKey = tuple[str, bool]
"""A folded word, or a word prefix when the flag is true."""


def _cost(key: IndexKey) -> float:
    """Estimated commonness of a key: lower means fewer documents, fewer candidates."""
    text, is_prefix = key
    return 2.0 ** -(len(text) - is_prefix)


def _set_cost(keys: Iterable[IndexKey]) -> float:
    return sum(_cost(key) for key in keys)


def _term_keys(term: Term) -> frozenset[IndexKey]:
    exact = term.words[:-1] if term.prefix else term.words
    if exact:
        return frozenset({(max(exact, key=len), False)})
    return frozenset({(term.words[-1], True)})


def index_keys(node: Node) -> frozenset[IndexKey] | None:
    """Keys one of which occurs in every document ``node`` matches; None if there is none."""
    match node:
        case Term():
            return _term_keys(node)
        case Not():
            return None
        case And(children):
            options = [keys for child in children if (keys := index_keys(child)) is not None]
            return min(options, key=_set_cost) if options else None
        case Or(children):
            branches = [index_keys(child) for child in children]
            if any(keys is None for keys in branches):
                return None
            return frozenset().union(*branches)
    raise TypeError(f"not a rule node: {node!r}")


@dataclass(slots=True)
class _Entry:
    """One distinct rule and the subscriber keys that share it."""

    rule: Rule
    index_keys: frozenset[IndexKey]
    subscribers: set[Hashable] = field(default_factory=set)


class RuleIndex:
    """Subscriber key → rule, answering "which keys match this document?".

    Keys are whatever the caller uses to identify a subscription (e.g. its database id).
    """

    def __init__(self) -> None:
        self._canonical_of: dict[Hashable, str] = {}
        self._entries: dict[str, _Entry] = {}
        self._by_word: dict[str, set[str]] = {}
        self._by_prefix: dict[str, set[str]] = {}
        self._prefix_lengths: Counter[int] = Counter()
        self._probe_lengths: tuple[int, ...] = ()
        """Distinct prefix lengths in use, ascending: the only lengths worth probing."""

    def add(self, key: Hashable, rule: Rule) -> None:
        """Register ``rule`` under ``key``, replacing what ``key`` had before."""
        if key in self._canonical_of:
            self.remove(key)
        entry = self._entries.get(rule.canonical)
        if entry is None:
            entry = self._register(rule)
        entry.subscribers.add(key)
        self._canonical_of[key] = rule.canonical

    def remove(self, key: Hashable) -> None:
        """Forget ``key``; the rule itself goes once no other key shares it."""
        try:
            canonical = self._canonical_of.pop(key)
        except KeyError:
            raise KeyError(f"no rule is registered under key {key!r}") from None
        entry = self._entries[canonical]
        entry.subscribers.discard(key)
        if not entry.subscribers:
            self._unregister(canonical, entry)

    def match(self, doc: DocumentLike) -> set[Hashable]:
        """Keys whose rule matches ``doc``; the same as asking every rule, only faster."""
        doc = Document.of(doc)
        matched: set[Hashable] = set()
        for canonical in self._candidates(doc):
            entry = self._entries[canonical]
            if entry.rule.test(doc):
                matched |= entry.subscribers
        return matched

    def candidates(self, doc: DocumentLike) -> list[Rule]:
        """The distinct rules :meth:`match` would verify for ``doc`` (for diagnostics)."""
        return [self._entries[c].rule for c in self._candidates(Document.of(doc))]

    @property
    def distinct_rules(self) -> int:
        """How many different rules (by canonical form) the keys share."""
        return len(self._entries)

    def __len__(self) -> int:
        return len(self._canonical_of)

    def __contains__(self, key: object) -> bool:
        return key in self._canonical_of

    def _candidates(self, doc: Document) -> set[str]:
        found: set[str] = set()
        by_word, by_prefix, lengths = self._by_word, self._by_prefix, self._probe_lengths
        for word in doc.vocabulary:
            if word in by_word:
                found |= by_word[word]
            for length in lengths:
                if length > len(word):
                    break
                head = word[:length]
                if head in by_prefix:
                    found |= by_prefix[head]
        return found

    def _register(self, rule: Rule) -> _Entry:
        keys = index_keys(rule.node)
        if keys is None:  # compile() rejects such rules; a hand-made Rule could still slip by
            raise ValueError(f"rule {str(rule)!r} has no term that must appear; cannot index it")
        entry = _Entry(rule, keys)
        self._entries[rule.canonical] = entry
        for text, is_prefix in keys:
            table = self._by_prefix if is_prefix else self._by_word
            table.setdefault(text, set()).add(rule.canonical)
            if is_prefix:
                self._count_prefix_length(len(text), +1)
        return entry

    def _unregister(self, canonical: str, entry: _Entry) -> None:
        del self._entries[canonical]
        for text, is_prefix in entry.index_keys:
            table = self._by_prefix if is_prefix else self._by_word
            table[text].discard(canonical)
            if not table[text]:
                del table[text]
            if is_prefix:
                self._count_prefix_length(len(text), -1)

    def _count_prefix_length(self, length: int, change: int) -> None:
        self._prefix_lengths[length] += change
        if self._prefix_lengths[length] == 0:
            del self._prefix_lengths[length]
        self._probe_lengths = tuple(sorted(self._prefix_lengths))
