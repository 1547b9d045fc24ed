"""Small, readable feed and page documents for the feed-stage tests."""

from __future__ import annotations

from xml.sax.saxutils import escape


def rss(
    items: list[dict[str, str]],
    *,
    title: str = "Example News",
    link: str = "https://news.example.org/",
    encoding: str = "utf-8",
    declare: bool = True,
    ttl: int | None = None,
    language: str | None = None,
) -> bytes:
    """An RSS 2.0 document in ``encoding``; each item maps element name → text (escaped);
    ``language``: the channel's ``<language>``."""
    entries = "".join(
        "<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items()) + "</item>"
        for item in items
    )
    ttl_element = f"<ttl>{ttl}</ttl>" if ttl else ""
    language_element = f"<language>{escape(language)}</language>" if language else ""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""
    document = (
        f'{declaration}<rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>{link}</link>{language_element}{ttl_element}{entries}</channel></rss>"
    )
    return document.encode(encoding)


def html_page(head: str = "", body: str = "<p>Hello</p>") -> bytes:
    """An HTML page with ``head`` markup (e.g. feed <link>s) inside <head>."""
    return (
        f"<!DOCTYPE html><html><head><title>Site</title>{head}</head><body>{body}</body></html>"
    ).encode()
