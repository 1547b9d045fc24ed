"""Canonical URLs, HTML to plain text, and stable article ids.

These decide what counts as "the same article": two feeds that link one story with different
tracking parameters must yield one URL, and a feed that re-sends an entry must yield one id.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from lxml import etree
from lxml.cssselect import CSSSelector

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that identify the campaign or click, never the page.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "ref_url",
        "_ga",
        "_gl",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "__twitter_impression",
    }
)
_TRACKING_PREFIXES = ("utm_",)
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_UNSAFE = re.compile("[\x00-\x20\x7f]")


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The one spelling of ``url`` used for dedup, or None when it cannot name a web page.

    Relative URLs resolve against ``base``; scheme and host are lower-cased, the default port,
    the fragment and tracking parameters go, and other parameters keep their order and
    spelling (re-encoding them could change what the server returns); only spaces and control
    characters are percent-encoded, as browsers do.
    """
    url = (url or "").strip(_C0_AND_SPACE)
    if not url:
        return None
    try:
        parts = urlsplit(urljoin(base, url) if base else url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = _escape_unsafe(parts.path) or "/"
    return urlunsplit((scheme, netloc, path, _escape_unsafe(_strip_tracking(parts.query)), ""))


def _escape_unsafe(text: str) -> str:
    """Percent-encode controls and spaces as browsers do, so "a b" and "a%20b" are one URL."""
    return _UNSAFE.sub(lambda match: f"%{ord(match.group()):02X}", text)


def _strip_tracking(query: str) -> str:
    """The query without tracking parameters and empty pieces, other pieces untouched."""
    return "&".join(piece for piece in query.split("&") if piece and not _is_tracking(piece))


def _is_tracking(piece: str) -> bool:
    key = unquote_plus(piece.partition("=")[0]).lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


_TAG_LIKE = re.compile(r"<[a-zA-Z/!?]")
_CHARSET = re.compile(r"charset=\"?([\w.:-]+)", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
# Characters XML 1.0 cannot carry; libxml2 stops or errors at them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DROPPED_ELEMENTS = frozenset({"script", "style", "noscript", "template"})
_BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
        "tr", "ul",
    }
)  # fmt: skip


class _Break(Enum):
    """Layout markers between text pieces (sentinels, so no text node can be mistaken for one)."""

    LINE = "\n"
    PARAGRAPH = "\n\n"


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML fragment or document, for matching and for alerts.

    Block elements become paragraphs ("\\n\\n"), <br> a line break, runs of spaces collapse,
    and script/style/noscript content is dropped. Text without any tag is returned as is
    apart from entity decoding, so plain-text titles keep their exact characters. Never raises:
    broken markup yields whatever text libxml2 could recover, or "".
    """
    if not _TAG_LIKE.search(markup):
        return html.unescape(markup)
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    cleaned = xml_safe(markup).encode("utf-8")
    try:
        root = etree.fromstring(cleaned, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return ""
    if root is None:
        return ""
    return _layout(_text_pieces(root))


def element_text(element: etree._Element) -> str:
    """Readable plain text of one element of a parsed page, laid out as html_to_text does."""
    return _layout(_text_pieces(element))


def selected(selector: CSSSelector, root: etree._Element) -> list[etree._Element]:
    """The elements a compiled CSS selector finds under ``root``, in document order."""
    found = selector(root)
    return (
        [node for node in found if isinstance(node, etree._Element)]
        if isinstance(found, list)
        else []
    )


def words_of(element: etree._Element | None) -> str:
    """An element's text on one line (a title, a name); '' for None."""
    if element is None:
        return ""
    return " ".join("".join(str(text) for text in element.itertext()).split())


def html_root(content: bytes, content_type: str | None) -> etree._Element | None:
    """A page's bytes parsed as HTML, or None when nothing could be recovered from them.

    The bytes are decoded here (the charset of the response's ``content_type``, else UTF-8;
    what does not decode is replaced), so libxml2 never guesses an encoding, and characters
    XML cannot carry go first. Comments and processing instructions are dropped.
    """
    charset = _CHARSET.search(content_type or "")
    try:
        text = content.decode(charset.group(1) if charset else "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = content.decode("utf-8", errors="replace")
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(xml_safe(text).encode("utf-8"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot carry (feeds from the wild contain them)."""
    return _NOT_XML.sub("", text)


def _text_pieces(root: etree._Element) -> Iterator[str | _Break]:
    """Text nodes in document order, with _Break markers where the layout breaks.

    Uses iterwalk rather than recursion so that deeply nested garbage cannot overflow the stack.
    """
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _DROPPED_ELEMENTS:
                walker.skip_subtree()
                continue
            if tag in _BLOCK_ELEMENTS:
                yield _Break.PARAGRAPH
            if tag and element.text:
                yield element.text
        else:
            if tag in _BLOCK_ELEMENTS:
                yield _Break.PARAGRAPH
            elif tag == "br":
                yield _Break.LINE
            if element.tail and element is not root:
                yield element.tail


def _layout(pieces: Iterator[str | _Break]) -> str:
    """Join text pieces: whitespace collapses within a line, empty lines and paragraphs go."""
    paragraphs: list[str] = []
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        line = " ".join("".join(current).split())
        current.clear()
        if line:
            lines.append(line)

    def end_paragraph() -> None:
        end_line()
        if lines:
            paragraphs.append(_Break.LINE.value.join(lines))
            lines.clear()

    for piece in pieces:
        if piece is _Break.PARAGRAPH:
            end_paragraph()
        elif piece is _Break.LINE:
            end_line()
        else:
            current.append(piece)
    end_paragraph()
    return _Break.PARAGRAPH.value.join(paragraphs)


def tidy_text(text: str) -> str:
    """Plain text laid out like html_to_text's output, so both kinds of feed text look alike.

    Spaces collapse within each line, blank-line runs become one paragraph break, and the
    text is stripped.
    """
    paragraphs = (_tidy_lines(paragraph) for paragraph in _BLANK_LINES.split(text))
    return _Break.PARAGRAPH.value.join(paragraph for paragraph in paragraphs if paragraph)


def _tidy_lines(paragraph: str) -> str:
    lines = (" ".join(line.split()) for line in paragraph.splitlines())
    return _Break.LINE.value.join(line for line in lines if line)


def article_id(
    guid: str | None, link: str | None, title: str | None, published: datetime | None
) -> str:
    """A stable id for an entry within its feed, so a re-sent entry is recognised.

    The feed's guid wins (it is what the publisher promises is stable); without one the
    canonical link; without that a hash of title and date, prefixed "sha1:" so it cannot
    collide with a real guid or URL.
    """
    if guid and guid.strip():
        return guid.strip()
    url = canonical_url(link) if link else None
    if url:
        return url
    stamp = published.isoformat() if published else ""
    digest = hashlib.sha1(f"{title or ''}\n{stamp}".encode()).hexdigest()
    return f"sha1:{digest}"
