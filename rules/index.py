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

Aliases (:mod:`rules.aliases`) cost the index nothing per rule: a term naming an alias group
is one marker word, kept like any other word, and :meth:`RuleIndex.match` expands the document
once (its words against the table's), adding the markers of the groups it names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sized
from dataclasses import dataclass
from itertools import chain
from typing import Generic, TypeVar

from rules.aliases import Aliases
from rules.clauses import Clause, KeyT, Scope, branches, compile_clause, is_plain
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
            union: set[IndexKey] = set()
            for child in children:
                keys = index_keys(child)
                if keys is None:
                    return None
                union |= keys
            return frozenset(union)
    raise TypeError(f"not a rule node: {node!r}")


@dataclass(frozen=True, slots=True)
class _WordSlot:
    """A one-word branch (table ``sure``) or a one-word prefix (table ``prefix``)."""

    prefix: bool
    scope: Scope
    word: str


@dataclass(frozen=True, slots=True)
class _PhraseSlot:
    """A phrase, kept under its first two words and then its words (joined with JOINER)."""

    scope: Scope
    pair: str
    phrase: str


@dataclass(frozen=True, slots=True)
class _WordSetSlot:
    """An AND of words (``all_of``) or ``word -other ...`` (``but_not``, when ``excluding``):
    its word set, kept under its key word."""

    excluding: bool
    scope: Scope
    word: str
    words: frozenset[str]


Slot = _WordSlot | _PhraseSlot | _WordSetSlot
"""Where a branch decided by set operations alone keeps its subscriber keys (see
:meth:`RuleIndex._slot_of`)."""

_KeysByWord = dict[str, set[KeyT]]
"""Word → subscriber keys."""
_WordSets = dict[str, set[frozenset[str]]]
"""Key word → the word sets of the branches kept under it."""
_KeysByWordSet = dict[frozenset[str], set[KeyT]]
"""Word set of :data:`_WordSets` → subscriber keys."""


@dataclass(slots=True)
class _Entry(Generic[KeyT]):
    """One distinct rule, the subscriber keys that share it, and its compiled branches."""

    rule: Rule
    subscribers: set[KeyT]
    slots: tuple[Slot, ...]
    """Branches decided with set operations alone: the table slots holding the keys."""
    clauses: tuple[Clause[KeyT], ...]
    """The other branches, each checked when one of its index keys is in the document."""


class RuleIndex(Generic[KeyT]):
    """Subscriber key → rule, answering "which keys match this document?".

    Keys are whatever the caller uses to identify a subscription (e.g. its database id).
    Rules compiled with an alias table must all share the index's ``aliases``.
    """

    def __init__(self, aliases: Aliases | None = None) -> None:
        self.aliases = aliases
        self._entry_of: dict[KeyT, _Entry[KeyT]] = {}
        self._entries: dict[str, _Entry[KeyT]] = {}
        self._sure: dict[Scope, _KeysByWord[KeyT]] = {}
        """Scope → word → keys of the rules that match whenever the word is in that scope."""
        self._phrases: dict[Scope, dict[str, _KeysByWord[KeyT]]] = {}
        """Scope → first two words → words → keys of the rules the phrase matches in the scope
        (words joined with JOINER): a document's word pairs find them; longer phrases are then
        looked up among its runs of that length, worked out only then."""
        self._prefixes: dict[Scope, _KeysByWord[KeyT]] = {}
        """Scope → prefix → keys of the rules matched by a word of the scope starting with it."""
        self._all_of: dict[Scope, _WordSets] = {}
        """Scope → key word → the word sets of the ANDs of words keyed on it (see
        :meth:`_slot_of`); their keys are in :attr:`_all_of_keys`."""
        self._all_of_keys: dict[Scope, _KeysByWordSet[KeyT]] = {}
        self._but_not: dict[Scope, _WordSets] = {}
        """Scope → word → for each ``word -other -...``, the excluded words plus a marker of
        ``word`` that no document has; their keys are in :attr:`_but_not_keys`."""
        self._but_not_keys: dict[Scope, _KeysByWordSet[KeyT]] = {}
        self._sure_prefix_lengths: Counter[tuple[Scope, int]] = Counter()
        self._sure_probes: dict[Scope, tuple[int, ...]] = {}
        """Scope → distinct lengths of the prefixes in :attr:`_prefixes` for it, ascending."""
        self._by_word: dict[str, set[Clause[KeyT]]] = {}
        self._by_prefix: dict[str, set[Clause[KeyT]]] = {}
        self._prefix_lengths: Counter[int] = Counter()
        self._probe_lengths: tuple[int, ...] = ()
        """Distinct prefix lengths in use, ascending: the only lengths worth probing."""

    def add(self, key: KeyT, rule: Rule) -> None:
        """Register ``rule`` under ``key``, replacing what ``key`` had before."""
        if rule.aliases is not None and rule.aliases is not self.aliases:
            raise ValueError(f"rule {str(rule)!r} was compiled with another alias table")
        if key in self._entry_of:
            self.remove(key)
        entry = self._entries.get(rule.key)
        if entry is None:
            entry = self._register(rule)
        entry.subscribers.add(key)
        for slot in entry.slots:
            self._keys_at(slot).add(key)
        self._entry_of[key] = entry

    def remove(self, key: KeyT) -> None:
        """Forget ``key``; the rule itself goes once no other key shares it."""
        try:
            entry = self._entry_of.pop(key)
        except KeyError:
            raise KeyError(f"no rule is registered under key {key!r}") from None
        entry.subscribers.discard(key)
        for slot in entry.slots:
            self._release(slot, key)
        if not entry.subscribers:
            self._unregister(entry)

    def _word_set_tables(
        self, excluding: bool
    ) -> tuple[dict[Scope, _WordSets], dict[Scope, _KeysByWordSet[KeyT]]]:
        """The table of word sets of ``all_of`` or ``but_not`` and the keys of each set."""
        if excluding:
            return self._but_not, self._but_not_keys
        return self._all_of, self._all_of_keys

    def _keys_at(self, slot: Slot) -> set[KeyT]:
        """The subscriber keys kept in ``slot``, creating the tables down to it as needed."""
        match slot:
            case _WordSlot(prefix, scope, word):
                table = self._prefixes if prefix else self._sure
                return table.setdefault(scope, {}).setdefault(word, set())
            case _PhraseSlot(scope, pair, phrase):
                by_pair = self._phrases.setdefault(scope, {})
                return by_pair.setdefault(pair, {}).setdefault(phrase, set())
            case _WordSetSlot(excluding, scope, word, words):
                word_sets, keys_of = self._word_set_tables(excluding)
                word_sets.setdefault(scope, {}).setdefault(word, set()).add(words)
                return keys_of.setdefault(scope, {}).setdefault(words, set())

    def _release(self, slot: Slot, key: KeyT) -> None:
        """Take ``key`` out of ``slot``, dropping each table that this empties."""
        match slot:
            case _WordSlot(prefix, scope, word):
                table = self._prefixes if prefix else self._sure
                _discard(table[scope], word, key)
                _drop_if_empty(table, scope)
            case _PhraseSlot(scope, pair, phrase):
                by_pair = self._phrases[scope]
                _discard(by_pair[pair], phrase, key)
                _drop_if_empty(by_pair, pair)
                _drop_if_empty(self._phrases, scope)
            case _WordSetSlot(excluding, scope, word, words):
                word_sets, keys_of = self._word_set_tables(excluding)
                _discard(keys_of[scope], words, key)
                if words not in keys_of[scope]:
                    _drop_if_empty(keys_of, scope)
                    _discard(word_sets[scope], word, words)
                    _drop_if_empty(word_sets, scope)

    def match(self, doc: DocumentLike) -> set[KeyT]:
        """Keys whose rule matches ``doc``; the same as asking every rule, only faster."""
        doc = self._prepared(doc)
        words_in = doc.words_in
        matched: set[KeyT] = set()
        update = matched.update
        # Set-decided branches: every loop below runs once per table hit, the rest is in C.
        for scope, sure in self._sure.items():
            update(*map(sure.__getitem__, sure.keys() & words_in[scope]))
        for scope, all_of in self._all_of.items():
            words = words_in[scope]
            items = chain.from_iterable(map(all_of.__getitem__, all_of.keys() & words))
            keys_of = self._all_of_keys[scope]
            update(*map(keys_of.__getitem__, filter(words.issuperset, items)))
        for scope, but_not in self._but_not.items():
            words = words_in[scope]
            items = chain.from_iterable(map(but_not.__getitem__, but_not.keys() & words))
            keys_of = self._but_not_keys[scope]
            update(*map(keys_of.__getitem__, filter(words.isdisjoint, items)))
        for scope, phrases in self._phrases.items():
            for pair in phrases.keys() & doc.ngrams(scope, 2):
                for phrase, keys in phrases[pair].items():
                    if phrase == pair or phrase in doc.ngrams(scope, phrase.count(JOINER) + 1):
                        update(keys)
        for scope, prefixes in self._prefixes.items():
            for length in self._sure_probes[scope]:
                update(*map(prefixes.__getitem__, prefixes.keys() & doc.heads(scope, length)))
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
        doc = self._prepared(doc)
        words_in = doc.words_in
        found: dict[str, Rule] = {}

        def note(keys: Iterable[KeyT]) -> None:
            for key in keys:
                rule = self._entry_of[key].rule
                found[rule.canonical] = rule

        for scope, sure in self._sure.items():
            for word in sure.keys() & words_in[scope]:
                note(sure[word])
        for excluding in (False, True):
            word_sets, keys_of = self._word_set_tables(excluding)
            for scope, by_word in word_sets.items():
                for word in by_word.keys() & words_in[scope]:
                    for words in by_word[word]:
                        note(keys_of[scope][words])
        for scope, phrases in self._phrases.items():
            for pair in phrases.keys() & doc.ngrams(scope, 2):
                for phrase, keys in phrases[pair].items():
                    if phrase == pair or phrase in doc.ngrams(scope, phrase.count(JOINER) + 1):
                        note(keys)
        for scope, prefixes in self._prefixes.items():
            for length in self._sure_probes[scope]:
                for head in prefixes.keys() & doc.heads(scope, length):
                    note(prefixes[head])
        for item in self._candidate_clauses(doc):
            found[item.rule.canonical] = item.rule
        return list(found.values())

    def _prepared(self, doc: DocumentLike) -> Document:
        """``doc`` as a Document, expanded with the index's alias table if it has one."""
        doc = Document.of(doc)
        if self.aliases is not None:
            doc.expand(self.aliases)
        return doc

    def __len__(self) -> int:
        return len(self._entry_of)

    def __contains__(self, key: object) -> bool:
        return key in self._entry_of

    def _candidate_clauses(self, doc: Document) -> set[Clause[KeyT]]:
        """Clauses with an index key in ``doc``; set intersections keep the misses in C."""
        found: set[Clause[KeyT]] = set()
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
                return _WordSlot(False, branch.field, branch.words[0])
            if not branch.prefix:
                pair = JOINER.join(branch.words[:2])
                return _PhraseSlot(branch.field, pair, JOINER.join(branch.words))
            if len(branch.words) == 1:
                return _WordSlot(True, branch.field, branch.words[0])
            return None
        clause: Clause[object] = compile_clause(branch, set(), rule)  # only its words are read
        if not clause.exact or clause.any_of or len(clause.needs) != 1:
            return None
        (scope, needs) = clause.needs[0]
        # The key word depends on the words alone, so equal word sets share one bucket.
        word = max(needs, key=lambda w: (len(w), w))
        if not clause.excludes:
            return _WordSetSlot(False, scope, word, needs)
        if len(needs) == 1 and len(clause.excludes) == 1 and clause.excludes[0][0] == scope:
            # JOINER is never part of a document's word: the marker keeps ``isdisjoint`` exact
            # and makes the set tell ``a -c`` from ``b -c``.
            return _WordSetSlot(True, scope, word, clause.excludes[0][1] | {JOINER + word})
        return None

    def _register(self, rule: Rule) -> _Entry[KeyT]:
        # compile() rejects such rules; a hand-made one may not
        if index_keys(rule.match_node) is None:
            raise ValueError(f"rule {str(rule)!r} has no term that must appear; cannot index it")
        subscribers: set[KeyT] = set()
        slots: list[Slot] = []
        clauses: list[Clause[KeyT]] = []
        for branch in branches(rule.match_node):
            slot = self._slot_of(branch, rule)
            if slot is not None:
                slots.append(slot)
            else:
                clauses.append(compile_clause(branch, subscribers, rule))
        entry = _Entry(rule, subscribers, tuple(dict.fromkeys(slots)), tuple(clauses))
        self._entries[rule.key] = entry
        self._count_sure_prefixes(entry, +1)
        for item in entry.clauses:
            for text, is_prefix in index_keys(item.branch) or ():
                table = self._by_prefix if is_prefix else self._by_word
                table.setdefault(text, set()).add(item)
                if is_prefix:
                    self._count_prefix_length(len(text), +1)
        return entry

    def _unregister(self, entry: _Entry[KeyT]) -> None:
        del self._entries[entry.rule.key]
        self._count_sure_prefixes(entry, -1)
        for item in entry.clauses:
            for text, is_prefix in index_keys(item.branch) or ():
                table = self._by_prefix if is_prefix else self._by_word
                _discard(table, text, item)
                if is_prefix:
                    self._count_prefix_length(len(text), -1)

    def _count_sure_prefixes(self, entry: _Entry[KeyT], change: int) -> None:
        counts = self._sure_prefix_lengths
        touched = False
        for slot in entry.slots:
            if not (isinstance(slot, _WordSlot) and slot.prefix):
                continue
            counts[slot.scope, len(slot.word)] += change
            if counts[slot.scope, len(slot.word)] == 0:
                del counts[slot.scope, len(slot.word)]
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


_K = TypeVar("_K")
_T = TypeVar("_T")
_SizedT = TypeVar("_SizedT", bound=Sized)


def _discard(table: dict[_K, set[_T]], key: _K, item: _T) -> None:
    """Take ``item`` out of ``table[key]``, dropping the emptied set."""
    bucket = table[key]
    bucket.remove(item)
    if not bucket:
        del table[key]


def _drop_if_empty(table: dict[_K, _SizedT], key: _K) -> None:
    if not table[key]:
        del table[key]
