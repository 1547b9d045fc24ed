"""One alert per story: recognising copies of the same story from different sources.

Wire copy is syndicated with small edits (a new headline, a dateline, a trimmed last
paragraph), so copies share most of their headline and lead even when their full texts differ.
Candidates are found with MinHash LSH over word pairs of the folded title and lead, which keeps
each new article's lookup cheap however many stories the window holds; a band collision only
proposes a candidate. Each one is then checked on its title, opening and lead separately, with
disagreeing figures counting against it (``bot.ingest.copies``): distinct events sharing a
background paragraph, a template headline or their people must never become one alert.

Another outlet retelling the event in its own words shares few word pairs but keeps the rare
words: a second MinHash, over the terms of the article that are uncommon in the window
(``bot.ingest.rarity``), proposes those candidates in bands of the same index, and
``bot.ingest.rewrites`` decides them (and a feed's own marked updates) on the rare terms both
share, the hours between them and the same safeguards.

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
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial

import numpy as np
from datasketch import MinHash, MinHashLSH

from bot.ingest import rewrites
from bot.ingest.copies import (
    Packed,
    Profile,
    copy_margin,
    copy_score,
    jaccard,
    pack,
    packed_term_bytes,
    packed_terms,
    profile,
    unpack,
)
from bot.ingest.rarity import WordRarity

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
SIGNATURE_SCHEME = "affine32"
"""datasketch's MinHash scheme (its default): 32-bit values, each finalized with
MurmurHash3's ``fmix32`` and then permuted as (a·h + b) mod 2^32 (``_fmix32``)."""
SEAL_EVERY = 2048
"""Articles the band index keeps in dicts before sealing them into its sorted arrays: sealing
costs a sort of the window (some 0.1 s for two busy days), the dicts about 2.6 KB an article."""
_UINT64 = (1 << 64) - 1
TERM_BANDS = 16
TERM_ROWS = 1
"""Bands of a second signature, a MinHash of the article's terms that are not common in the
window (``WordRarity.common``), which proposes the retellings the word-pair signature cannot
see. One row a band: two articles meet in a band when the same one of their uncommon terms
is the least of each under that band's hash, so articles sharing a third of their uncommon
terms nearly always meet, and many sharing only a name do too (they are dropped before
being weighed, ``rewrites.SHARED_TERMS``). Two rows a band proposed fewer strangers but
missed retellings: 136 of the 162 same-event pairs' candidates with 24 such bands, 154 with
these 16 (docs/benchmarks.md)."""
_TERM_PRIME = np.uint64((1 << 61) - 1)
_TERM_A, _TERM_B = (
    np.random.default_rng(23)
    .integers(
        [[1], [0]], [[1 << 29], [(1 << 61) - 1]], size=(2, TERM_BANDS * TERM_ROWS), dtype=np.uint64
    )[:, :, None]
    .copy()
)
"""The a and b of each row's hash (a·t + b) mod (2^61 - 1), as columns to broadcast over an
article's terms; a < 2^29 keeps a·t + b in 64 bits for 32-bit term ids."""
_MIX = np.uint64(0x9E3779B97F4A7C15)
_NO_TERMS = np.zeros(0, dtype=np.uint32)
_OWN_BANDS = np.arange(TERM_BANDS, dtype=np.uint64)
_UNLIKE = 0.25
"""Term similarity below which a candidate is neither a copy (which shares most of its words:
the least on the labelled sets is 0.50) nor a retelling (``rewrites.SIMILARITY`` less its
unsure band): it is not unpacked."""
FEED_LATEST = 64
"""How many of a feed's latest articles an item marked as an update is compared with (its
words may differ too much for the bands to propose them): a busy feed's half day."""
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
    marked: bool
    """Its title announces an update (``rewrites.has_update_marker``)."""


Keys = str | list[str]
"""The article keys under one band key or link: the key itself when it is the only one (most
are), else a list in insertion order. A dict or list for each would be most of the memory."""


