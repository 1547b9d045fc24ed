"""How rare each word is among the articles the story memory holds: document frequencies.

Outlets that retell an event in their own words keep its rare words (the names, places,
organisations and figures) and change the common ones, so two articles are weighed by the
rare words they share (``bot.ingest.rewrites``). Which words are rare is learnt from what the
store has seen recently, not from a fixed list: the story memory adds each article's terms
when it takes the article in and takes them out when it forgets it, so the counts are those
of its window (two days), in every language the deployment reads.

The counts are kept compact: one array of counters indexed by the low bits of a term's id,
whatever the vocabulary (2 MB). Two terms sharing a counter only make both look commoner
than they are, which weighs them less: a missed merge, never a false one.
"""

from __future__ import annotations

import math

import numpy as np

SLOTS_BITS = 19
"""2**19 counters of 4 bytes: 2 MB, for a window's vocabulary of some 10**5 terms."""
COMMON_SHARE = 0.002
COMMON_FLOOR = 10
"""A term in more than this share of the window's articles, and in more than COMMON_FLOOR of
them, is common: it proposes no candidates (``common``). A busy window of 48,000 articles
has about a hundred on one story at most; a term in more of them is a frame, not a fact."""
PRIOR_DOCUMENTS = 100
"""Articles without any of the terms counted besides the window's, so that a window of a
handful of articles weighs all terms nearly alike (two articles sharing a word say nothing
of how rare it is) and its own counts take over as it fills."""


class WordRarity:
    """Document frequencies of term ids (``copies.Profile.terms``) over the story window."""

    def __init__(self) -> None:
        self._counts = np.zeros(1 << SLOTS_BITS, dtype=np.uint32)
        self._mask = np.uint32((1 << SLOTS_BITS) - 1)
        self.documents = 0

    def add(self, terms: np.ndarray) -> np.ndarray:
        """Count one article with these (distinct) term ids; returns which of them are now
        common in the window (``common``), read in the same pass over the 2 MB of counters.
        Two of its terms sharing a counter add one to it, as :meth:`remove` then takes one
        (``np.add.at`` would count both, at ten times the cost)."""
        slots = terms & self._mask
        counts = self._counts[slots] + 1
        self._counts[slots] = counts
        self.documents += 1
        return counts > self._common_limit()

    def remove(self, terms: np.ndarray) -> None:
        """Forget one article counted with :meth:`add` and the same terms."""
        self._counts[terms & self._mask] -= 1
        self.documents -= 1

    def weights(self, terms: np.ndarray) -> np.ndarray:
        """Each term's inverse document frequency, ln((N + P + 1) / (df + 1)) with P the
        ``PRIOR_DOCUMENTS``: lowest for a term in every article, highest for a term no other
        article has."""
        counts = self._counts[terms & self._mask]
        return np.log((self.documents + PRIOR_DOCUMENTS + 1) / (counts + 1.0))

    def common(self, terms: np.ndarray) -> np.ndarray:
        """Which of the terms are common in the window (see ``COMMON_SHARE``)."""
        return self._counts[terms & self._mask] > self._common_limit()

    def _common_limit(self) -> int:
        return max(COMMON_FLOOR, math.floor(self.documents * COMMON_SHARE))

    def copy(self) -> WordRarity:
        """An independent copy (the tests' labelled pairs each start from one window)."""
        twin = WordRarity()
        twin._counts = self._counts.copy()
        twin.documents = self.documents
        return twin
