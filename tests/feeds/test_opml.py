"""OPML import must take what other readers export, and refuse hostile or broken files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.feeds.opml import OpmlError, OpmlFeed, read_opml, write_opml

EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="World" title="World &amp; More" xmlUrl="https://ex.org/world.xml"
               htmlUrl="https://ex.org/"/>
      <outline text="Deeper">
        <outline type="rss" text="Tech only text" xmlURL=" https://ex.org/tech.xml "/>
      </outline>
    </outline>
    <outline type="rss" xmlUrl="https://ex.org/world.xml" title="Duplicate"/>
    <outline type="rss" xmlUrl="http://ex.org/untitled.xml"/>
    <outline type="link" text="A web page" url="https://ex.org/page"/>
    <outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/>
  </body>
</opml>
"""


def test_reads_nested_outlines_once_each_in_order() -> None:
    assert read_opml(EXPORT) == [
        OpmlFeed("https://ex.org/world.xml", "World & More"),
        OpmlFeed("https://ex.org/tech.xml", "Tech only text"),
        OpmlFeed("http://ex.org/untitled.xml", None),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "XML is broken"),
        (b"\x89PNG\r\n\x1a\n", "XML is broken"),
        (b"<opml><body><outline", "XML is broken"),
        (b"<rss version='2.0'><channel/></rss>", "root element is not <opml>"),
    ],
)
def test_garbage_raises_opml_error(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        read_opml(data)


def with_doctype(entities: str, title: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE opml [{entities}]><opml version="2.0"><body>'
        f'<outline title="{title}" xmlUrl="https://ex.org/a.xml"/></body></opml>'
    ).encode()


LAUGHS = '<!ENTITY l0 "lol">' + "".join(
    f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, 10)
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (with_doctype(LAUGHS, "&l9;"), "amplification"),  # a billion laughs
        (with_doctype('<!ENTITY s SYSTEM "file:///etc/hostname">', "&s;"), "external entity"),
    ],
)
def test_entity_bombs_and_external_entities_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        read_opml(data)


def test_written_opml_reads_back() -> None:
    feeds = [OpmlFeed("https://ex.org/a.xml?x=1&y=2", "A & <B>"), OpmlFeed("https://ex.org/b")]
    document = write_opml(feeds, title="Mine")
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<title>Mine</title>" in document
    assert read_opml(document.encode()) == [
        OpmlFeed("https://ex.org/a.xml?x=1&y=2", "A & <B>"),
        OpmlFeed("https://ex.org/b", "https://ex.org/b"),
    ]


names = st.text(min_size=1).filter(
    lambda name: " ".join(name.split()) == name and name.isprintable()
)


@given(st.lists(st.tuples(st.integers(0, 10**6), names), unique_by=lambda pair: pair[0]))
def test_round_trip_keeps_urls_and_names(pairs: list[tuple[int, str]]) -> None:
    feeds = [OpmlFeed(f"https://ex.org/{number}.xml", name) for number, name in pairs]
    assert read_opml(write_opml(feeds).encode()) == feeds


@given(st.binary())
def test_any_bytes_give_feeds_or_opml_error(data: bytes) -> None:
    try:
        feeds = read_opml(data)
    except OpmlError:
        return
    assert all(feed.url.startswith(("http://", "https://")) for feed in feeds)
