"""RuleIndex: the percolator gives the rule-by-rule answer while verifying only candidates."""

from __future__ import annotations

import pytest

import rules
from rules.index import index_keys

DOC = rules.Document(
    title="Israel's Herzog to visit Azerbaijan",
    text="Azerbaijani officials in Baku welcomed the Israeli president.",
    source="The Jerusalem Post jpost.com",
)


def _index(**subscriptions: str) -> rules.RuleIndex:
    index = rules.RuleIndex()
    for key, text in subscriptions.items():
        index.add(key, rules.compile(text))
    return index


def test_match_returns_the_keys_whose_rule_matches() -> None:
    index = _index(
        a="Israel + Azerbaijan",
        b="Iran | Armenia",
        c="Azer* -football",
        d='"Herzog to visit"',
        e="source:jpost",
        f="Israel -Baku",
        g="title:Baku",
    )
    assert index.match(DOC) == {"a", "c", "d", "e"}
    assert index.match({"text": "Iran and Armenia"}) == {"b"}
    assert index.match("nothing relevant") == set()


def test_identical_rules_are_verified_once_and_fanned_out() -> None:
    index = _index(a="Israel + Azerbaijan", b="azerbaijan AND israel", c="Israel&Azerbaijan", d="x")
    assert len(index) == 4
    assert len(index._entries) == 2  # one entry a canonical rule
    assert [str(rule) for rule in index.candidates(DOC)] == ["Israel + Azerbaijan"]
    assert index.match(DOC) == {"a", "b", "c"}


def test_only_rules_sharing_a_key_with_the_document_are_candidates() -> None:
    index = _index(a="Israel + Azerbaijan", b="Iran | Armenia", c="Moscow*", d="Baku -Israel")
    assert {str(rule) for rule in index.candidates(DOC)} == {"Israel + Azerbaijan", "Baku -Israel"}


def test_remove_and_replace_without_rebuilding() -> None:
    index = _index(a="Israel", b="Israel", c="Iran*")
    index.remove("a")
    assert index.match(DOC) == {"b"}
    assert "a" not in index
    assert len(index) == 2
    index.remove("b")
    assert index.match(DOC) == set()
    assert len(index._entries) == 1
    index.add("c", rules.compile("Herzog"))  # same key again: replaces its rule
    assert index.match(DOC) == {"c"}
    assert len(index._entries) == 1
    index.add("d", rules.compile("Iran*"))
    index.remove("d")
    assert index.match({"text": "Iranian"}) == set()


def test_removing_an_unknown_key_says_which() -> None:
    with pytest.raises(KeyError, match="42"):
        rules.RuleIndex().remove(42)


@pytest.mark.parametrize(
    ("rule", "keys"),
    [
        ("Israel + Azerbaijan", {("azerbaijan", False)}),  # AND: the rarer (longer) word
        ("Iran | Armenia", {("iran", False), ("armenia", False)}),  # OR: every branch
        ('"Eli Cohen" + Baku', {("cohen", False)}),  # a phrase: its longest word
        ("Azer* + in", {("azer", True)}),  # short words are common
        ("Azer* + Iran", {("iran", False)}),  # a prefix is commoner than a word of its length
        ("Is* + in", {("in", False)}),
        ("Nagorno-Kara*", {("nagorno", False)}),
        ("Israel -Azerbaijan", {("israel", False)}),  # never a negated term
        ("(Iran | Iraq) + Azerbaijan", {("azerbaijan", False)}),
        ("(Iran | Armenia) + Baku", {("baku", False)}),
    ],
)
def test_index_keys_choice(rule: str, keys: set[tuple[str, bool]]) -> None:
    assert index_keys(rules.compile(rule).node) == keys


def test_prefix_table_finds_words_of_every_length() -> None:
    index = _index(a="Is*", b="Israe*", c="Israeli*", d="Isr* + Baku", e="Israelite*")
    assert index.match(DOC) == {"a", "b", "c", "d"}
    assert index.match("Is") == {"a"}


def test_plain_word_branches_match_without_verification_in_their_field() -> None:
    index = _index(a="Baku | Armenia", b="title:Baku", c="source:jpost", d="jpost", e="text:Baku")
    assert index.match(DOC) == {"a", "c", "e"}
    index.remove("a")
    assert index.match(DOC) == {"c", "e"}
    assert index.match({"title": "Baku"}) == {"b"}


def test_and_clauses_check_needed_excluded_and_one_of_words_per_field() -> None:
    index = _index(
        a="(Iran | Baku) + Azerbaijan",
        b="(Iran | Armenia) + Azerbaijan",
        c="Azerbaijan -title:Herzog",
        d="Azerbaijan -text:Herzog",
        e="Azerbaijan + source:jpost",
        f='"visit Azerbaijan" -Iran',
        g='"Azerbaijan visit" | Iran',
        h="Israel + Baku + -(Herzog + football)",
    )
    assert index.match(DOC) == {"a", "d", "e", "f", "h"}


def test_a_rule_shared_by_keys_keeps_its_plain_words_until_the_last_key_goes() -> None:
    index = _index(a="Baku | Iran", b="baku OR iran")
    index.remove("a")
    assert index.match(DOC) == {"b"}
    index.remove("b")
    assert index.match(DOC) == set()
    assert len(index._entries) == 0


def test_set_decided_branches_shared_by_rules_survive_add_and_remove() -> None:
    # "Israel + Baku" is a branch of two different rules; "Israel -Moscow" and "Baku -Moscow"
    # exclude the same word under different key words; phrases and prefixes have own tables.
    index = _index(
        a="Israel + Baku",
        b="(Israel + Baku) | Tehran",
        c="Israel -Moscow",
        d="Baku -Moscow",
        e='"Herzog to visit" | "officials in Baku"',
        f="Azer* | title:Herz*",
        g="title:Israel + title:Herzog",
    )
    everything = set("abcdefg")
    assert index.match(DOC) == everything
    assert index.match({"text": "Israel Baku Moscow"}) == {"a", "b"}
    for key in "acef":
        index.remove(key)
    assert index.match(DOC) == {"b", "d", "g"}
    index.add("h", rules.compile("visit*"))
    index.add("a", rules.compile("Baku + Israel"))
    assert index.match(DOC) == {"a", "b", "d", "g", "h"}
    for key in "abdgh":
        index.remove(key)
    assert index.match(DOC) == set()
    assert len(index) == 0
    assert len(index._entries) == 0
    tables = (index._sure, index._phrases, index._prefixes, index._all_of, index._but_not)
    assert not any(tables)
    assert not index._all_of_keys and not index._but_not_keys