class StoryClusterer:
    """Assigns each article to a story: the key of the first article of that story.

    Kept in memory only; at start-up the caller replays the last ``window`` of stored articles
    through :meth:`assign` in time order to rebuild it. ``rarity`` holds the document
    frequencies of the window's terms; it is the clusterer's own unless one is given (the
    tests' labelled pairs start each from one window's).
    """

    def __init__(
        self,
        window: timedelta = DEFAULT_WINDOW,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        *,
        rarity: WordRarity | None = None,
    ) -> None:
        self.window = window
        self.threshold = threshold
        self._num_perm = num_perm
        self._index = _BandIndex(threshold, num_perm, extra_bands=TERM_BANDS)
        self._permutations = _permutations(num_perm)
        self._rarity = rarity if rarity is not None else WordRarity()
        self._entries: dict[str, _Entry] = {}
        self._by_time: list[tuple[datetime, str]] = []
        """A heap of (published, key) over ``_entries``, oldest first, for :meth:`forget_before`."""
        self._by_link: dict[int, Keys] = {}
        self._story_feeds: dict[tuple[str, Hashable], int] = {}
        """(story, feed) → how many of the story's articles in the window came from the feed."""
        self._feed_latest: dict[Hashable, deque[str]] = {}
        """Each feed's latest articles, newest last: what an update of the feed may revise."""

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
        terms = _NO_TERMS
        if parts is not None and packed is not None:
            terms = packed_terms(packed)
            common = self._rarity.add(terms)
            term_bands = self._term_bands(article_key, terms[~common])
            candidates = self._index.add(article_key, self._signature(parts), term_bands)
        page = _page_link(link)
        link_id = hash(page) if page is not None else None
        revised = rewrites.revision_base(page)
        revised_id = hash(revised) if revised is not None else None
        for at in (link_id, revised_id):
            if at is not None:
                candidates += [key for key in _keys(self._by_link, at) if key not in candidates]
        marked = rewrites.has_update_marker(title) or revised is not None
        latest = self._feed_latest.setdefault(feed, deque(maxlen=FEED_LATEST))
        if marked:
            candidates += [key for key in latest if key in self._entries and key not in candidates]
        latest.append(article_key)
        if link_id is not None:
            _add(self._by_link, link_id, article_key)
        new = _New(
            article_key,
            published,
            feed,
            link_id,
            revised_id,
            packed,
            self._similarities(candidates, terms),
            marked,
            second_opinion,
        )
        story = self._story_for(new, candidates) or article_key
        self._entries[article_key] = _Entry(story, published, feed, link_id, packed, marked)
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
                self._rarity.remove(packed_terms(entry.profile))
            if entry.link is not None:
                _discard(self._by_link, entry.link, key)
            feeds = (entry.story, entry.feed)
            self._story_feeds[feeds] -= 1
            if self._story_feeds[feeds] == 0:
                del self._story_feeds[feeds]
            dropped += 1
        return dropped

    def _story_for(self, new: _New, candidates: list[str]) -> str | None:
        """The story of the in-window candidate the new article is most clearly a copy,
        retelling or update of."""
        best: tuple[float, str] | None = None
        for key in candidates:
            old = self._entries[key]
            if abs(old.published - new.published) > self.window:
                continue
            score = self._score(key, old, new)
            opinion = new.second_opinion
            if opinion and old.feed != new.feed and old.profile and new.packed is not None:
                ask = partial(opinion, key, new.key)
                score = _reconsidered(score, unpack(old.profile), new.parts(), ask)
            if score is None or (best is not None and score <= best[0]):
                continue
            if old.feed != new.feed and (old.story, new.feed) in self._story_feeds:
                continue  # the story has another article of this feed: this one is different
            best = (score, old.story)
        return best[1] if best else None

    def _score(self, key: str, old: _Entry, new: _New) -> float | None:
        """How clearly the new article is one story with ``old``, or None: the same article
        (above any copy's), a copy (``copies``, up to 3), else a retelling or an outlet's
        update (``rewrites``: their similarity, at most 1)."""
        same_feed = old.feed == new.feed
        if new.link is not None and new.link == old.link:
            return _SAME_ARTICLE
        if same_feed and new.revised is not None and new.revised == old.link:
            return _SAME_ARTICLE
        if old.profile is None or new.packed is None:
            return None
        similar = new.similar.get(key, 0.0)
        if similar < (rewrites.UPDATE_SIMILARITY if same_feed and new.marked else _UNLIKE):
            return None  # too unlike for any rule: no need to unpack it
        earlier, later = unpack(old.profile), new.parts()
        if jaccard(earlier.words, later.words) >= self.threshold:
            score = copy_score(earlier, later, same_feed=same_feed)
            if score is not None:
                return score
        if same_feed:
            updated = new.marked and new.published - old.published <= rewrites.UPDATE_HOURS
            return similar if updated and rewrites.update_of(earlier, later, similar) else None
        if new.marked or old.marked:
            return None  # an update carries news beyond another outlet's first report
        apart = abs(new.published - old.published)
        verdict = rewrites.retelling(earlier, later, similar, apart=apart)
        if verdict is rewrites.Verdict.UNSURE:
            # The unsure band: a check of meaning decides when the operator configured one
            # (``bot.ingest.semantic``); without one the pair stays apart, precision first.
            said = new.second_opinion(key, new.key) if new.second_opinion else None
            return similar if said else None
        return similar if verdict is rewrites.Verdict.SAME else None

    def _term_bands(self, article_key: str, uncommon: np.ndarray) -> np.ndarray:
        """The band keys of the MinHash of the article's terms that are not common in the
        window (``TERM_BANDS``)."""
        if not len(uncommon):
            # No band to meet others in: keys of its own (a hash of its key, one per band).
            return (_OWN_BANDS + np.uint64(hash(article_key) & _UINT64)) * _MIX
        rows = ((uncommon.astype(np.uint64) * _TERM_A + _TERM_B) % _TERM_PRIME).min(axis=1)
        keys = rows[0::TERM_ROWS]
        for row in range(1, TERM_ROWS):
            keys = keys * _MIX + rows[row::TERM_ROWS]
        return keys

    def _similarities(self, candidates: list[str], terms: np.ndarray) -> dict[str, float]:
        """The term similarity (``rewrites.similarities``) of the new article, of these
        ``terms``, to each candidate with terms, weighed in one pass. Their terms are joined as
        bytes and read as one array: an array each cost more than the weighing."""
        earlier: dict[str, bytes] = {}
        for key in candidates:
            packed = self._entries[key].profile
            if packed is not None and (term_bytes := packed_term_bytes(packed)):
                earlier[key] = term_bytes
        if not earlier:
            return {}
        ids = np.frombuffer(b"".join(earlier.values()), dtype=np.uint32)
        sizes = np.fromiter(map(len, earlier.values()), dtype=np.intp) // ids.itemsize
        similar = rewrites.similarities(ids, sizes, terms, self._rarity)
        return dict(zip(earlier, similar.tolist(), strict=True))

    def _signature(self, parts: Profile[str]) -> np.ndarray:
        """The hash values of the MinHash of the title and lead word pairs: those of
        datasketch's ``MinHash`` (``SIGNATURE_SCHEME``) fed the same pairs, made
        in a few numpy calls where feeding and clearing a ``MinHash`` per article took as
        long again (checking its input, choosing CPU or GPU, allocating). A profile always
        has a word pair."""
        words = parts.words
        hashed = np.fromiter(map(SIGNATURE_HASH, map(str.encode, words)), np.uint32, len(words))
        a, b = self._permutations
        return (_fmix32(hashed)[:, None] * a + b).min(axis=0)


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


