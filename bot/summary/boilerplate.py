"""Removal of page furniture that feed and page text carries along with the story.

Feeds and scraped pages mix the article with navigation, bylines, datelines, photo credits,
repeated captions and share prompts. None of it may reach a summary, and none of the story may
be lost, so each rule below recognises one narrow kind of furniture.
"""

from __future__ import annotations

import logging
import re

import rules

logger = logging.getLogger(__name__)

_MEDIA = r"(?:photo|image|picture|pic|video|graphic|illustration|footage)s?"
_CREDIT = re.compile(
    rf"\s*\(\s*(?:(?:{_MEDIA}\s+)?(?:credits?|courtesy)\b|{_MEDIA}\s*:)[^()]{{0,160}}\)",
    re.IGNORECASE,
)
"""Inline credits: "(photo credit: CHAIM TZACH/GPO)", "(credit: REUTERS)", "(Photo: AP)"."""
_TRAILING_CREDIT = re.compile(_CREDIT.pattern + r"\s*$", re.IGNORECASE)

_REPORTING_CREDIT = re.compile(
    r"\s*\((?:additional\s+)?(?:reporting|writing|editing)\s+by\b[^()]{0,300}\)", re.IGNORECASE
)
"""Wire-copy trailers: "(Reporting by Jane Roe; Editing by John Doe)"."""

_WORDPRESS_FOOTER = re.compile(
    r"\s*The post\s.{1,300}?\sappeared first on\s.{1,200}?(?:\.|$)", re.IGNORECASE
)
_TRAILING_MORE = re.compile(
    r"(?:\s*(?:\[\s*(?:…|\.{3})\s*\]|\b(?:read more|continue reading|read the full "
    r"(?:story|article))\b\s*(?:»|›|→|\.{3}|…|:)?))+\s*$",
    re.IGNORECASE,
)
"""Teaser endings: "[…]", "Continue reading...", "Read more »"."""
_TRAILING_MORE_LAST = frozenset("]»›→…:eEgGyY")
"""What a line's last non-space character must be for :data:`_TRAILING_MORE` to match it (the
ends of its alternatives; no other character matches these letters under ``re.IGNORECASE``),
besides the full stop of "...", which ends most sentences and so is tested on its own."""
_APPEARED_FIRST = re.compile("appeared first on", re.IGNORECASE)
"""Found in every :data:`_WORDPRESS_FOOTER`, and far cheaper to look for."""

_LINE_RULES: dict[str, re.Pattern[str]] = {
    "credit": re.compile(rf"^(?:{_MEDIA}\s*)?(?:credits?\s*)?:.*$|^{_MEDIA} by .*$", re.I),
    "dateline": re.compile(
        r"^(?:(?:first\s+)?published|(?:last\s+)?updated|posted(?:\s+on)?|modified|date)\b"
        r"\s*(?:on\s*)?:?.{0,80}\d.{0,40}$",
        re.IGNORECASE,
    ),
    "byline": re.compile(
        r"^(?:By|BY|Written by|Words by|Reporting by)\s+[^.!?]{1,80}(?:\b[A-Z]\.[^.!?]{0,40})*$"
    ),
    "read_more": re.compile(
        r"^(?:read more|continue reading|read the full (?:story|article)|full story|click here"
        r"|related:|see also:|more:)\b.{0,150}$",
        re.IGNORECASE,
    ),
    "share": re.compile(
        r"^(?:share(?:\s+(?:this|on|via|the)\b.*|\s*:.*)?|tweet(?: this)?|e-?mail(?: this)?"
        r"|print(?: this)?|subscribe(?:\s+(?:now|today|to|for|here)\b.*|\s*:.*)?"
        r"|sign up (?:for|to|here|now)\b.*|follow us\b.*|like us on\b.*|join us on\b.*"
        r"|advertisement|sponsored)\W*$",
        re.IGNORECASE,
    ),
}

_MONTHS_AND_DAYS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?|am|pm|a\.m|p\.m|utc|gmt|[ecmp][sd]?t|idt|cet|cest"
)
_DATE_ONLY = re.compile(rf"^(?:\d|{_MONTHS_AND_DAYS}|[\s,.:/|+\-–—()])+$", re.IGNORECASE)
"""One digit per repetition, not ``\\d+``: the same lines match, but a long run of digits no
longer backtracks through every way of splitting it (a price-list line took a noticeable
fraction of a second)."""
_NAV_SEPARATORS = re.compile(r"\s[|•»›·]\s")
_WORD = re.compile(r"[^\W\d_][\w'’&.-]*")
_SENTENCE_END = frozenset('.!?…。！？;:,"”’»)')
"""What a line that ends a sentence ends with, but for spaces (see ``_ends_sentence``)."""
_QUOTE_OPENERS = "\"“«„'‘"
_KEY_TRIM = " \"'“”‘’«»„.,;:!?…-–—"

