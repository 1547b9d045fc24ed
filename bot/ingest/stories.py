"""One alert per story: recognising copies of the same story from different sources.

Wire copy is syndicated with small edits (a new headline, a dateline, a trimmed last
paragraph), so copies share most of their headline and lead even when their full texts differ.
Candidates are found with MinHash LSH over word pairs of the folded title and lead, which keeps
each new article's lookup cheap however many stories the window holds; a band collision only
proposes a candidate. Each one is then checked on its title, opening and lead separately, with
disagreeing figures counting against it (``bot.ingest.copies``): distinct events sharing a
background paragraph, a template headline or their people must never become one alert.

Two articles with the same link are the same article, whichever feeds carried them. Two items
of one feed are otherwise one story only when they are the same article re-posted, and a story
never takes a second, different article from a feed it already has.

Matched articles are clustered on the event loop thread during ingestion, so ``assign`` is kept
cheap: see the "Summaries" section of docs/benchmarks.md for its cost and what went into it.
"""

from __future__ import annotations

import heapq
import logging
import zlib
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from datasketch import MinHash, MinHashLSH

from bot.ingest.copies import Profile, copy_score, jaccard, profile

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = timedelta(hours=48)
DEFAULT_THRESHOLD = 0.25
"""Least similarity of title and lead together (Jaccard of word pairs) for two articles to be
compared at all; the LSH bands are laid out for it. Chosen on the labelled pairs
(docs/benchmarks.md)."""
DEFAULT_NUM_PERM = 128
_LSH_WEIGHTS = (0.2, 0.8)
"""How ``MinHashLSH`` weighs false positives against false negatives when it lays out the
bands. Every candidate is verified exactly, so missing a copy costs more than checking a
stranger: on the corpus these weights find far more of the article pairs at or above the
threshold than even weights, for about one candidate an article (docs/benchmarks.md)."""
SIGNATURE_HASH = zlib.crc32
"""Hashes the word pairs into the signature. The signature only proposes candidates (each is
verified exactly), and CRC-32 runs in C where datasketch's default SHA-1 goes through a
Python function per word pair. It proposes more strangers for the same copies (figures in
docs/benchmarks.md)."""
_SAME_ARTICLE = 4.0
"""The score of a candidate with the same link: above any copy's (at most 3)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    story: str
    published: datetime
    feed: Hashable
    link: str | None
    """Set only when it names a page (see ``_page_link``)."""
    profile: Profile | None
    """None when the article has no words to compare: it then joins a story only by its link."""
    signature: MinHash | None


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
        self._by_link: dict[str, dict[str, None]] = {}
        self._story_feeds: dict[str, dict[Hashable, int]] = {}
        """The feeds of each story's articles in the window, each with its number of articles."""

    def __len__(self) -> int:
        return len(self._entries)

    def assign(
        self,
        article_key: str,
        title: str,
        text: str,
        published: datetime,
        *,
        feed: Hashable,
        link: str | None = None,
    ) -> str:
        """The story id of this article: an earlier copy's story, else its own key.

        ``feed`` names the feed the article came from and ``link`` is its canonical URL. Only
        articles published within ``window`` of this one count. Assigning a key again returns
        the story it already has.
        """
        if article_key in self._entries:
            return self._entries[article_key].story
        parts = profile(title, text)
        signature = self._signature(parts) if parts is not None else None
        candidates = self._index.add(article_key, signature) if signature is not None else []
        link = _page_link(link)
        if link is not None:
            same_link = self._by_link.setdefault(link, {})
            candidates += [key for key in same_link if key not in candidates]
            same_link[article_key] = None
        story = self._story_for(published, feed, link, parts, candidates) or article_key
        self._entries[article_key] = _Entry(story, published, feed, link, parts, signature)
        feeds = self._story_feeds.setdefault(story, {})
        feeds[feed] = feeds.get(feed, 0) + 1
        heapq.heappush(self._by_time, (published, article_key))
        if story != article_key:
            logger.debug("article %s joins story %s", article_key, story)
        return story

    def forget_before(self, ts: datetime) -> int:
        """Drop articles published before ``ts``; returns how many were dropped.

        Called after every poll, so it looks only at the articles it drops, not at the whole
        window.
        """
        dropped = 0
        while self._by_time and self._by_time[0][0] < ts:
            _, key = heapq.heappop(self._by_time)
            entry = self._entries.pop(key)
            if entry.signature is not None:
                self._index.remove(key, entry.signature)
            if entry.link is not None:
                _discard(self._by_link, entry.link, key)
            feeds = self._story_feeds[entry.story]
            feeds[entry.feed] -= 1
            if feeds[entry.feed] == 0:
                del feeds[entry.feed]
                if not feeds:
                    del self._story_feeds[entry.story]
            dropped += 1
        return dropped

    def _story_for(
        self,
        published: datetime,
        feed: Hashable,
        link: str | None,
        parts: Profile | None,
        candidates: list[str],
    ) -> str | None:
        """The story of the in-window candidate the new article is most clearly a copy of."""
        best: tuple[float, str] | None = None
        for key in candidates:
            old = self._entries[key]
            if abs(old.published - published) > self.window:
                continue
            score = self._score(old, feed, link, parts)
            if score is None or (best is not None and score <= best[0]):
                continue
            if old.feed != feed and feed in self._story_feeds[old.story]:
                continue  # the story has another article of this feed: this one is different
            best = (score, old.story)
        return best[1] if best else None

    def _score(
        self, old: _Entry, feed: Hashable, link: str | None, parts: Profile | None
    ) -> float | None:
        if link is not None and link == old.link:
            return _SAME_ARTICLE
        if old.profile is None or parts is None:
            return None
        if jaccard(old.profile.words, parts.words) < self.threshold:
            return None
        return copy_score(old.profile, parts, same_feed=old.feed == feed)

    def _signature(self, parts: Profile) -> MinHash:
        template = _template(self._num_perm)
        signature = MinHash(
            num_perm=self._num_perm,
            scheme=template.scheme,
            permutations=template.permutations,
            hashfunc=SIGNATURE_HASH,
        )
        signature.update_batch([s.encode() for s in parts.words])
        return signature


class _BandIndex:
    """MinHash LSH banding: the articles whose signatures agree on all rows of some band.

    The same candidates as datasketch's in-memory ``MinHashLSH`` with the same bands, without
    its cost (docs/benchmarks.md): a band's bucket key is a slice of the
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
    """Bands and rows per band that ``MinHashLSH`` chooses for this threshold and _LSH_WEIGHTS.

    Worked out once: its search over shapes is slow, and every new clusterer paid for it.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=_LSH_WEIGHTS)
    return lsh.b, lsh.r


@cache
def _template(num_perm: int) -> MinHash:
    """An empty MinHash whose permutations every signature shares.

    Drawing them anew for each article (what ``MinHash()`` does) was a large part of
    :meth:`StoryClusterer.assign`; they depend only on ``num_perm`` and the default seed.
    """
    return MinHash(num_perm=num_perm)


def _page_link(link: str | None) -> str | None:
    """``link`` when it can name one article: not a site's home page.

    Links are canonical (``bot.feeds.normalize.canonical_url``: no fragment, scheme and host
    lower-cased), so what follows the host is the path and query.
    """
    if not link:
        return None
    after_host = link.partition("://")[2].partition("/")[2]
    return link if after_host.strip("/?") else None


def _discard(index: dict[str, dict[str, None]], link: str, key: str) -> None:
    keys = index[link]
    del keys[key]
    if not keys:
        del index[link]
