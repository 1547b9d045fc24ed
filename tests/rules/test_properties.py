"""Properties over generated rules and documents (hypothesis)."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

import rules
from tests.rules.strategies import relaxed, rule_texts, words

separators = st.sampled_from([" ", ", ", "'s ", "’s ", "-", ". ", "\n"])
field_texts = st.lists(st.tuples(words, separators).map("".join), max_size=12).map("".join)
documents = st.builds(rules.Document, title=field_texts, text=field_texts, source=field_texts)


def _compiled(text: str) -> rules.Rule:
    try:
        return rules.compile(text)
    except rules.RuleSyntaxError:
        assume(False)
        raise


@relaxed
@given(st.text(max_size=80))
def test_compile_returns_a_rule_or_raises_rule_syntax_error(text: str) -> None:
    try:
        assert isinstance(rules.compile(text), rules.Rule)
    except rules.RuleSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert str(error)


@relaxed
@given(st.text(alphabet="()\"+&|,!-*: AONTRDtitle:sourcexyé“”„«»'‘’", max_size=60))
def test_compile_on_operator_soup_returns_a_rule_or_raises_rule_syntax_error(text: str) -> None:
    try:
        assert isinstance(rules.compile(text), rules.Rule)
    except rules.RuleSyntaxError as error:
        assert 0 <= error.position <= len(text)


@relaxed
@given(rule_texts)
def test_str_compiles_back_to_the_same_rule(text: str) -> None:
    rule = _compiled(text)
    assert rules.compile(str(rule)).canonical == rule.canonical


@relaxed
@given(rule_texts)
def test_the_grouped_form_is_the_same_rule_and_the_other_reading_another(text: str) -> None:
    rule = _compiled(text)
    assert rules.compile(rule.grouped).canonical == rule.canonical
    if rule.other_reading is not None:
        assert rules.compile(rule.other_reading).canonical != rule.canonical


@relaxed
@given(rule_texts, documents)
def test_str_and_canonical_forms_match_the_same_documents(text: str, doc: rules.Document) -> None:
    rule = _compiled(text)
    assert rules.compile(str(rule)).matches(doc) == rule.matches(doc)


@relaxed
@given(rule_texts, documents)
def test_explain_is_none_exactly_when_the_rule_does_not_match(
    text: str, doc: rules.Document
) -> None:
    rule = _compiled(text)
    hits = rule.explain(doc)
    assert (hits is not None) == rule.matches(doc)
    for hit in hits or ():
        assert hit.term in rule.terms
        assert 0 <= hit.start < hit.end <= len(getattr(doc, hit.field))


@relaxed
@given(st.lists(rule_texts, min_size=1, max_size=25), st.lists(documents, max_size=5))
def test_index_equals_rule_by_rule_matching(texts: list[str], docs: list[rules.Document]) -> None:
    compiled = {}
    for key, text in enumerate(texts):
        try:
            compiled[key] = rules.compile(text)
        except rules.RuleSyntaxError:
            continue
    index = rules.RuleIndex()
    for key, rule in compiled.items():
        index.add(key, rule)
    for doc in docs:
        expected = {key for key, rule in compiled.items() if rule.matches(doc)}
        assert index.match(doc) == expected
