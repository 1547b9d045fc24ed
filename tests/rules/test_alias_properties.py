"""The properties of tests/rules/test_properties.py with aliases: rules over names in several
scripts, some written ``=name``, matched through an alias table (document markers) and a
chat's own table (expanded in the rule), by the index and rule by rule alike."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import rules
from tests.rules.strategies import FIELD_NAMES, relaxed

TABLE = rules.Aliases(
    {
        "AZ": [
            rules.Name("Azerbaijan"),
            rules.Name("Азербайджан", ("Азербайджана", "Азербайджаном")),
            rules.Name("אזרבייג׳ן", ("ולאזרבייג׳ן", "באזרבייג׳ן")),
        ],
        "IL": [rules.Name("Israel"), rules.Name("Израиль", ("Израиля",)), rules.Name("ישראל")],
        "US": [rules.Name("United States"), rules.Name("USA"), rules.Name("ארצות הברית")],
    }
)
OWN = rules.Aliases(
    {"eli cohen": [rules.Name("Eli Cohen"), rules.Name("אלי כהן"), rules.Name("Baku")]}
)
WORDS = ["Israel", "Israeli", "Azerbaijan", "Азербайджана", "ולאזרבייג׳ן", "ישראל", "USA", "Baku"]
WORDS += ["United", "States", "Eli", "Cohen", "אלי", "כהן", "Азербайджан", "a"]

words = st.sampled_from(WORDS)
terms = st.one_of(
    words,
    words.map(lambda w: "=" + w),
    words.map(lambda w: w[: max(1, len(w) // 2)] + "*"),
    st.lists(words, min_size=2, max_size=2).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.lists(words, min_size=2, max_size=2).map(lambda ws: '="' + " ".join(ws) + '"'),
    st.just('"United States"'),
    st.just('"Eli Cohen"'),
)
fielded = st.tuples(st.sampled_from(FIELD_NAMES), terms).map("".join)
operator = st.sampled_from([" + ", " | ", " -", " "])
rule_texts = st.recursive(
    fielded,
    lambda children: st.one_of(
        st.tuples(children, operator, children).map("".join),
        children.map(lambda c: f"({c})"),
    ),
    max_leaves=5,
)
separators = st.sampled_from([" ", ", ", "'s ", "-", ". "])
field_texts = st.lists(st.tuples(words, separators).map("".join), max_size=10).map("".join)
documents = st.builds(rules.Document, title=field_texts, text=field_texts, source=field_texts)


def _compiled(text: str, inline: rules.Aliases | None = None) -> rules.Rule | None:
    try:
        return rules.compile(text, TABLE, inline)
    except rules.RuleSyntaxError:
        return None


@relaxed
@given(st.lists(rule_texts, min_size=1, max_size=20), st.lists(documents, max_size=4))
def test_the_index_with_aliases_equals_rule_by_rule(texts: list[str], docs: list) -> None:
    compiled = {}
    for key, text in enumerate(texts):
        rule = _compiled(text, OWN if key % 2 else None)  # two "chats": with and without
        if rule is not None:
            compiled[key] = rule
    index: rules.RuleIndex[int] = rules.RuleIndex(TABLE)
    for key, rule in compiled.items():
        index.add(key, rule)
    for doc in docs:
        # each rule on a fresh document: a rule expands what it is given, as the index does
        fresh = {key: rules.Document(doc.title, doc.text, doc.source) for key in compiled}
        expected = {key for key, rule in compiled.items() if rule.matches(fresh[key])}
        assert index.match(doc) == expected


@relaxed
@given(rule_texts, documents)
def test_shown_rules_keep_their_meaning_and_explain_their_matches(
    text: str, doc: rules.Document
) -> None:
    rule = _compiled(text, OWN)
    if rule is None:
        return
    again = rules.compile(str(rule), TABLE, OWN)
    assert again.canonical == rule.canonical
    assert again.matches(doc) == rule.matches(doc)
    hits = rule.explain(doc)
    assert (hits is not None) == rule.matches(doc)
    for hit in hits or ():
        assert hit.term.split(" (")[0] in rule.terms
        assert 0 <= hit.start < hit.end <= len(getattr(doc, hit.field))


@relaxed
@given(rule_texts)
def test_the_canonical_form_does_not_depend_on_aliases(text: str) -> None:
    rule = _compiled(text, OWN)
    if rule is not None:
        assert rules.compile(text).canonical == rule.canonical
