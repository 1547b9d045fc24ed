"""One alert per story: recognising copies of the same story from different sources.

Wire copy is syndicated with small edits (a new headline, a dateline, a trimmed last
paragraph), so copies share most of their headline and lead even when their full texts differ.
Articles are compared on word shingles of the folded title and lead with MinHash LSH, which
keeps each new article's lookup cheap however many stories are kept in the window.

Matched articles are clustered on the event loop thread during ingestion, so ``assign`` is kept
cheap: see the "Summaries" section of docs/benchmarks.md for its cost and what went into it.
"""

from __future__ import annotations

import heapq
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from datasketch import MinHash, MinHashLSH

from bot.summary.boilerplate import strip_boilerplate
from bot.summary.folding import fold

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = timedelta(hours=48)
DEFAULT_THRESHOLD = 0.25
"""Chosen on the labelled pairs (docs/benchmarks.md): copies score 0.3 and up, different
stories on one topic 0.11 at most."""
DEFAULT_NUM_PERM = 128
SHINGLE_WORDS = 2
LEAD_WORDS = 60
"""How much of the text counts as the lead; copies diverge further down (edits, trims)."""
_LEAD_CHARS = 10 * LEAD_WORDS
"""Where to look for the end of the lead: a space this far in is past it in nearly every text."""

_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Entry:
    story: str
    published: datetime
    signature: MinHash | None
    """None when the article has no words to compare: it then forms a story of its own."""


class StoryClusterer:
    """Assigns each article to a story: the key of the first article of that story.

    Kept in memory only; at start-up the caller replays the last ``window`` of stored articles
    through :meth:`assign` in time order to rebuild it.
    """

    def __init__(
        self,
        window: timedelta = DEFAULT_WINDOW,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
    ) -> None:
        self.window = window
        self.threshold = threshold
        self._num_perm = num_perm
        self._index = _BandIndex(threshold, num_perm)
        self._entries: dict[str, _Entry] = {}
        self._by_time: list[tuple[datetime, str]] = []
        """A heap of (published, key) over ``_entries``, oldest first, for :meth:`forget_before`."""

    def __len__(self) -> int:
        return len(self._entries)

    def assign(self, article_key: str, title: str, text: str, published: datetime) -> str:
        """The story id of this article: an earlier near-duplicate's story, else its own key.

        Only articles published within ``window`` of this one count. Assigning a key again
        returns the story it already has.
        """
        if article_key in self._entries:
            return self._entries[article_key].story
        signature = self._signature(title, text)
        story = article_key
        if signature is not None:
            candidates = self._index.add(article_key, signature)
            story = self._closest_story(signature, candidates, published) or article_key
        self._entries[article_key] = _Entry(story, published, signature)
        heapq.heappush(self._by_time, (published, article_key))
        if story != article_key:
            logger.debug("article %s joins story %s", article_key, story)
        return story

    def forget_before(self, ts: datetime) -> int:
        """Drop articles published before ``ts``; returns how many were dropped.

        Called after every poll, so it looks only at the articles it drops, not at the whole
        window (a pass over 20,000 articles took 0.5 ms).
        """
        dropped = 0
        while self._by_time and self._by_time[0][0] < ts:
            _, key = heapq.heappop(self._by_time)
            entry = self._entries.pop(key)
            if entry.signature is not None:
                self._index.remove(key, entry.signature)
            dropped += 1
        return dropped

    def _closest_story(
        self, signature: MinHash, candidates: list[str], published: datetime
    ) -> str | None:
        """The story of the most similar in-window candidate above the threshold, if any."""
        best: tuple[float, str] | None = None
        for key in candidates:
            entry = self._entries[key]
            if entry.signature is None or abs(entry.published - published) > self.window:
                continue
            score = signature.jaccard(entry.signature)
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, entry.story)
        return best[1] if best else None

    def _signature(self, title: str, text: str) -> MinHash | None:
        words = shingles(title, text)
        if not words:
            return None
        template = _template(self._num_perm)
        signature = MinHash(
            num_perm=self._num_perm, scheme=template.scheme, permutations=template.permutations
        )
        signature.update_batch([s.encode() for s in words])
        return signature


