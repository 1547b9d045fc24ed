"""RuleIndex: which of many rules match a document, without trying every rule.

It works like Lucene's Monitor (formerly Luwak), a "percolator": queries are indexed instead of
documents. Each distinct rule is registered under a small set of *index keys* chosen so that
every document the rule matches contains at least one of them:

* a word or phrase → its longest exact word;
* a prefix ``Azer*`` → the prefix itself, found through the prefix table;
* AND → the keys of the one operand estimated rarest (NOTs never qualify);
* OR → the union of every branch's keys.

Each branch of a rule (see :mod:`rules.clauses`) is handled on its own. A branch that set
operations alone decide (a word, a phrase, a one-word prefix, an AND of words of one field,
``word -other`` in one field; see :meth:`RuleIndex._slot_of`) keeps its subscriber keys in a
table that the document's words, word pairs or word heads look up with C-level intersections,
``filter`` and ``set.update``, with no Python call per candidate. Any other branch is a
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
from itertools import chain

from rules.clauses import Clause, Scope, branches, compile_clause, is_plain
from rules.document import JOINER, Document
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


Slot = tuple[str, tuple]
"""Where a branch decided by set operations alone keeps its subscriber keys: a table name and
the path of dictionary keys down to the set of keys (see :meth:`RuleIndex._slot_of`)."""


@dataclass(slots=True)
class _Entry:
    """One distinct rule, the subscriber keys that share it, and its compiled branches."""

    rule: Rule
    subscribers: set[Hashable]
    slots: tuple[Slot, ...]
    """Branches decided with set operations alone: the table slots holding the keys."""
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
        self._phrases: dict[Scope, dict[str, dict[str, set[Hashable]]]] = {}
        """Scope → first two words → words → keys of the rules the phrase matches in the scope
        (words joined with JOINER): a document's word pairs find them; longer phrases are then
        looked up among its runs of that length, worked out only then."""
        self._prefixes: dict[Scope, dict[str, set[Hashable]]] = {}
        """Scope → prefix → keys of the rules matched by a word of the scope starting with it."""
        self._all_of: dict[Scope, dict[str, set[frozenset[str]]]] = {}
        """Scope → key word → the word sets of the ANDs of words keyed on it (see
        :meth:`_slot_of`); their keys are in :attr:`_keys_of`."""
        self._but_not: dict[Scope, dict[str, set[frozenset[str]]]] = {}
        """Scope → word → for each ``word -other -...``, the excluded words plus a marker of
        ``word`` that no document has; their keys are in :attr:`_keys_of`."""
        self._keys_of: dict[str, dict[Scope, dict[frozenset[str], set[Hashable]]]] = {
            "all_of": {},
            "but_not": {},
        }
        """Table → scope → word set of :attr:`_all_of` or :attr:`_but_not` → subscriber keys."""
        self._tables = {
            "sure": self._sure,
            "phrase": self._phrases,
            "prefix": self._prefixes,
            "all_of": self._all_of,
            "but_not": self._but_not,
        }
        self._sure_prefix_lengths: Counter[tuple[Scope, int]] = Counter()
        self._sure_probes: dict[Scope, tuple[int, ...]] = {}
        """Scope → distinct lengths of the prefixes in :attr:`_prefixes` for it, ascending."""
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
        tables = self._tables
        for name, path in entry.slots:
            if name in self._keys_of:
                scope, word, item = path
                tables[name].setdefault(scope, {}).setdefault(word, set()).add(item)
                self._keys_of[name].setdefault(scope, {}).setdefault(item, set()).add(key)
                continue
            table = tables[name]
            for step in path[:-1]:
                table = table.setdefault(step, {})
            table.setdefault(path[-1], set()).add(key)
        self._entry_of[key] = entry

    def remove(self, key: Hashable) -> None:
        """Forget ``key``; the rule itself goes once no other key shares it."""
        try:
            entry = self._entry_of.pop(key)
        except KeyError:
            raise KeyError(f"no rule is registered under key {key!r}") from None
        entry.subscribers.discard(key)
        tables = self._tables
        for name, path in entry.slots:
            if name in self._keys_of:
                self._remove_checked(name, path, key)
                continue
            trail = [tables[name]]
            for step in path[:-1]:
                trail.append(trail[-1][step])
            _discard(trail[-1], path[-1], key)
            for table, step in zip(reversed(trail[:-1]), reversed(path[:-1]), strict=True):
                if not table[step]:
                    del table[step]
        if not entry.subscribers:
            self._unregister(entry)

    def _remove_checked(self, name: str, path: tuple, key: Hashable) -> None:
        scope, word, item = path
        keys_of = self._keys_of[name]
        _discard(keys_of[scope], item, key)
        if item not in keys_of[scope]:
            if not keys_of[scope]:
                del keys_of[scope]
            table = self._tables[name]
            _discard(table[scope], word, item)
            if not table[scope]:
                del table[scope]

    def match(self, doc: DocumentLike) -> set[Hashable]:
        """Keys whose rule matches ``doc``; the same as asking every rule, only faster."""
        doc = Document.of(doc)
        words_in = doc.words_in
        matched: set[Hashable] = set()
        update = matched.update
        # Set-decided branches: every loop below runs once per table hit, the rest is in C.
        for scope, table in self._sure.items():
            update(*map(table.__getitem__, table.keys() & words_in[scope]))
        for scope, table in self._all_of.items():
            words = words_in[scope]
            items = chain.from_iterable(map(table.__getitem__, table.keys() & words))
            keys_of = self._keys_of["all_of"][scope]
            update(*map(keys_of.__getitem__, filter(words.issuperset, items)))
        for scope, table in self._but_not.items():
            words = words_in[scope]
            items = chain.from_iterable(map(table.__getitem__, table.keys() & words))
            keys_of = self._keys_of["but_not"][scope]
            update(*map(keys_of.__getitem__, filter(words.isdisjoint, items)))
        for scope, table in self._phrases.items():
            for pair in table.keys() & doc.ngrams(scope, 2):
                for phrase, keys in table[pair].items():
                    if phrase == pair or phrase in doc.ngrams(scope, phrase.count(JOINER) + 1):
                        update(keys)
        for scope, table in self._prefixes.items():
            for length in self._sure_probes[scope]:
                update(*map(table.__getitem__, table.keys() & doc.heads(scope, length)))
        for item in self._candidate_clauses(doc):
            if item.passes(words_in) and (item.exact or item.rule.test(doc)):
                update(item.subscribers)
        return matched

    def candidates(self, doc: DocumentLike) -> list[Rule]:
        """The distinct rules found through their keys for ``doc`` (for diagnostics).

        Rules with a plain-word, phrase or prefix branch present are matches outright; ANDs of
        words and ``word -other`` count when their key word is there; the others are those
        whose clauses :meth:`match` checks.
        """
        doc = Document.of(doc)
        words_in = doc.words_in
        found: dict[str, Rule] = {}

        def note(keys: Iterable[Hashable]) -> None:
            for key in keys:
                rule = self._entry_of[key].rule
                found[rule.canonical] = rule

        for scope, table in self._sure.items():
            for word in table.keys() & words_in[scope]:
                note(table[word])
        for name in self._keys_of:
            for scope, table in self._tables[name].items():
                for word in table.keys() & words_in[scope]:
                    for item in table[word]:
                        note(self._keys_of[name][scope][item])
        for scope, table in self._phrases.items():
            for pair in table.keys() & doc.ngrams(scope, 2):
                for phrase, keys in table[pair].items():
                    if phrase == pair or phrase in doc.ngrams(scope, phrase.count(JOINER) + 1):
                        note(keys)
        for scope, table in self._prefixes.items():
            for length in self._sure_probes[scope]:
                for head in table.keys() & doc.heads(scope, length):
                    note(table[head])
        for item in self._candidate_clauses(doc):
            found[item.rule.canonical] = item.rule  # type: ignore[attr-defined]
        return list(found.values())

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

    @staticmethod
    def _slot_of(branch: Node, rule: Rule) -> Slot | None:
        """Where ``branch`` keeps its keys if set operations alone decide it, else None.

        * one word → ``sure``: the word is in the scope;
        * a phrase → ``phrase``: its words are consecutive in one field of the scope;
        * a one-word prefix → ``prefix``: it starts a word of the scope;
        * an AND of words of one scope → ``all_of``, under its key word: all are there;
        * ``word -other ...`` in one scope → ``but_not``: the word is, none of the others.
        """
        if isinstance(branch, Term):
            if is_plain(branch):
                return "sure", (branch.field, branch.words[0])
            if not branch.prefix:
                pair = JOINER.join(branch.words[:2])
                return "phrase", (branch.field, pair, JOINER.join(branch.words))
            if len(branch.words) == 1:
                return "prefix", (branch.field, branch.words[0])
            return None
        clause = compile_clause(branch, set(), rule)
        if not clause.exact or clause.any_of or len(clause.needs) != 1:
            return None
        (scope, needs) = clause.needs[0]
        # The key word depends on the words alone, so equal word sets share one bucket.
        word = max(needs, key=lambda w: (len(w), w))
        if not clause.excludes:
            return "all_of", (scope, word, needs)
        if len(needs) == 1 and len(clause.excludes) == 1 and clause.excludes[0][0] == scope:
            # JOINER is never part of a document's word: the marker keeps ``isdisjoint`` exact
            # and makes the set tell ``a -c`` from ``b -c``.
            return "but_not", (scope, word, clause.excludes[0][1] | {JOINER + word})
        return None

    def _register(self, rule: Rule) -> _Entry:
        if index_keys(rule.node) is None:  # compile() rejects such rules; a hand-made one may not
            raise ValueError(f"rule {str(rule)!r} has no term that must appear; cannot index it")
        subscribers: set[Hashable] = set()
        slots, clauses = [], []
        for branch in branches(rule.node):
            slot = self._slot_of(branch, rule)
            if slot is not None:
                slots.append(slot)
            else:
                clauses.append(compile_clause(branch, subscribers, rule))
        entry = _Entry(rule, subscribers, tuple(dict.fromkeys(slots)), tuple(clauses))
        self._entries[rule.canonical] = entry
        self._count_sure_prefixes(entry, +1)
        for item in entry.clauses:
            for text, is_prefix in index_keys(item.branch) or ():
                table = self._by_prefix if is_prefix else self._by_word
                table.setdefault(text, []).append(item)
                if is_prefix:
                    self._count_prefix_length(len(text), +1)
        return entry

    def _unregister(self, entry: _Entry) -> None:
        del self._entries[entry.rule.canonical]
        self._count_sure_prefixes(entry, -1)
        for item in entry.clauses:
            for text, is_prefix in index_keys(item.branch) or ():
                table = self._by_prefix if is_prefix else self._by_word
                _discard(table, text, item)
                if is_prefix:
                    self._count_prefix_length(len(text), -1)

    def _count_sure_prefixes(self, entry: _Entry, change: int) -> None:
        counts = self._sure_prefix_lengths
        touched = False
        for scope, text in (path for name, path in entry.slots if name == "prefix"):
            counts[scope, len(text)] += change
            if counts[scope, len(text)] == 0:
                del counts[scope, len(text)]
            touched = True
        if touched:
            probes: dict[Scope, list[int]] = {}
            for scope, length in sorted(counts, key=lambda item: item[1]):
                probes.setdefault(scope, []).append(length)
            self._sure_probes = {scope: tuple(lengths) for scope, lengths in probes.items()}

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
