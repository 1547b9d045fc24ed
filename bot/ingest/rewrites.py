"""Whether a later article tells the same event as an earlier one in other words, or is its
outlet's own update of it.

``bot.ingest.copies`` recognises copies: articles that keep most of another's wording. An
outlet that retells an event writes a new headline and its own lead: it opens on another
angle (the evacuations before the fire), recasts a short item sentence by sentence, adds a
dateline and drops a quote. What it keeps are the facts: the rare names, places,
organisations and figures. So a retelling is recognised by

* the terms (``copies.Profile.terms``: word stems, so that inflected names still agree) of
  the two titles and leads, each weighed by how rare it is in the story window
  (``bot.ingest.rarity``), compared as a whole: a cosine of the weights of the terms both
  have. A title that differs completely lowers it but does not veto it: its words count
  against the other article's lead as much as against its title;
* the time: hours apart, not days (``REWRITE_HOURS``); the next day's article is news;
* every safeguard of the copies: figures that disagree (the next day's count), names in one
  opening that the other article never mentions (the same bulletin from another city, the
  same minister at another event), checked here on stems;
* wording: a pair that shares much of its wording (``WORDING``) is a copy or a template, and
  the copy rules alone decide it; this test is for articles in different words;
* short items need a higher similarity, single sentences the highest: one sentence each
  about the same people on the same day shares most of its rare terms whatever happened;
* an item marked as an update (``has_update_marker``) carries news beyond the first report,
  so it joins another outlet's story only as a copy.

One outlet's items are otherwise one story only when re-posted (``copies``); an item whose
title carries an update marker ("UPDATE 1-", "CORRECTED-", "Live:", "Обновлено:"...) or
whose link names a revision of an earlier item's link is that outlet's update of it: the
same story even with new figures, as long as it is about the same thing (``UPDATE_SIMILARITY``).

The thresholds were chosen on the labelled pairs (``tests/data/stories/rewrites.json`` and
``pairs.json``; docs/benchmarks.md gives recall by kind and the margins). A pair just under
its threshold that passes every other test is ``Verdict.UNSURE``: the one place where a check
of meaning (issue 23's optional embeddings) would decide; ``StoryClusterer._score`` keeps it
apart.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import Enum

import numpy as np

from bot.ingest.copies import Profile, jaccard
from bot.ingest.rarity import WordRarity

REWRITE_HOURS = timedelta(hours=12)
"""Retellings further apart than this are not compared: a follow-up a day later has news."""
UPDATE_HOURS = timedelta(hours=12)
"""How long after an item its outlet's update of it still joins its story."""
SIMILARITY = 0.40
"""Least rare-term similarity (``similarities``) of a retelling, for articles of three
sentences or more."""
SHORT_SIMILARITY = 0.44
"""Least similarity when either article is short (``copies.SHORT_SENTENCES``)."""
SENTENCE_SIMILARITY = 0.55
"""Least similarity when either article is a single sentence: one sentence about the same
people, place and day each shares most of its rare terms whatever happened (the president
receiving an envoy, then a business delegation)."""
UNSURE_BAND = 0.10
"""A pair that passes every other test with a similarity this little below its threshold is
``Verdict.UNSURE``: words alone cannot say, and a check of meaning may (issue 23's embeddings
check); without one it stays apart."""
WORDING = 0.40
"""Jaccard of title-and-lead word pairs from which a pair shares its wording: a copy or a
template, for the copy rules to decide (distinct one-sentence items on one frame reach 0.57
here, retellings stay under 0.25)."""
UPDATE_SIMILARITY = 0.10
"""Least similarity of an outlet's update to its earlier item: an update may bring a new
headline, new figures and more paragraphs, but it is about the same thing."""

SHARED_TERMS = 4
"""Fewer shared terms than this is no similarity at all: a name and a weekday in common is what
most candidates of the uncommon-term bands have."""

_UPDATE_MARKER = re.compile(
    r"""\s*[\[(]?\s*(?:
        update[sd]?(?:\s*\d+)? | corrected | correction | refile | developing | live(?:\s+updates)?
        | обновлено | обновление | исправлено | онлайн | оновлено | оновлення | виправлено
        | aktualisiert | aktualisierung | korrigiert | korrektur | liveticker | live-ticker
        | actualizaci[oó]n | actualizado | corregido | correcci[oó]n | en\s+directo | directo
        | última\s+hora
        | עדכון | מתעדכן | תיקון | בשידור\s+חי
        | تحديث | محدث | تصحيح | مباشر
        | yenil[əe]nib | yenil[əe]ndi | yenil[əe]m[əe] | düz[əe]liş | canlı
    )\s*[\])]?\s*(?:[-–—:|]|\s-\s)""",
    re.IGNORECASE | re.VERBOSE,
)
"""A title that starts with one of these and a dash or colon: "UPDATE 2-", "CORRECTED-",
"REFILE-", "Developing:", "Live:", and their equivalents in the bot's languages."""
_REVISION_SUFFIX = re.compile(
    r"[-_/.](?:update[sd]?|upd|rev|revision|version|v|corrected|refile)[-_]?\d*/?$", re.IGNORECASE
)
_REVISION_QUERY = re.compile(r"[?&](?:update|upd|rev|revision|version|v)=\w+", re.IGNORECASE)