_MIN_REPEAT_KEY = 40
"""Shorter lines may recur legitimately ("Reuters", a place name); longer recurring lines are
captions or pull quotes printed twice."""
_BY_SHAPE = frozenset({"repeat", "doubled caption", "navigation", "pull-quote name"})
"""Furniture recognised by a line's shape alone, which a story can have too: a text that says
one sentence over and over, or that is a list of names, looks like captions or a menu."""


def strip_boilerplate(text: str, title: str = "", *, keep_shapes: bool = False) -> str:
    """``text`` without page furniture; story lines keep their order and wording.

    ``title`` is the entry's own title: a line repeating it is furniture here because the
    alert shows the title separately. ``keep_shapes`` keeps the lines judged by shape alone
    (:data:`_BY_SHAPE`): the reading to fall back on when the strict one leaves nothing.
    """
    lines = [_strip_inline(line) for line in text.splitlines()]
    captions = {
        _key(clean)
        for raw, clean in zip(text.splitlines(), lines, strict=True)
        if _ends_with_credit(raw)
    }
    keys = [_key(line) for line in lines]
    corpus = "\n".join(keys)
    title_key = _key(title)
    kept: list[str] = []
    after_quote = False
    """Whether the last line that was story or a pull quote was a quotation."""
    for line, key in zip(lines, keys, strict=True):
        if not line:
            continue
        reason = _furniture_kind(line, key, title_key, captions, corpus)
        if reason is None and after_quote and _is_lone_name(line):
            reason = "pull-quote name"
        if reason in (None, "repeat"):
            after_quote = reason == "repeat" or line.startswith(tuple(_QUOTE_OPENERS))
        if keep_shapes and reason in _BY_SHAPE:
            reason = None
        if reason is None:
            kept.append(line)
        else:
            logger.debug("dropped %s line: %.60s", reason, line)
    return "\n".join(kept)


def _strip_inline(line: str) -> str:
    # Each pattern runs only where a cheap test shows it could match: most lines have none.
    if "(" in line:
        line = _REPORTING_CREDIT.sub("", _CREDIT.sub("", line))
    if _APPEARED_FIRST.search(line):
        line = _WORDPRESS_FOOTER.sub("", line)
    if _may_end_in_teaser(line.rstrip()):
        line = _TRAILING_MORE.sub("", line)
    return line.strip()


def _may_end_in_teaser(line: str) -> bool:
    """Whether :data:`_TRAILING_MORE` could match the end of ``line`` (without trailing
    space): the regex scans the whole line, a fifth of stripping a feed's text when it ran on
    every line ending in a full stop."""
    return line[-1:] in _TRAILING_MORE_LAST or line.endswith("...")


def _ends_with_credit(raw_line: str) -> bool:
    """A line ending in a photo credit is a caption, and so is every other copy of it."""
    return raw_line.rstrip().endswith(")") and _TRAILING_CREDIT.search(raw_line) is not None


def _key(line: str) -> str:
    """What two lines are compared by: case, accents and spacing set aside."""
    return " ".join(rules.fold_text(line).split()).strip(_KEY_TRIM)


def _furniture_kind(
    line: str, key: str, title_key: str, captions: set[str], corpus: str
) -> str | None:
    """Why ``line`` is furniture, or None when it belongs to the story."""
    if not key:
        return "empty"  # nothing left once its credit was taken out
    if key == title_key:
        return "title"
    if key in captions:
        return "caption"
    if _is_doubled(line):
        return "doubled caption"
    if len(key) >= _MIN_REPEAT_KEY and corpus.count(key) > 1:
        return "repeat"
    for kind, pattern in _LINE_RULES.items():
        if len(line) <= 200 and pattern.match(line):
            return kind
    if _DATE_ONLY.match(line):
        return "date"
    if _is_navigation(line):
        return "navigation"
    return None


def _is_doubled(line: str) -> bool:
    """Captions scraped twice run together: "Flag of AzerbaijanFlag of Azerbaijan"."""
    compact = "".join(line.split())
    half = len(compact) // 2
    return len(compact) >= 8 and len(compact) % 2 == 0 and compact[:half] == compact[half:]


def _is_navigation(line: str) -> bool:
    """Menus flattened into one line: many capitalised words and no sentence punctuation."""
    if _ends_sentence(line):
        return False
    if len(_NAV_SEPARATORS.findall(line)) >= 2:
        return True
    words = _WORD.findall(line)
    capitalised = sum(1 for word in words if word[0].isupper())
    return len(words) >= 10 and capitalised >= 0.8 * len(words)


def _ends_sentence(line: str) -> bool:
    """Whether ``line`` ends in sentence punctuation, spaces aside: a test of its last
    character, where a pattern anchored at the end was tried at every one."""
    return line.rstrip()[-1:] in _SENTENCE_END


def _is_lone_name(line: str) -> bool:
    """The speaker's name printed under a pull quote: a few capitalised words, nothing else."""
    words = line.split()
    return (
        1 <= len(words) <= 4
        and all(word[0].isupper() for word in words)
        and not _ends_sentence(line)
    )
