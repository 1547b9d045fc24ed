"""Other names of a term: the same place (or person) written in other languages and scripts.

An :class:`Aliases` table is data handed in by the caller (``bot.aliases`` builds it from
CLDR and the config); the rule engine itself reads no files. A table holds *groups*: one
thing's names (``Azerbaijan``, ``Азербайджан``, ``אזרבייג׳ן``...) and, for each name, the
written forms it takes in running text (``Азербайджана``, ``ולאזרבייג׳ן``...).

How it is matched, so that the cost does not grow with the number of subscriptions:

* :func:`rules.compile` turns a term that is one of the names into a single *marker* word
  (:func:`marker`), a word no text contains. The index and the rule's test then treat it as
  any plain word: one set lookup, whatever the number of names and forms behind it.
* A small table of a few terms (one chat's own aliases) is expanded in the rule instead
  (``inline`` of :func:`rules.compile`): the term becomes an OR of itself and each form, the
  index keeps those as any other words, and the rule's canonical form stays the term's.
* A :class:`~rules.Document` is expanded once per table (:meth:`Document.expand`): the
  forms found in it (one C-level intersection of its words with the table's first words,
  then a check of the few phrases that start there) add their groups' markers to its word
  sets, and are kept with their spans to explain a match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rules.folding import words as folded_words

MARKER = "\x1e"
"""Starts a group's marker word: a control character, never part of a word of a text."""


def marker(group: str) -> str:
    """The word standing for every name of ``group`` in rules and expanded documents."""
    return MARKER + group


@dataclass(frozen=True, slots=True)
class Name:
    """One name of a group, as shown (``Азербайджан``), with the forms it is written in."""

    label: str
    forms: tuple[str, ...] = ()
    """Inflected or prefixed spellings (``Азербайджана``); the label itself always counts."""


@dataclass(frozen=True, slots=True)
class AliasHit:
    """A form of a group's name found in one field: its marker, name and token positions."""

    marker: str
    label: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class _Form:
    words: tuple[str, ...]
    marker: str
    label: str


class Aliases:
    """Groups of names; which term names a group, and where a text mentions one.

    ``groups`` maps a group's key (e.g. ``AZ``) to its names. A term expands when its folded
    words equal a name's label (not one of its inflected forms: ``Азербайджана`` typed in a
    rule stays a word of its own).
    """

    def __init__(self, groups: Mapping[str, Sequence[Name]]) -> None:
        self._names: dict[str, tuple[Name, ...]] = {}
        self._forms: dict[str, list[tuple[str, ...]]] = {}
        self._group_of: dict[tuple[str, ...], str] = {}
        self._by_first: dict[str, list[_Form]] = {}
        seen: set[tuple[tuple[str, ...], str]] = set()
        """Forms already kept: Azerbaycan and Azərbaycan fold alike, the first name counts."""
        for group, names in groups.items():
            self._names[group] = tuple(names)
            for name in names:
                label_words = tuple(folded_words(name.label))
                if not label_words:
                    continue
                self._group_of.setdefault(label_words, group)
                for form in dict.fromkeys((name.label, *name.forms)):
                    form_words = tuple(folded_words(form))
                    if form_words and (form_words, group) not in seen:
                        seen.add((form_words, group))
                        entry = _Form(form_words, marker(group), name.label)
                        self._by_first.setdefault(form_words[0], []).append(entry)
                        self._forms.setdefault(group, []).append(form_words)
        self.first_words = frozenset(self._by_first)
        """Every word a form starts with: a document's words are intersected with these."""

    def group_of(self, words: tuple[str, ...]) -> str | None:
        """The group a term of these folded words names, if any."""
        return self._group_of.get(words)

    def names_of(self, words: tuple[str, ...]) -> tuple[Name, ...]:
        """The names of the group a term of these folded words names; empty if none."""
        group = self._group_of.get(words)
        return self._names[group] if group is not None else ()

    def names(self, group: str) -> tuple[str, ...]:
        """The labels of ``group``'s names, in the order given, each once."""
        return tuple(dict.fromkeys(name.label for name in self._names.get(group, ())))

    def forms(self, group: str) -> tuple[tuple[str, ...], ...]:
        """The folded words of every form of ``group``'s names (labels and inflections): what
        a text must contain for a term naming the group to match it."""
        return tuple(self._forms.get(group, ()))

    def find(
        self, words: Sequence[str], positions: Mapping[str, Sequence[int]], found: Iterable[str]
    ) -> list[AliasHit]:
        """Where the forms starting with the words of ``found`` occur in ``words``.

        ``found`` is the part of the field's words that :attr:`first_words` has (the caller
        intersects the sets); ``positions`` says where each word occurs.
        """
        hits: list[AliasHit] = []
        for first in found:
            for form in self._by_first[first]:
                size = len(form.words)
                for at in positions[first]:
                    if size == 1 or tuple(words[at : at + size]) == form.words:
                        hits.append(AliasHit(form.marker, form.label, at, at + size - 1))
        return hits

    def __len__(self) -> int:
        return len(self._names)