@dataclass(slots=True)
class _New:
    """The article being assigned, as its candidates are scored against it."""

    key: str
    published: datetime
    feed: Hashable
    link: int | None
    revised: int | None
    """The hash of the link it is a revision of (``rewrites.revision_base``)."""
    packed: Packed | None
    """Its profile; None when it has no words."""
    similar: dict[str, float]
    """Its term similarity to each candidate with terms (``rewrites.similarities``)."""
    marked: bool
    """Its title announces an update, or its link names a revision."""
    second_opinion: SecondOpinion | None
    """What settles a pair the words are unsure of (``UNSURE_BAND``, ``Verdict.UNSURE``)."""
    _parts: Profile[int] | None = None

    def parts(self) -> Profile[int]:
        """Its profile unpacked, once a candidate is alike enough to compare word by word:
        most articles have none, and unpacking was a good part of their cost."""
        if self._parts is None:
            assert self.packed is not None, "an article without words is compared by link only"
            self._parts = unpack(self.packed)
        return self._parts


class _BandIndex:
    """MinHash LSH banding: the articles whose signatures agree on all rows of some band.

    The same candidates as datasketch's in-memory ``MinHashLSH`` with the same bands, without
    its cost (docs/benchmarks.md): a band's key is the integer its rows' bytes spell
    (``MinHashLSH`` byte-swaps a copy of every band, to insert and again to query).
    Candidates come band by band, in insertion order within each band, so in the same order
    in every process (a set of str keys is ordered by the salted hash).

    Every article has a key in each of some 50 bands, so how they are kept decides the story
    memory's size: a dict entry and an int object each would be 2.6 KB an article. Each key
    is salted with its band's number, so that all bands share one table: the latest
    ``seal_every`` articles are in one dict (cheap to add to and take out of); then they are
    sealed into one sorted array of keys, 12 bytes a key, searched by bisection for all of an
    article's keys in one call. An article taken out of the sealed array is only marked gone
    until the next seal.
    """

    def __init__(
        self, threshold: float, num_perm: int, *, extra_bands: int = 0, seal_every: int = SEAL_EVERY
    ) -> None:
        self._lsh_bands, self._rows = _band_shape(threshold, num_perm)
        self._bands = self._lsh_bands + extra_bands
        self._salts = np.random.default_rng(28).integers(
            0, _UINT64, size=self._bands, dtype=np.uint64, endpoint=True
        )
        """Each band's salt, XORed into its keys: equal salted keys, equal band and key (but
        for a 64-bit coincidence, which only adds a candidate to check)."""
        self._seal_every = seal_every
        self._table: dict[int, Keys] = {}
        self._recent: dict[str, list[int]] = {}
        """The articles in ``_table``, oldest first, with their salted keys."""
        self._sealed_keys = np.zeros(0, dtype=np.uint64)
        """The salted keys of the sealed articles, ascending."""
        self._sealed_rows = np.zeros(0, dtype=np.int32)
        """The sealed article (its index in ``_names``) of each key."""
        self._names: list[str | None] = []
        """Sealed articles oldest first; None where one was taken out."""
        self._sealed: dict[str, int] = {}
        """Article → its index in ``_names``."""

    def add(self, key: str, signature: np.ndarray, extra: np.ndarray | None = None) -> list[str]:
        """Insert ``key``; returns the keys already sharing a band with it, each once.
        ``extra`` are its keys in the ``extra_bands`` after the signature's.

        One pass does both, since every article is looked up just before it is inserted.
        """
        salted = self._keys_of(signature)
        if extra is not None:
            salted = np.concatenate([salted, extra])
        salted ^= self._salts
        sealed = self._sealed_at(salted) if self._names else {}
        found: dict[str, None] = {}
        keys = salted.tolist()
        table = self._table
        for at in keys:
            if at in sealed:
                found.update(dict.fromkeys(sealed[at]))
            recent = table.get(at)
            if recent is None:  # nearly every key: nothing to find, a key of its own
                table[at] = key
                continue
            found.update(dict.fromkeys(_keys(table, at)))
            _add(table, at, key)
        self._recent[key] = keys
        if len(self._recent) >= self._seal_every:
            self._seal()
        return list(found)

    def remove(self, key: str) -> None:
        """Take out ``key``."""
        keys = self._recent.pop(key, None)
        if keys is None:
            self._names[self._sealed.pop(key)] = None
            return
        for at in keys:
            _discard(self._table, at, key)

    def _keys_of(self, values: np.ndarray) -> np.ndarray:
        """Each band's rows (of a signature's hash values) as one integer, the number its
        bytes spell: equal keys, equal rows (a 64-bit hash of the rows for bands wider than 64
        bits, where an equal hash only adds a candidate to check)."""
        width = values.itemsize * self._rows
        rows = values[: self._lsh_bands * self._rows]
        if width in (1, 2, 4, 8):
            return rows.view(f">u{width}").astype(np.uint64)
        raw = rows.tobytes()
        bands = [raw[start : start + width] for start in range(0, len(raw), width)]
        return np.array([hash(band) & _UINT64 for band in bands], dtype=np.uint64)

    def _sealed_at(self, salted: np.ndarray) -> dict[int, list[str]]:
        """The sealed articles, oldest first, under each of the salted keys that has any."""
        keys = self._sealed_keys
        starts = keys.searchsorted(salted)
        inside = starts < len(keys)
        hits = np.flatnonzero(inside)[keys[starts[inside]] == salted[inside]]
        found = {}
        for i in hits.tolist():
            wanted, names = salted[i], []
            for at in range(int(starts[i]), len(keys)):
                if keys[at] != wanted:
                    break
                name = self._names[self._sealed_rows[at]]
                if name is not None:
                    names.append(name)
            found[int(wanted)] = names
        return found

    def _seal(self) -> None:
        """Move the recent articles into the sorted array, leaving out those taken out."""
        alive = np.array([name is not None for name in self._names], dtype=bool)
        renumbered = (np.cumsum(alive) - 1).astype(np.int32)
        kept = alive[self._sealed_rows]
        names: list[str | None] = [name for name in self._names if name is not None]
        new_rows = np.arange(len(names), len(names) + len(self._recent), dtype=np.int32)
        recent = np.array(list(self._recent.values()), dtype=np.uint64).ravel()
        keys = np.concatenate([self._sealed_keys[kept], recent])
        rows = np.concatenate(
            [renumbered[self._sealed_rows[kept]], np.repeat(new_rows, self._bands)]
        )
        order = np.lexsort((rows, keys))
        self._sealed_keys = keys[order]
        self._sealed_rows = rows[order]
        self._names = names + list(self._recent)
        self._sealed = {name: i for i, name in enumerate(self._names) if name is not None}
        self._recent.clear()
        self._table = {}


@cache
def _band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows per band that ``MinHashLSH`` chooses for this threshold and _LSH_WEIGHTS.

    Worked out once: its search over shapes is slow, and every new clusterer paid for it.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=_LSH_WEIGHTS)
    return lsh.b, lsh.r


@cache
def _permutations(num_perm: int) -> np.ndarray:
    """The (a, b) of each of the signature's ``num_perm`` hashes, as datasketch's
    ``MinHash`` draws them for ``SIGNATURE_SCHEME`` with its default seed: drawn once, as they
    depend on nothing else."""
    return MinHash(num_perm=num_perm, scheme=SIGNATURE_SCHEME).permutations


_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's ``SIGNATURE_SCHEME`` applies to
    each value before its permutations (uint32 arithmetic wraps, as the finalizer means)."""
    shift, first, second, multiplier = _FMIX32
    values = (values ^ (values >> shift)) * first
    values = (values ^ (values >> second)) * multiplier
    return values ^ (values >> shift)


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
