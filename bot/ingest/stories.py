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

The memory holds every article of its window (two days of a busy deployment are tens of
thousands), so each is kept in a compact form, a few kilobytes in all: its profile packed
into word ids (``copies.pack``), its signature only as the band keys the index needs, its
link as a hash. The "Memory" section of docs/benchmarks.md says what each part costs.
"""

from __future__ import annotations

import heapq
import logging
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial

import numpy as np
from datasketch import MinHash, MinHashLSH

from bot.ingest.copies import (
    Packed,
    Profile,
    copy_margin,
    copy_score,
    jaccard,
    pack,
    profile,
    unpack,
)

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
SEAL_EVERY = 2048
"""Articles the band index keeps in dicts before sealing them into its sorted arrays: sealing
costs a sort of the window (some 0.1 s for two busy days), the dicts about 2.6 KB an article."""
_UINT64 = (1 << 64) - 1
_SAME_ARTICLE = 4.0
"""The score of a candidate with the same link: above any copy's (at most 3)."""
UNSURE_BAND = 0.08
"""A pair of articles of different feeds whose similarities come this close to a copy rule's
thresholds (``copies.copy_margin``), on either side, is one the lexical check is unsure of:
the second opinion, when there is one, decides it. Outside the band the lexical verdict
stands, as do figures or names that disagree. A copy that keeps its opening clears its rule
by 0.1, so it is never asked about; on the labelled pairs the band holds five copies with a
reworded or reordered lead (four merged, one not) and no distinct events, which come no
closer than 0.18 below."""

SecondOpinion = Callable[[str, str], bool | None]
"""(earlier article's key, later article's key) → whether they are one story, or None to
leave it to the lexical check; asked only of the pairs in ``UNSURE_BAND``
(``bot.ingest.semantic``)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    story: str
    published: datetime
    feed: Hashable
    link: int | None
    """The hash of its link, set only when the link names a page (see ``_page_link``)."""
    profile: Packed | None
    """None when the article has no words to compare: it then joins a story only by its link."""


Keys = str | list[str]
"""The article keys under one band key or link: the key itself when it is the only one (most
are), else a list in insertion order. A dict or list for each would be most of the memory."""


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
        self._by_link: dict[int, Keys] = {}
        self._story_feeds: dict[tuple[str, Hashable], int] = {}
        """(story, feed) → how many of the story's articles in the window came from the feed."""

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
        second_opinion: SecondOpinion | None = None,
    ) -> str:
        """The story id of this article: an earlier copy's story, else its own key.

        ``feed`` names the feed the article came from and ``link`` is its canonical URL. Only
        articles published within ``window`` of this one count. Assigning a key again returns
        the story it already has. ``second_opinion`` decides the candidates the lexical check
        is unsure of (``UNSURE_BAND``).
        """
        if article_key in self._entries:
            return self._entries[article_key].story
        parts = profile(title, text)
        packed = pack(parts) if parts is not None else None
        candidates = []
        if parts is not None:
            candidates = self._index.add(article_key, self._signature(parts))
        page = _page_link(link)
        link_id = hash(page) if page is not None else None
        if link_id is not None:
            candidates += [key for key in _keys(self._by_link, link_id) if key not in candidates]
            _add(self._by_link, link_id, article_key)
        words = unpack(packed) if packed is not None and candidates else None
        story = (
            self._story_for(
                article_key, published, feed, link_id, words, candidates, second_opinion
            )
            or article_key
        )
        self._entries[article_key] = _Entry(story, published, feed, link_id, packed)
        self._story_feeds[story, feed] = self._story_feeds.get((story, feed), 0) + 1
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
            if entry.profile is not None:
                self._index.remove(key)
            if entry.link is not None:
                _discard(self._by_link, entry.link, key)
            feeds = (entry.story, entry.feed)
            self._story_feeds[feeds] -= 1
            if self._story_feeds[feeds] == 0:
                del self._story_feeds[feeds]
            dropped += 1
        return dropped

    def _story_for(
        self,
        article_key: str,
        published: datetime,
        feed: Hashable,
        link: int | None,
        parts: Profile[int] | None,
        candidates: list[str],
        second_opinion: SecondOpinion | None,
    ) -> str | None:
        """The story of the in-window candidate the new article is most clearly a copy of."""
        best: tuple[float, str] | None = None
        for key in candidates:
            old = self._entries[key]
            if abs(old.published - published) > self.window:
                continue
            score = self._score(old, feed, link, parts)
            if second_opinion is not None and old.feed != feed and old.profile and parts:
                score = _reconsidered(
                    score, unpack(old.profile), parts, partial(second_opinion, key, article_key)
                )
            if score is None or (best is not None and score <= best[0]):
                continue
            if old.feed != feed and (old.story, feed) in self._story_feeds:
                continue  # the story has another article of this feed: this one is different
            best = (score, old.story)
        return best[1] if best else None

    def _score(
        self, old: _Entry, feed: Hashable, link: int | None, parts: Profile[int] | None
    ) -> float | None:
        if link is not None and link == old.link:
            return _SAME_ARTICLE
        if old.profile is None or parts is None:
            return None
        earlier = unpack(old.profile)
        if jaccard(earlier.words, parts.words) < self.threshold:
            return None
        return copy_score(earlier, parts, same_feed=old.feed == feed)

    def _signature(self, parts: Profile[str]) -> MinHash:
        template = _template(self._num_perm)
        signature = MinHash(
            num_perm=self._num_perm,
            scheme=template.scheme,
            permutations=template.permutations,
            hashfunc=SIGNATURE_HASH,
        )
        signature.update_batch([s.encode() for s in parts.words])
        return signature


