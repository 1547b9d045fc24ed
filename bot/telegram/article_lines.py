"""How replies list a stored article: one line of linked title, source and date.

/preview, /search and inline mode list the same articles, so they list them alike.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.article import Article
from bot.i18n import _, format_when, isolate
from bot.markup import esc, link, shorten
from bot.store import StoredArticle

TITLE_CHARS = 300
"""Five listed articles with titles this long stay well within one message."""


def article_line(item: StoredArticle, zone: tzinfo) -> str:
    """The linked title, source and date of a stored article, as /preview and /search list it."""
    article = item.article
    return _("{title} — {source}, {when}").format(
        title=isolate(link(shorten(title_of(article), TITLE_CHARS), article.url)),
        source=isolate(esc(article.source)),
        when=format_when(item.when, zone),
    )


def title_of(article: Article) -> str:
    """An article's title, else its address: what a list of articles names it by."""
    return article.title or article.url or _("(untitled)")
