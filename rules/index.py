"""RuleIndex: which of many rules match a document, without trying every rule.

It works like Lucene's Monitor (formerly Luwak), a "percolator": queries are indexed instead of
documents. Each distinct rule is registered under a small set of *index keys* chosen so that
every document the rule matches contains at least one of them:

* a word or phrase → its longest exact word;
* a prefix ``Azer*`` → the prefix itself, found through the prefix table;
* AND → the keys of the one operand estimated rarest (NOTs never qualify);
* OR → the union of every branch's keys.

Each branch of a rule (see :mod:`rules.clauses`) is handled on its own. A plain-word branch
(``Israel``, ``title:Baku``) needs no verification: its subscriber keys sit in a table under
the word, and a document's words in that scope pick them up directly. Any other branch is a
*clause* registered under its index keys: matching a document collects the clauses whose keys
it has (its distinct words, and each of their leading substrings whose length some registered
prefix has) and checks them with set operations on the document's words; only phrases,
prefixes and nested NOTs then ask :meth:`Rule.test`. Rules with the same canonical form are
stored and checked once and the result is fanned out to every subscriber key.

"Rarest" is a static estimate: the commonness of a word is taken to halve with each letter
(Zipf's law of abbreviation: "in", "the", "и" are common, "Azerbaijan" is not), and a prefix
counts as a word one letter shorter. Static keys keep add/remove independent of what documents
were seen, so the index never needs re-keying.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from rules.clauses import Clause, Scope, branches, compile_clause, is_plain
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
    """One distinct rule, the subscriber keys that share it, and its compiled branches."""

    rule: Rule
    subscribers: set[Hashable]
    sure: tuple[tuple[Scope, str], ...]
    """Plain-word branches: the word in that scope is a match, no verification needed."""
    clauses: tuple[Clause, ...]
    """The other branches, each checked when one of its index keys is in the document."""


class RuleIndex:
    """Subscriber key → rule, answering "which keys match this document?".

    Keys are whatever the caller uses to identify a subscription (e.g. its database id).
    """

    def __init__(self) -> None:
        self._entry_of: dict[Hashable, _Entry] = {}
        self._entries: dict[str, _Entry] = {}
        self._sure: dict[Scope, dict[str, set[Hashable]]] = {}
        """Scope → word → keys of the rules that match whenever the word is in that scope."""
        self._by_word: dict[str, list[Clause]] = {}
        self._by_prefix: dict[str, list[Clause]] = {}
        self._prefix_lengths: Counter[int] = Counter()
        self._probe_lengths: tuple[int, ...] = ()
        """Distinct prefix lengths in use, ascending: the only lengths worth probing."""

    def add(self, key: Hashable, rule: Rule) -> None:
        """Register ``rule`` under ``key``, replacing what ``key`` had before."""
        if key in self._entry_of:
            self.remove(key)
        entry = self._entries.get(rule.canonical)
        if entry is None:
            entry = self._register(rule)
        entry.subscribers.add(key)
        for scope, word in entry.sure:
            self._sure.setdefault(scope, {}).setdefault(word, set()).add(key)
        self._entry_of[key] = entry

    def remove(self, key: Hashable) -> None:
        """Forget ``key``; the rule itself goes once no other key shares it."""
        try:
            entry = self._entry_of.pop(key)
        except KeyError:
            raise KeyError(f"no rule is registered under key {key!r}") from None
        entry.subscribers.discard(key)
        for scope, word in entry.sure:
            _discard(self._sure[scope], word, key)
            if not self._sure[scope]:
                del self._sure[scope]
        if not entry.subscribers:
            self._unregister(entry)

    def match(self, doc: DocumentLike) -> set[Hashable]:
        """Keys whose rule matches ``doc``; the same as asking every rule, only faster."""
        doc = Document.of(doc)
        words_in = doc.words_in
        matched: set[Hashable] = set()
        for scope, table in self._sure.items():
            for word in table.keys() & words_in[scope]:
                matched |= table[word]
        for item in self._candidate_clauses(doc):
            if item.passes(words_in) and (item.exact or item.rule.test(doc)):
                matched |= item.subscribers
        return matched

    def candidates(self, doc: DocumentLike) -> list[Rule]:
        """The distinct rules found through their keys for ``doc`` (for diagnostics).

        Rules with a plain-word branch present are matches outright; the others are those
        whose clauses :meth:`match` checks.
        """
        doc = Document.of(doc)
        found: dict[str, Rule] = {}
        for scope, table in self._sure.items():
            for word in table.keys() & doc.words_in[scope]:
                for key in table[word]:
                    rule = self._entry_of[key].rule
                    found[rule.canonical] = rule
        for item in self._candidate_clauses(doc):
            found[item.rule.canonical] = item.rule
        return list(found.values())

    @property
    def distinct_rules(self) -> int:
        """How many different rules (by canonical form) the keys share."""
        return len(self._entries)

    def __len__(self) -> int:
        return len(self._entry_of)

    def __contains__(self, key: object) -> bool:
        return key in self._entry_of

    def _candidate_clauses(self, doc: Document) -> set[Clause]:
        """Clauses with an index key in ``doc``; set intersections keep the misses in C."""
        found: set[Clause] = set()
        vocabulary = doc.vocabulary
        by_word = self._by_word
        for word in by_word.keys() & vocabulary:
            found.update(by_word[word])
        if self._probe_lengths:
            by_prefix = self._by_prefix
            # A word shorter than a probe length gives itself, which can only equal a prefix
            # of its own length: a true hit, found again at that length.
            heads = {word[:length] for length in self._probe_lengths for word in vocabulary}
            for head in by_prefix.keys() & heads:
                found.update(by_prefix[head])
        return found

    def _register(self, rule: Rule) -> _Entry:
        if index_keys(rule.node) is None:  # compile() rejects such rules; a hand-made one may not
            raise ValueError(f"rule {str(rule)!r} has no term that must appear; cannot index it")
        subscribers: set[Hashable] = set()
        sure, clauses = [], []
        for branch in branches(rule.node):
            if is_plain(branch):
                sure.append((branch.field, branch.words[0]))  # type: ignore[union-attr]
            else:
                clauses.append(compile_clause(branch, subscribers, rule))
        entry = _Entry(rule, subscribers, tuple(sure), tuple(clauses))
        self._entries[rule.canonical] = entry
        for item in entry.clauses:
            for text, is_prefix in index_keys(item.branch) or ():
                table = self._by_prefix if is_prefix else self._by_word
                table.setdefault(text, []).append(item)
                if is_prefix:
                    self._count_prefix_length(len(text), +1)
        return entry

    def _unregister(self, entry: _Entry) -> None:
        del self._entries[entry.rule.canonical]
        for item in entry.clauses:
            for text, is_prefix in index_keys(item.branch) or ():
                table = self._by_prefix if is_prefix else self._by_word
                _discard(table, text, item)
                if is_prefix:
                    self._count_prefix_length(len(text), -1)

    def _count_prefix_length(self, length: int, change: int) -> None:
        self._prefix_lengths[length] += change
        if self._prefix_lengths[length] == 0:
            del self._prefix_lengths[length]
        self._probe_lengths = tuple(sorted(self._prefix_lengths))


def _discard(table: dict, text: str, item: object) -> None:
    """Take ``item`` out of ``table[text]`` (a set or a list), dropping the emptied slot."""
    bucket = table[text]
    bucket.remove(item)
    if not bucket:
        del table[text]