class _BandIndex:
    """MinHash LSH banding: the articles whose signatures agree on all rows of some band.

    The same candidates as datasketch's in-memory ``MinHashLSH`` with the same bands, without
    its cost, a fifth of :meth:`StoryClusterer.assign`: a band's bucket key is a slice of the
    signature's bytes (``MinHashLSH`` byte-swaps a copy of every band, to insert and again to
    query). Buckets keep keys in insertion order, so candidates
    come in the same order in every process (a set of str keys is ordered by the salted hash).
    """

    def __init__(self, threshold: float, num_perm: int) -> None:
        bands, self._rows = _band_shape(threshold, num_perm)
        self._tables: list[dict[bytes, dict[str, None]]] = [{} for _ in range(bands)]

    def add(self, key: str, signature: MinHash) -> list[str]:
        """Insert ``key``; returns the keys already sharing a band with it, each once.

        One pass does both, since every article is looked up just before it is inserted.
        """
        found: dict[str, None] = {}
        for table, band in zip(self._tables, self._bands(signature), strict=True):
            bucket = table.get(band)
            if bucket is None:
                table[band] = {key: None}
            else:
                found.update(bucket)
                bucket[key] = None
        return list(found)

    def remove(self, key: str, signature: MinHash) -> None:
        """Take out ``key``, inserted with ``signature``; buckets left empty go too."""
        for table, band in zip(self._tables, self._bands(signature), strict=True):
            bucket = table[band]
            del bucket[key]
            if not bucket:
                del table[band]

    def _bands(self, signature: MinHash) -> list[bytes]:
        """Each band's rows as one bytes key: equal keys, equal rows."""
        values = signature.hashvalues
        raw, width = values.tobytes(), values.itemsize * self._rows
        return [raw[start : start + width] for start in range(0, len(self._tables) * width, width)]


@cache
def _band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band that ``MinHashLSH`` chooses for this threshold.

    Worked out once: its search over shapes takes about 15 ms, which every new clusterer paid.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@cache
def _template(num_perm: int) -> MinHash:
    """An empty MinHash whose permutations every signature shares.

    Drawing them anew for each article (what ``MinHash()`` does) cost a fifth of
    :meth:`StoryClusterer.assign`; they depend only on ``num_perm`` and the default seed.
    """
    return MinHash(num_perm=num_perm)


def shingles(title: str, text: str) -> set[str]:
    """Word pairs of the folded title and lead: the part of a story its copies keep."""
    lead = _lead_words(strip_boilerplate(text, title))
    return _runs(_folded_words(title)) | _runs(lead)


def _lead_words(text: str) -> list[str]:
    """The first LEAD_WORDS words of ``fold(text)``, without folding all of a long text.

    Folding maps each character on its own and a space to a space, so the words of the text up
    to a space are the first words of the whole. Texts run to thousands of characters (full
    pages), and folding the corpus's long non-ASCII texts whole took a tenth of ``assign``.
    """
    cut = text.find(" ", _LEAD_CHARS)
    if cut >= 0:
        words = _folded_words(text[:cut])
        if len(words) >= LEAD_WORDS:
            return words[:LEAD_WORDS]
    return _folded_words(text)[:LEAD_WORDS]


def _folded_words(text: str) -> list[str]:
    """The words of ``fold(text)``.

    ASCII text folds to its lower case with runs of whitespace made one, which changes no word,
    so ``str.lower`` does for it without the translation table and the pass over whitespace.
    """
    return _WORDS.findall(text.lower() if text.isascii() else fold(text))


def _runs(words: list[str]) -> set[str]:
    """Each run of SHINGLE_WORDS consecutive words; fewer words make one shingle, none none."""
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)  # stops at the end
    return set(map(" ".join, runs))
