"""Local stand-ins for Telegram's channel previews (``t.me/s/NAME``) and for pages without a
feed, served on the test's loopback server.

The markup follows what the public preview carries (read from public scrapers of it, not
copied): one ``div.tgme_widget_message`` per post with ``data-post="NAME/ID"``, the post's
text in ``div.tgme_widget_message_text.js-message_text``, a reply's quote in
``js-message_reply_text``, "Forwarded from" in ``.tgme_widget_message_forwarded_from``, a
document's name in ``.tgme_widget_message_document_title``, the time in the footer's
``a.tgme_widget_message_date > time[datetime]``; a page shows the latest ``PAGE_SIZE`` posts,
oldest first, and ``?before=ID`` the ones before ID. A name without a public channel is
redirected to the name's own page (``/NAME``), which has no posts and no channel header.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.config import Config, parse_config
from tests.support.local_hosts import LOCAL_HOSTS

PAGE_SIZE = 20
"""Posts on one preview page, as on t.me."""


@dataclass(frozen=True)
class Post:
    number: int
    text: str
    """The post's words; HTML (links, <br>) allowed."""
    published: datetime
    forwarded_from: str | None = None
    document: str | None = None
    reply_to: str | None = None
    """The words of the post this one replies to (quoted above it on the page)."""


def post(number: int, text: str, *, age: timedelta = timedelta(hours=1), **extra: str) -> Post:
    """Post ``number``, published ``age`` ago."""
    return Post(number, text, datetime.now(UTC).replace(microsecond=0) - age, **extra)


def preview_page(channel: str, title: str, posts: list[Post]) -> bytes:
    """A preview page with ``posts`` (oldest first, as Telegram lays them out)."""
    messages = "\n".join(_message(channel, post) for post in posts)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)} – Telegram</title></head>
<body><header class="tgme_header"><div class="tgme_channel_info">
  <div class="tgme_channel_info_header"><div class="tgme_channel_info_header_title">
    <span dir="auto">{html.escape(title)}</span></div></div></div></header>
<main class="tgme_main"><section class="tgme_channel_history js-message_history">
{messages}
</section></main></body></html>""".encode()


def landing_page(name: str) -> bytes:
    """The page of a name that has no public preview: no posts, no channel header."""
    return f"""<!DOCTYPE html>
<html><head><title>Telegram: Contact @{name}</title></head>
<body><div class="tgme_page_wrap"><div class="tgme_page">
<div class="tgme_page_title"><span dir="auto">{name}</span></div>
<div class="tgme_page_description">If you have Telegram, you can contact @{name} right away.</div>
</div></div></body></html>""".encode()


def _message(channel: str, post: Post) -> str:
    stamp = post.published.isoformat()
    parts = []
    if post.forwarded_from:
        parts.append(
            '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
            f'<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/x">'
            f"<span>{html.escape(post.forwarded_from)}</span></a></div>"
        )
    if post.reply_to:
        parts.append(
            '<a class="tgme_widget_message_reply" href="#"><div class="tgme_widget_message_text '
            f'js-message_reply_text">{html.escape(post.reply_to)}</div></a>'
        )
    if post.document:
        title = html.escape(post.document)
        parts.append(
            '<a class="tgme_widget_message_document_wrap">'
            '<div class="tgme_widget_message_document">'
            f'<div class="tgme_widget_message_document_title">{title}</div>'
            '<div class="tgme_widget_message_document_extra">1.2 MB</div></div></a>'
        )
    if post.text:
        parts.append(
            f'<div class="tgme_widget_message_text js-message_text" dir="auto">{post.text}</div>'
        )
    body = "\n".join(parts)
    return f"""<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message"
     data-post="{channel}/{post.number}" data-view="x">
<div class="tgme_widget_message_bubble">{body}
<div class="tgme_widget_message_footer"><div class="tgme_widget_message_info">
<span class="tgme_widget_message_views">1.2K</span>
<a class="tgme_widget_message_date" href="https://t.me/{channel}/{post.number}">
<time datetime="{stamp}" class="time">12:00</time></a></div></div>
</div></div></div>"""


class ChannelServer:
    """Channels on the loopback server, at ``/s/NAME`` as on t.me, paged by ``?before=``."""

    def __init__(self, httpserver: HTTPServer) -> None:
        self.httpserver = httpserver
        self.channels: dict[str, tuple[str, list[Post]]] = {}
        self.requests: list[str] = []
        """The path and query of every preview request, in order."""

    @property
    def preview_base(self) -> str:
        """The ``[sources] telegram_preview`` that reads these channels."""
        return self.httpserver.url_for("/s/")

    def publish(self, channel: str, title: str, posts: list[Post]) -> None:
        """Serve ``posts`` (any order) as channel ``channel`` from now on."""
        first = channel not in self.channels
        self.channels[channel] = (title, sorted(posts, key=lambda p: p.number))
        if first:
            self.httpserver.expect_request(f"/s/{channel}").respond_with_handler(
                self._handler(channel)
            )

    def without_channel(self, name: str) -> None:
        """``name`` has no public preview: its preview redirects to its own page."""
        self.httpserver.expect_request(f"/s/{name}").respond_with_response(
            Response(status=302, headers={"Location": f"/{name}"})
        )
        self.httpserver.expect_request(f"/{name}").respond_with_data(
            landing_page(name), content_type="text/html; charset=utf-8"
        )

    def config(self, db: str, **polling: object) -> Config:
        """A config whose previews are read here (and whose fetches may reach loopback)."""
        return parse_config(
            {
                "storage": {"path": db},
                "polling": {"timeout": 5, **polling},
                "fetch": {"allow_hosts": list(LOCAL_HOSTS)},
                "sources": {"telegram_preview": self.preview_base},
            }
        )

    def _handler(self, channel: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            self.requests.append(request.full_path.rstrip("?"))
            title, posts = self.channels[channel]
            before = request.args.get("before", type=int)
            shown = [p for p in posts if before is None or p.number < before][-PAGE_SIZE:]
            return Response(
                preview_page(channel, title, shown), content_type="text/html; charset=utf-8"
            )

        return handler


def news_page(
    items: list[tuple[str, str, str]],
    *,
    item_class: str = "story",
    published: datetime | None = None,
) -> bytes:
    """A news site's page without a feed: one ``article.{item_class}`` per (path, title,
    lead), each with a heading link and a ``<time>`` (``published``, default an hour ago),
    among a menu and a footer."""
    moment = published or datetime.now(UTC) - timedelta(hours=1)
    stamp = moment.isoformat(timespec="seconds")
    articles = "\n".join(
        f'<article class="{item_class}"><h2><a href="{path}">{html.escape(title)}</a></h2>'
        f'<time datetime="{stamp}">an hour ago</time><p>{html.escape(lead)}</p>'
        "</article>"
        for path, title, lead in items
    )
    return f"""<!DOCTYPE html><html><head><title>Caspian Courier</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<main>{articles}</main><footer>© Caspian Courier</footer></body></html>""".encode()
