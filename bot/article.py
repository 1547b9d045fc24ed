"""The article record that flows through the pipeline.

One frozen type is shared by every stage (parse → dedup → store → match → summary → delivery)
so that a stage can be tested alone by building Articles by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Article:
    """A normalized feed entry: plain text, canonical URL, UTC time."""

    id: str
    """Stable id within its feed: the guid, else the canonical link, else a hash of title+date."""
    feed_url: str
    url: str | None
    title: str
    text: str
    published: datetime | None
    """Aware UTC time from the feed (published, else updated); None when the feed gives none."""
    source: str
    """Human name of the source: the configured feed name, else the feed's own title."""
    language: str | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def domain(self) -> str:
        """The article's host without a leading ``www.``; empty when there is no URL."""
        if not self.url:
            return ""
        scheme, _, rest = self.url.partition("://")
        if scheme.lower() not in ("http", "https"):
            return _domain(urlsplit(self.url).netloc)
        return _domain(rest.partition("/")[0].partition("?")[0].partition("#")[0])

    def rule_doc(self) -> dict[str, str]:
        """The mapping the rule engine matches: ``source`` holds the feed name and domain."""
        return {
            "title": self.title,
            "text": self.text,
            "source": f"{self.source} {self.domain}".strip(),
        }


@lru_cache(maxsize=4096)
def _domain(netloc: str) -> str:
    """A netloc's host without ``www.``: cached, since a feed's articles share a few hosts and
    every new article asks (the rule engine's ``source`` field)."""
    host = urlsplit(f"//{netloc}").hostname or ""
    return host.removeprefix("www.")
