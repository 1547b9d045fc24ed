"""OPML import and export: how people move their feed lists between readers.

Imported files come from strangers: the parser loads no DTD, substitutes no entities into
text and touches no network, so external entities are refused, and libxml2's amplification
limit refuses entity bombs ("billion laughs").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from bot.feeds.errors import OpmlError
from bot.feeds.normalize import xml_safe

__all__ = ["OpmlError", "OpmlFeed", "read_opml", "write_opml"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription: the feed URL and the name the reader showed for it."""

    url: str
    name: str | None = None


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed in an OPML file, at any folder depth, first occurrence of each URL only.

    Outlines without an ``xmlUrl`` are folders or links, not feeds, and are skipped. One with
    an ``xmlUrl`` the bot cannot poll (ftp://, a relative path) is skipped with a warning that
    names it, once per URL, so that no feed of the list is lost unseen.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise OpmlError(f"not an OPML file: the XML is broken ({exc})") from exc
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise OpmlError("not an OPML file: the document's root element is not <opml>")
    feeds: dict[str, OpmlFeed] = {}
    skipped: set[str] = set()
    for outline in root.iter("{*}outline"):
        url = _attribute(outline, "xmlurl")
        name = _attribute(outline, "title") or _attribute(outline, "text") or None
        if url.lower().startswith(("http://", "https://")):
            feeds.setdefault(url, OpmlFeed(url=url, name=name))
        elif url and url not in skipped:
            skipped.add(url)
            named = f'"{name}" ({url})' if name else url
            logger.warning("skipped %s: not an http(s) feed address", named)
    return list(feeds.values())


def _attribute(element: etree._Element, lower_name: str) -> str:
    """An attribute by case-insensitive name: exporters write xmlUrl, xmlURL and xmlurl."""
    attributes = element.attrib
    for key in attributes:
        if key.lower() == lower_name:
            return " ".join(attributes.get(key, "").split())
    return ""


def write_opml(feeds: Iterable[OpmlFeed], title: str = "topic-alert feeds") -> str:
    """An OPML 2.0 document listing ``feeds``, which any feed reader can import."""
    root = etree.Element("opml", version="2.0")
    etree.SubElement(etree.SubElement(root, "head"), "title").text = xml_safe(title)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        name = xml_safe(feed.name or feed.url)
        etree.SubElement(
            body, "outline", type="rss", text=name, title=name, xmlUrl=xml_safe(feed.url)
        )
    xml = etree.tostring(root, encoding="unicode", pretty_print=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}'
