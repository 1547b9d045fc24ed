"""What the property tests of rules share: the field prefixes a generated term may carry, and
hypothesis settings for generators that filter a lot, and the rules they generate."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FIELD_NAMES = ["", "", "", "title:", "text:", "source:"]
"""Mostly no field, so that most generated terms search everywhere."""

# Other suites share this machine: no per-example deadline (speed is the benchmark's business),
# and generated rule texts are often invalid, so filtering is expected.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


# A small vocabulary so that generated rules and documents share words often.
WORDS = ["Israel", "Israeli", "Azerbaijan", "Baku", "Iran", "Élysée", "Москва", "שלום", "a", "an"]

words = st.sampled_from(WORDS)
terms = st.one_of(
    words,
    words.map(lambda w: w[: max(1, len(w) // 2)] + "*"),
    st.lists(words, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
    # single quotes quote phrases too; apostrophes in and before words do not
    st.lists(words, min_size=2, max_size=3).map(lambda ws: "'" + " ".join(ws) + "'"),
    st.lists(words, min_size=1, max_size=2).map(lambda ws: "‘" + " ".join(ws) + "’"),
    words.map(lambda w: f"{w}'s"),
    words.map(lambda w: f"'{w}"),
    st.lists(words, min_size=2, max_size=2).map("-".join),
)
fielded = st.tuples(st.sampled_from(FIELD_NAMES), terms).map("".join)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operator = st.sampled_from([" + ", " & ", " AND ", " ", " | ", ", ", " OR "])
    negation = st.sampled_from(["-", "!", "NOT "])
    return st.one_of(
        st.tuples(children, operator, children).map("".join),
        st.tuples(negation, children).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(children, st.just(" "), negation, children).map("".join),
        children.map(lambda c: f"({c})"),
    )


rule_texts = st.recursive(fielded, _combine, max_leaves=6)
