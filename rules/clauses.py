"""A rule split into what the index can check with set operations instead of a tree walk.

A rule is an OR of *branches* (a rule that is not an OR is one branch); it matches when any
branch does, so the index handles each branch on its own:

* a branch that is one plain word (``Israel``, ``title:Baku``) is *sure*: the word being in
  the document, in the right field, is the match itself. The index keeps such words in tables
  of subscriber keys and never verifies them;
* any other branch becomes a :class:`Clause`: the words it needs (in which scope), the words it
  must not have, and groups of which it needs one, checked against the document's word sets.
  Most clauses (ANDs of words, ``word -word``, ``(a | b) + c``) are *exact*: passing those checks
  is matching. The others (phrases, prefixes, nested NOTs) use the checks as a cheap necessary
  condition and then ask the rule itself.

In the benchmark (docs/benchmarks.md) many candidates are phrases and ANDs that do not match,
and the checks reject those with one C-level set comparison each.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Generic, TypeGuard, TypeVar

from rules.matcher import Rule
from rules.nodes import And, Node, Not, Or, Term

Scope = str | None
"""A term's field, or None for title and text together."""
ScopedWords = tuple[tuple[Scope, frozenset[str]], ...]
"""Word sets with the scope they are looked up in."""
KeyT = TypeVar("KeyT", bound=Hashable)
"""The type of the keys callers register rules under (e.g. subscription ids)."""


def is_plain(node: Node) -> TypeGuard[Term]:
    """A single whole word: present or absent is one lookup in the document's word set."""
    return isinstance(node, Term) and len(node.words) == 1 and not node.prefix


def branches(node: Node) -> tuple[Node, ...]:
    """The alternatives of a rule: it matches exactly when one of them does."""
    return node.children if isinstance(node, Or) else (node,)


@dataclass(slots=True, eq=False)
class Clause(Generic[KeyT]):
    """One branch of a rule that needs checking, sharing its rule's subscriber set.

    ``eq=False`` keeps identity hashing: the index collects candidate clauses in a set and two
    clauses must never merge.
    """

    branch: Node
    """The branch itself; the index recomputes its keys from it when the rule goes."""
    needs: ScopedWords
    excludes: ScopedWords
    any_of: ScopedWords
    exact: bool
    """Whether passing :meth:`passes` means the branch matches (else the rule is asked)."""
    subscribers: set[KeyT]
    rule: Rule
    """Asked when the clause is not exact."""

    def passes(self, words_in: Mapping[Scope, AbstractSet[str]]) -> bool:
        """The word-set conditions: necessary always, sufficient when :attr:`exact`."""
        for scope, words in self.needs:
            if not words_in[scope] >= words:
                return False
        for scope, words in self.any_of:
            if words_in[scope].isdisjoint(words):
                return False
        for scope, words in self.excludes:  # noqa: SIM110 - no generator per call (hot path)
            if not words_in[scope].isdisjoint(words):
                return False
        return True


class _Conditions:
    """Accumulates a branch's word conditions while walking its children."""

    def __init__(self) -> None:
        self.needs: dict[Scope, set[str]] = {}
        self.excludes: dict[Scope, set[str]] = {}
        self.any_of: list[tuple[Scope, frozenset[str]]] = []
        self.exact = True

    def add(self, node: Node) -> None:
        """Record what ``node``, one operand of an AND, demands of a matching document."""
        match node:
            case Term() if is_plain(node):
                self.needs.setdefault(node.field, set()).add(node.words[0])
            case Term():
                # A phrase or a prefix: its whole words must all be there (necessary only).
                exact_words = node.words[:-1] if node.prefix else node.words
                self.needs.setdefault(node.field, set()).update(exact_words)
                self.exact = False
            case Not(child) if is_plain(child):
                self.excludes.setdefault(child.field, set()).add(child.words[0])
            case Or(children) if _plain_words_of_one_scope(children):
                words = frozenset(child.words[0] for child in children)
                self.any_of.append((children[0].field, words))
            case And(children):
                for child in children:
                    self.add(child)
            case _:
                self.exact = False  # a NOT of a phrase, an OR of mixed terms: ask the rule


def _plain_words_of_one_scope(children: tuple[Node, ...]) -> TypeGuard[tuple[Term, ...]]:
    plain = [child for child in children if is_plain(child)]
    return len(plain) == len(children) and len({term.field for term in plain}) == 1


def _frozen(groups: dict[Scope, set[str]]) -> ScopedWords:
    return tuple((scope, frozenset(words)) for scope, words in groups.items())


def compile_clause(branch: Node, subscribers: set[KeyT], rule: Rule) -> Clause[KeyT]:
    """Compile one non-plain branch of ``rule``."""
    conditions = _Conditions()
    conditions.add(branch)
    return Clause(
        branch,
        _frozen(conditions.needs),
        _frozen(conditions.excludes),
        tuple(conditions.any_of),
        conditions.exact,
        subscribers,
        rule,
    )