def _reconsidered(
    score: float | None,
    earlier: Profile[int],
    later: Profile[int],
    ask: Callable[[], bool | None],
) -> float | None:
    """``score`` (the lexical verdict), or the second opinion's when the pair is in
    ``UNSURE_BAND``: a copy then scores as the lexical check measured it."""
    measured = copy_margin(earlier, later)
    if measured is None or score == _SAME_ARTICLE:
        return score
    margin, similarity = measured
    if abs(margin) >= UNSURE_BAND:
        return score
    verdict = ask()
    if verdict is None:
        return score
    return similarity if verdict else None


class _BandIndex:
    """MinHash LSH banding: the articles whose signatures agree on all rows of some band.

    The same candidates as datasketch's in-memory ``MinHashLSH`` with the same bands, without
    its cost (docs/benchmarks.md): a band's key is the integer its rows' bytes spell
    (``MinHashLSH`` byte-swaps a copy of every band, to insert and again to query).
    Candidates come in insertion order within each band, so in the same order in every
    process (a set of str keys is ordered by the salted hash).

    Every article has a key in each of some 35 bands, so how they are kept decides the story
    memory's size: a dict entry and an int object each would be 2.6 KB an article. The latest
    ``seal_every`` articles are in dicts (cheap to add to and take out of); then they are
    sealed into one sorted array of keys per band, 12 bytes a key, searched by bisection. An
    article taken out of the sealed arrays is only marked gone until the next seal.
    """

    def __init__(self, threshold: float, num_perm: int, *, seal_every: int = SEAL_EVERY) -> None:
        self._bands, self._rows = _band_shape(threshold, num_perm)
        self._seal_every = seal_every
        self._tables: list[dict[int, Keys]] = [{} for _ in range(self._bands)]
        self._recent: dict[str, list[int]] = {}
        """The articles in ``_tables``, oldest first, with their band keys."""
        self._sealed_keys = np.zeros((self._bands, 0), dtype=np.uint64)
        """Per band, the band keys of the sealed articles, ascending."""
        self._sealed_rows = np.zeros((self._bands, 0), dtype=np.int32)
        """Per band, the sealed article (its index in ``_names``) of each key."""
        self._names: list[str | None] = []
        """Sealed articles oldest first; None where one was taken out."""
        self._sealed: dict[str, int] = {}
        """Article → its index in ``_names``."""

    def add(self, key: str, signature: MinHash) -> list[str]:
        """Insert ``key``; returns the keys already sharing a band with it, each once.

        One pass does both, since every article is looked up just before it is inserted.
        """
        bands = self._keys_of(signature)
        found: dict[str, None] = {}
        for band, (table, at) in enumerate(zip(self._tables, bands, strict=True)):
            if self._names:
                found.update(dict.fromkeys(self._sealed_at(band, at)))
            found.update(dict.fromkeys(_keys(table, at)))
            _add(table, at, key)
        self._recent[key] = bands
        if len(self._recent) >= self._seal_every:
            self._seal()
        return list(found)

    def remove(self, key: str) -> None:
        """Take out ``key``."""
        bands = self._recent.pop(key, None)
        if bands is None:
            self._names[self._sealed.pop(key)] = None
            return
        for table, at in zip(self._tables, bands, strict=True):
            _discard(table, at, key)

    def _keys_of(self, signature: MinHash) -> list[int]:
        """Each band's rows as one integer: equal keys, equal rows (a 64-bit hash of the rows
        for bands wider than 64 bits, where an equal hash only adds a candidate to check)."""
        values = signature.hashvalues
        width = values.itemsize * self._rows
        raw = values.tobytes()[: self._bands * width]
        bands = [raw[start : start + width] for start in range(0, len(raw), width)]
        if width <= 8:
            return [int.from_bytes(band) for band in bands]
        return [hash(band) & _UINT64 for band in bands]

    def _sealed_at(self, band: int, at: int) -> list[str]:
        """The sealed articles, oldest first, whose ``band`` has the key ``at``."""
        keys, wanted = self._sealed_keys[band], np.uint64(at)
        found = []
        for i in range(int(keys.searchsorted(wanted)), len(keys)):
            if keys[i] != wanted:
                break
            name = self._names[self._sealed_rows[band, i]]
            if name is not None:
                found.append(name)
        return found

    def _seal(self) -> None:
        """Move the recent articles into the sorted arrays, leaving out those taken out."""
        alive = np.array([name is not None for name in self._names], dtype=bool)
        renumbered = (np.cumsum(alive) - 1).astype(np.int32)
        kept = alive[self._sealed_rows]
        old_rows = renumbered[self._sealed_rows[kept]].reshape(self._bands, -1)
        old_keys = self._sealed_keys[kept].reshape(self._bands, -1)
        names: list[str | None] = [name for name in self._names if name is not None]
        new_rows = np.arange(len(names), len(names) + len(self._recent), dtype=np.int32)
        new_keys = np.array(list(self._recent.values()), dtype=np.uint64).T
        keys = np.concatenate([old_keys, new_keys], axis=1)
        rows = np.concatenate([old_rows, np.broadcast_to(new_rows, new_keys.shape)], axis=1)
        order = np.lexsort((rows, keys), axis=1)
        self._sealed_keys = np.take_along_axis(keys, order, axis=1)
        self._sealed_rows = np.take_along_axis(rows, order, axis=1)
        self._names = names + list(self._recent)
        self._sealed = {name: i for i, name in enumerate(self._names) if name is not None}
        self._recent.clear()
        self._tables = [{} for _ in range(self._bands)]


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


def _keys(index: dict[int, Keys], at: int) -> list[str]:
    """The keys ``index`` holds at ``at``, oldest first."""
    keys = index.get(at)
    if keys is None:
        return []
    return [keys] if isinstance(keys, str) else keys


def _add(index: dict[int, Keys], at: int, key: str) -> None:
    keys = index.get(at)
    if keys is None:
        index[at] = key
    elif isinstance(keys, str):
        index[at] = [keys, key]
    else:
        keys.append(key)


def _discard(index: dict[int, Keys], at: int, key: str) -> None:
    keys = index[at]
    if isinstance(keys, str):
        del index[at]
        return
    keys.remove(key)
    if len(keys) == 1:
        index[at] = keys[0]