class Verdict(Enum):
    """What the words say of a candidate pair."""

    SAME = "same"
    UNSURE = "unsure"
    """In the band just under the threshold (``UNSURE_BAND``): where a check of meaning
    would be consulted. Treated as different without one."""
    DIFFERENT = "different"


def has_update_marker(title: str) -> bool:
    """Whether the title announces an update of an earlier item ("UPDATE 1-…")."""
    return _UPDATE_MARKER.match(title) is not None


def revision_base(link: str | None) -> str | None:
    """The link of the item that ``link`` is a revision of, when its query or the end of its
    path says so (".../story?rev=3", ".../gas-leak-update-2"); else None."""
    if not link:
        return None
    base = _REVISION_QUERY.sub("", link)
    if base != link:
        return base if "?" in base or "&" not in base else base.replace("&", "?", 1)
    base = _REVISION_SUFFIX.sub("", link)
    return base if base != link else None


def similarities(
    earlier: np.ndarray, sizes: np.ndarray, later: np.ndarray, rarity: WordRarity
) -> np.ndarray:
    """Cosine of the rarity-weighted term sets of each earlier article and a later one: 1
    when they have the same terms, 0 when they share fewer than ``SHARED_TERMS`` (or only
    words every article has). ``earlier`` holds the term ids of each earlier article in
    turn, ``sizes`` how many each has (at least one); ``later`` has the later one's,
    ascending.

    All candidates in one pass, in a dozen numpy calls: an article has some eight candidates,
    and numpy spends more on each call than on the few dozen terms of one pair. Terms are
    weighed only when some candidate shares ``SHARED_TERMS`` (each count is a read from a
    2 MB array that is rarely in the cache), and then all of them in one call.
    """
    similar = np.zeros(len(sizes))
    if not len(sizes) or not len(later):
        return similar
    shared = later.take(later.searchsorted(earlier), mode="clip") == earlier
    starts = sizes.cumsum() - sizes
    close = np.add.reduceat(shared, starts, dtype=np.intp) >= SHARED_TERMS
    if not close.any():
        return similar  # most candidates of the uncommon-term bands
    # Every candidate's terms are weighed when any is close: selecting the close ones first
    # took more numpy calls than weighing the others costs.
    weights = rarity.weights(np.concatenate([earlier, later]))
    earlier_weights = weights[: len(earlier)]
    common = np.add.reduceat(earlier_weights * shared, starts)
    norms = np.sqrt(np.add.reduceat(earlier_weights, starts) * weights[len(earlier) :].sum())
    np.divide(common, norms, out=similar, where=close & (norms > 0))
    return similar


def retelling(
    earlier: Profile[int], later: Profile[int], similar: float, *, apart: timedelta
) -> Verdict:
    """Whether ``later`` (another outlet's) retells the event of ``earlier``, given the
    similarity of their terms; see the module docstring."""
    if apart > REWRITE_HOURS or similar < _threshold(earlier, later) - UNSURE_BAND:
        return Verdict.DIFFERENT
    if jaccard(earlier.words, later.words) >= WORDING or not facts_agree(earlier, later):
        return Verdict.DIFFERENT
    return Verdict.SAME if similar >= _threshold(earlier, later) else Verdict.UNSURE


def update_of(earlier: Profile[int], later: Profile[int], similar: float) -> bool:
    """Whether an item its outlet marked as an update is about what ``earlier`` was about: it
    may bring new figures, not other people or places."""
    return similar >= UPDATE_SIMILARITY and not _names_disagree(earlier, later)


def facts_agree(a: Profile[int], b: Profile[int]) -> bool:
    """Neither figures nor names disagree (``copies.facts_disagree``, names on stems)."""
    figures_disagree = not a.figures <= b.all_figures and not b.figures <= a.all_figures
    return not figures_disagree and not _names_disagree(a, b)


def _names_disagree(a: Profile[int], b: Profile[int]) -> bool:
    """Each opening names something the other article's title and lead never do."""
    return not a.name_terms <= b.terms and not b.name_terms <= a.terms


def _threshold(a: Profile[int], b: Profile[int]) -> float:
    if min(a.sentences, b.sentences) <= 1:
        return SENTENCE_SIMILARITY
    return SHORT_SIMILARITY if a.short or b.short else SIMILARITY
