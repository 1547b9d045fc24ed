"""A local fake of the Telegram Bot API that python-telegram-bot talks to over real HTTP.

Tests point ``Bot(token, base_url=fake.base_url)`` (or ``ApplicationBuilder().base_url(...)``)
at it, so the whole client stack runs: request encoding, JSON decoding, error classes.
The fake rejects what Telegram rejects (empty text, bad HTML, over-long text, oversized button
data, flood limits) because a fake that accepts everything would let exactly those bugs ship.
It is deliberately a little stricter than Telegram in one place: any ``&`` that does not start
``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` or a numeric entity is an error, so escaping slips show up.

Only the standard library is used: ``ThreadingHTTPServer`` in a daemon thread on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import json
import math
import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

MAX_TEXT_UTF16 = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER = 200
MAX_INLINE_RESULTS = 50
_MAX_DESCRIPTION = 512
_MAX_SHORT_DESCRIPTION = 120
"""Characters in the pop-up text answerCallbackQuery shows."""
GLOBAL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
LIMIT_JITTER = 0.05
"""Seconds of slack on each flood window: requests cross a socket, so their arrival times
wobble by a few milliseconds even when the client spaces them exactly."""

# Parameters Telegram always treats as strings. PTB sends form fields whose non-string values
# are JSON-encoded, so every other field is JSON-decoded when it parses.
_STRING_PARAMS = frozenset(
    {
        "text",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "inline_message_id",
        "inline_query_id",
    }
)


class TelegramApiError(Exception):
    """An error answer: becomes ``{"ok": false, ...}`` with this HTTP status."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------
# Telegram HTML


_ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "tg-spoiler", "span", "blockquote", "tg-emoji",
    }
)  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_ATTR = re.compile(r"""([a-zA-Z][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_TAG_NAME = re.compile(r"[a-zA-Z][\w-]*")
_HREF = re.compile(r'<a href="([^"]*)">')


def _parse_error(reason: str) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: can't parse entities: {reason}")


def _decode_entity(source: str, pos: int) -> tuple[str, int]:
    """Decode the entity starting at ``source[pos] == '&'``; return (char, end position)."""
    match = _ENTITY.match(source, pos)
    if match is None:
        raise _parse_error(f"Character entity expected at byte offset {pos}")
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise _parse_error(f'Unsupported HTML entity "&{name};" at byte offset {pos}')
        return _NAMED_ENTITIES[name], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code > 0x10FFFF:
        raise _parse_error(f"Invalid character entity at byte offset {pos}")
    return chr(code), match.end()


def _check_start_tag(name: str, attrs: dict[str, str], pos: int) -> None:
    if name not in _ALLOWED_TAGS:
        raise _parse_error(f'Unsupported start tag "{name}" at byte offset {pos}')
    if name == "a" and not attrs.get("href"):
        raise _parse_error(f'Tag "a" must have attribute "href" at byte offset {pos}')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {pos}')
    if name == "tg-emoji" and "emoji-id" not in attrs:
        raise _parse_error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {pos}')


def _parse_attrs(raw: str) -> dict[str, str]:
    attrs = {}
    for match in _ATTR.finditer(raw):
        value = next((v for v in match.groups()[1:] if v is not None), "")
        attrs[match.group(1).lower()] = html_to_plain(value) if "&" in value else value
    return attrs


def html_to_plain(source: str) -> str:
    """The visible text of a Telegram-HTML message; raises TelegramApiError where Telegram would.

    Nesting is checked with a stack: every end tag must close the innermost open tag.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == "&":
            decoded, pos = _decode_entity(source, pos)
            out.append(decoded)
        elif char == "<":
            end = source.find(">", pos)
            if end < 0:
                raise _parse_error(f"Unclosed start tag at byte offset {pos}")
            _handle_tag(source[pos + 1 : end], pos, stack)
            pos = end + 1
        else:
            out.append(char)
            pos += 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _handle_tag(inner: str, pos: int, stack: list[str]) -> None:
    closing = inner.startswith("/")
    body = inner[1:] if closing else inner
    name_match = _TAG_NAME.match(body)
    if name_match is None:
        raise _parse_error(f"Empty or invalid tag at byte offset {pos}")
    name = name_match.group(0).lower()
    if closing:
        expected = stack[-1] if stack else None
        if expected != name:
            want = f'"</{expected}>"' if expected else "no end tag"
            raise _parse_error(
                f'Unmatched end tag at byte offset {pos}, expected {want}, found "</{name}>"'
            )
        stack.pop()
        return
    _check_start_tag(name, _parse_attrs(body[name_match.end() :]), pos)
    stack.append(name)


def hrefs(text: str) -> list[str]:
    """The links of a Telegram-HTML message, in order, as a person opening them gets them."""
    return [html_to_plain(href) for href in _HREF.findall(text)]


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the chat displays for ``text``; validates like sendMessage does."""
    if parse_mode is None:
        plain = text
    elif parse_mode.upper() == "HTML":
        plain = html_to_plain(text)
    else:
        raise TelegramApiError(400, f"Bad Request: FakeBotAPI supports no parse_mode {parse_mode}")
    if not plain.strip():
        raise TelegramApiError(400, "Bad Request: message text is empty")
    if utf16_len(plain.strip()) > MAX_TEXT_UTF16:
        raise TelegramApiError(400, "Bad Request: message is too long")
    return plain


def check_reply_markup(markup: dict | None) -> None:
    """Reject inline buttons whose callback_data Telegram would refuse."""
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise TelegramApiError(400, "Bad Request: BUTTON_DATA_INVALID")


# ---------------------------------------------------------------------------------------------
# State


@dataclasses.dataclass
class SentMessage:
    """A message the bot sent; ``text`` is the current source text (HTML as sent) after edits."""

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict | None
    thread_id: int | None
    silent: bool = False
    """Sent with ``disable_notification``: the chat gets it without a sound."""
    edits: list[str] = dataclasses.field(default_factory=list)
    """Every text editMessageText set, in order (the last one equals ``text``)."""
    sent_at: float = dataclasses.field(default_factory=time.monotonic)
    """When the fake accepted it (``time.monotonic``), to order messages across chats."""

    @property
    def plain(self) -> str:
        """What the user reads: tags removed, entities decoded."""
        return visible_text(self.text, self.parse_mode)

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard as rows of (label, callback_data)."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]


@dataclasses.dataclass(frozen=True)
class SentDocument:
    """A file the bot sent with sendDocument."""

    chat_id: int
    message_id: int
    file_name: str
    content: bytes
    caption: str | None


@dataclasses.dataclass
class _Fault:
    method: str
    status: int
    description: str
    parameters: dict | None
    hang: float | None
    chat_id: int | None
    times: int


class _FloodLimits:
    """Telegram's documented send limits, counted over sliding windows of successful sends."""

    def __init__(self) -> None:
        self._all: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = defaultdict(deque)

    def check(self, chat_id: int, now: float) -> None:
        chat_sends = self._per_chat[chat_id]
        if chat_sends and now - chat_sends[-1] < 1 - LIMIT_JITTER:
            raise _too_many(chat_sends[-1] + 1 - now)
        if chat_id < 0:
            window = [t for t in chat_sends if now - t < 60 - LIMIT_JITTER]
            if len(window) >= GROUP_PER_MINUTE:
                raise _too_many(window[-GROUP_PER_MINUTE] + 60 - now)
        while self._all and now - self._all[0] >= 1 - LIMIT_JITTER:
            self._all.popleft()
        if len(self._all) >= GLOBAL_PER_SECOND:
            raise _too_many(self._all[0] + 1 - now)

    def record(self, chat_id: int, now: float) -> None:
        self._all.append(now)
        self._per_chat[chat_id].append(now)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128
    """Connections not yet accepted (the default is 5): the sender opens one for each chat it
    sends to at once, and a connection the backlog dropped times out as a network error."""
    daemon_threads = True


def _command_entities(text: str, key: str = "entities") -> dict[str, list[dict[str, Any]]]:
    """The entities Telegram gives a text (``key``: a caption's are ``caption_entities``) that
    starts with a command (``/help@bot``), as PTB's handlers read them; nothing for other text."""
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if not command:
        return {}
    length = utf16_len(command.group(0))
    return {key: [{"type": "bot_command", "offset": 0, "length": length}]}


def _too_many(wait: float) -> TelegramApiError:
    seconds = max(1, math.ceil(wait))
    return TelegramApiError(
        429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
    )


def _chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id < -1_000_000_000_000 else "group"


class FakeBotAPI:
    """The fake server plus what the tests drive (user actions, faults) and inspect."""

    token = "123456:TEST-TOKEN"
    bot_username = "topic_alert_test_bot"
    bot_id = 123456

    def __init__(self, port: int = 0) -> None:
        """``port`` 0 takes a free one; a fixed port lets a test start the server late, as
        when Telegram becomes reachable after the bot started."""
        self.port = port
        self.enforce_limits = False
        self.rate_limited = 0
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._sent: dict[tuple[int, int], SentMessage] = {}
        self._chats: dict[int, dict] = {}
        self._admins: dict[int, set[int]] = {}
        self._bot_members: dict[int, dict] = {}
        """The bot's own membership (getChatMember's answer) in the channels of
        :meth:`add_channel`, as :meth:`bot_rights_changed` leaves it."""
        self._user_languages: dict[int, str] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._calls: dict[str, list[dict]] = defaultdict(list)
        self._arrivals: dict[str, list[float]] = defaultdict(list)
        self._faults: list[_Fault] = []
        self._commands: dict[str, list[dict]] = {}
        self._limits = _FloodLimits()
        self._callback_ids = 0
        self._webhook_url = ""
        self._files: dict[str, bytes] = {}
        """What people sent as documents, by file_id: getFile names it, the file URL serves it."""
        self._documents: list[SentDocument] = []
        self._user_messages: dict[tuple[int, int], dict] = {}
        """Documents people sent, by (chat, message id), for a later reply to quote them."""
        self._webhook_error: tuple[int, str] | None = None
        """(unix time, message) of Telegram's last failed delivery to the webhook."""

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeBotAPI.base_url is known only after start()")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/bot"

    def start(self) -> None:
        self._server = _Server(("127.0.0.1", self.port), _make_handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="FakeBotAPI", daemon=True
        )
        self._thread.start()

    @property
    def stopped(self) -> bool:
        """After :meth:`stop`: a request still arriving on a kept-alive connection (the long
        poll in flight included) gets no answer and its connection is closed."""
        return self._stopping

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotAPI:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- user side ------------------------------------------------------------------------

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        thread_id: int | None = None,
        is_forum: bool = False,
        username: str = "alice",
        reply_to: int | None = None,
    ) -> int:
        """Queue a text message from a user; returns its update_id. ``reply_to``: a document
        the user sent to the chat (its message id), which the message answers."""
        user = self._user(chat_id if user_id is None else user_id, username)
        with self._cond:
            chat = {"id": chat_id, "type": chat_type}
            chat.update({"title": f"Chat {chat_id}"} if chat_type != "private" else {})
            chat.update({"is_forum": True} if is_forum else {})
            self._chats[chat_id] = chat
            message = {
                "message_id": self._take_message_id(chat_id),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "text": text,
            }
            message.update(_command_entities(text))
            if thread_id is not None:
                message.update({"message_thread_id": thread_id, "is_topic_message": True})
            if reply_to is not None:
                message["reply_to_message"] = self._user_messages[(chat_id, reply_to)]
            return self._push_update({"message": message})

    def user_sends_document(
        self,
        chat_id: int,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Queue a document message (with a caption, maybe a command); returns its message_id."""
        user = self._user(chat_id if user_id is None else user_id, "alice")
        with self._cond:
            file_id = f"file{len(self._files) + 1}"
            self._files[file_id] = content
            chat = {"id": chat_id, "type": chat_type}
            chat.update({"title": f"Chat {chat_id}"} if chat_type != "private" else {})
            self._chats[chat_id] = chat
            message_id = self._take_message_id(chat_id)
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "document": {
                    "file_id": file_id,
                    "file_unique_id": f"u{file_id}",
                    "file_name": file_name,
                    "mime_type": mime_type,
                    "file_size": len(content),
                },
            }
            if caption is not None:
                message["caption"] = caption
                message.update(_command_entities(caption, key="caption_entities"))
            self._user_messages[(chat_id, message_id)] = message
            self._push_update({"message": message})
            return message_id

    def documents(self, chat_id: int | None = None) -> list[SentDocument]:
        """The documents the bot sent (to ``chat_id``), in order."""
        with self._cond:
            return [d for d in self._documents if chat_id is None or d.chat_id == chat_id]

    def wait_for_documents(
        self, chat_id: int, count: int, timeout: float = 10
    ) -> list[SentDocument]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.documents(chat_id)) >= count, timeout):
                raise AssertionError(f"chat {chat_id} got no {count} documents in {timeout} s")
            return self.documents(chat_id)

    def user_presses(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> str:
        """Queue a press on an inline button of a bot message; returns the callback id."""
        with self._cond:
            self._callback_ids += 1
            callback_id = f"cb{self._callback_ids}"
            sent = self._sent.get((chat_id, message_id))
            message = self._message_json(sent) if sent else self._stub_message(chat_id, message_id)
            query = {
                "id": callback_id,
                "from": self._user(chat_id if user_id is None else user_id, "alice"),
                "chat_instance": str(chat_id),
                "data": data,
                "message": message,
            }
            self._push_update({"callback_query": query})
        return callback_id

    def user_inline_query(self, user_id: int, query: str) -> str:
        """Queue an inline query (``@bot query`` typed in any chat); returns its id."""
        with self._cond:
            self._callback_ids += 1
            query_id = f"iq{self._callback_ids}"
            inline = {
                "id": query_id,
                "from": self._user(user_id, "alice"),
                "query": query,
                "offset": "",
            }
            self._push_update({"inline_query": inline})
        return query_id

    def bot_removed(self, chat_id: int, *, by_user: int, status: str = "kicked") -> int:
        """Queue the ``my_chat_member`` update Telegram sends when the bot is removed from a
        group (``status`` "kicked" or "left") or blocked in a private chat ("kicked")."""
        with self._cond:
            bot = self._user(self.bot_id, self.bot_username, is_bot=True)
            change = {
                "chat": self._chat_json(chat_id),
                "from": self._user(by_user, f"user{by_user}"),
                "date": int(time.time()),
                "old_chat_member": {"status": "member", "user": bot},
                "new_chat_member": {"status": status, "user": bot, "until_date": 0},
            }
            return self._push_update({"my_chat_member": change})

    def add_channel(
        self,
        chat_id: int,
        *,
        title: str,
        username: str | None = None,
        admins: Sequence[int] = (),
        bot_status: str = "administrator",
        bot_can_post: bool = True,
    ) -> None:
        """A channel as Telegram knows it: found by getChat (by id, or by ``@username`` when
        it has one), administered by ``admins``, the bot in it as ``bot_status`` (allowed to
        post when ``bot_can_post``). sendMessage there is refused with 403, as Telegram
        refuses it, while the bot may not post."""
        chat = {"id": chat_id, "type": "channel", "title": title}
        chat.update({"username": username} if username else {})
        with self._cond:
            self._chats[chat_id] = chat
            self._admins[chat_id] = set(admins)
            self._bot_members[chat_id] = self._bot_member_json(chat_id, bot_status, bot_can_post)

    def bot_rights_changed(
        self,
        chat_id: int,
        *,
        by_user: int,
        status: str,
        can_post: bool = False,
        date: int | None = None,
    ) -> int:
        """Queue the ``my_chat_member`` update of a channel of :meth:`add_channel` whose
        administrator ``by_user`` removed the bot ("left", "kicked") or made it an
        "administrator" (allowed to post when ``can_post``); getChatMember agrees from now.
        ``date`` (Unix time, default now) says when the change happened, for updates that
        arrive in another order than their changes were made."""
        with self._cond:
            old = self._bot_members[chat_id]
            new = self._bot_member_json(chat_id, status, can_post)
            self._bot_members[chat_id] = new
            change = {
                "chat": self._chat_json(chat_id),
                "from": self._user(by_user, f"user{by_user}"),
                "date": int(time.time()) if date is None else date,
                "old_chat_member": old,
                "new_chat_member": new,
            }
            return self._push_update({"my_chat_member": change})

    def user_forwards(self, chat_id: int, channel_id: int, text: str) -> int:
        """Queue a post of channel ``channel_id`` forwarded by the user of private chat
        ``chat_id`` to the bot (``forward_origin`` of type "channel")."""
        with self._cond:
            chat = {"id": chat_id, "type": "private"}
            self._chats[chat_id] = chat
            message = {
                "message_id": self._take_message_id(chat_id),
                "date": int(time.time()),
                "chat": chat,
                "from": self._user(chat_id, "alice"),
                "text": text,
                "forward_origin": {
                    "type": "channel",
                    "date": int(time.time()),
                    "chat": self._chat_json(channel_id),
                    "message_id": 7,
                },
            }
            return self._push_update({"message": message})

    def channel_posts(self, channel_id: int, text: str) -> int:
        """Queue a ``channel_post`` update: ``text`` posted in the channel (commands
        included, marked as Telegram marks them), signed by the channel itself."""
        with self._cond:
            channel = self._chat_json(channel_id)
            post = {
                "message_id": self._take_message_id(channel_id),
                "date": int(time.time()),
                "chat": channel,
                "sender_chat": channel,
                "text": text,
            }
            post.update(_command_entities(text))
            return self._push_update({"channel_post": post})

    def thread_named(
        self, chat_id: int, thread_id: int, name: str | None, *, edited: bool = False
    ) -> int:
        """Queue the service message a forum shows when a thread is created
        (``forum_topic_created``) or, with ``edited``, renamed (``forum_topic_edited``; a
        None ``name``: only its icon changed)."""
        with self._cond:
            chat = {"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"}
            chat["is_forum"] = True
            self._chats[chat_id] = chat
            if edited:
                event = {"forum_topic_edited": {} if name is None else {"name": name}}
            else:
                event = {"forum_topic_created": {"name": name, "icon_color": 7322096}}
            message = {
                "message_id": self._take_message_id(chat_id),
                "date": int(time.time()),
                "chat": chat,
                "from": self._user(chat_id, "alice"),
                "message_thread_id": thread_id,
                "is_topic_message": True,
                **event,
            }
            return self._push_update({"message": message})

    def set_user_language(self, user_id: int, language_code: str | None) -> None:
        """The language of the user's Telegram app, sent as ``from.language_code`` with every
        update of theirs from now on (None: sent without one, as Telegram may)."""
        with self._cond:
            if language_code is None:
                self._user_languages.pop(user_id, None)
            else:
                self._user_languages[user_id] = language_code

    def webhook_registered(self, url: str) -> None:
        """A webhook registered at Telegram for this token, as an earlier webhook deployment
        (or another one using the same token) leaves it."""
        with self._cond:
            self._webhook_url, self._webhook_error = url, None

    def webhook_fails(self, message: str) -> None:
        """Telegram could not deliver an update to the registered webhook just now (the
        server is down, its certificate is refused): getWebhookInfo reports ``message``."""
        with self._cond:
            self._webhook_error = (int(time.time()), message)

    def set_admins(self, chat_id: int, user_ids: list[int]) -> None:
        with self._cond:
            self._admins[chat_id] = set(user_ids)

    # -- inspection -----------------------------------------------------------------------

    def messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Snapshot of the messages chats received, in send order per chat."""
        with self._cond:
            found = [m for m in self._sent.values() if chat_id is None or m.chat_id == chat_id]
            return [dataclasses.replace(m, edits=list(m.edits)) for m in found]

    def links(self, chat_id: int) -> Counter[str]:
        """Every link the chat can open in its messages as they read now (after edits), with
        how many times each appears: an article's link counted twice is a duplicate."""
        return Counter(href for message in self.messages(chat_id) for href in hrefs(message.text))

    def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 10.0
    ) -> list[SentMessage]:
        """Block until ``chat_id`` has received at least ``count`` messages."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._count(chat_id) >= count, timeout):
                texts = [m.text for m in self._sent.values() if m.chat_id == chat_id]
                raise AssertionError(
                    f"chat {chat_id} received {len(texts)} message(s) within {timeout}s, "
                    f"expected {count}: {texts!r}"
                )
        return self.messages(chat_id)

    def calls(self, method: str) -> list[dict]:
        """Parameters of every request to ``method``, including rejected ones."""
        with self._cond:
            return [dict(c) for c in self._calls[method]]

    def arrivals(self, method: str) -> list[float]:
        """``time.monotonic()`` when each request to ``method`` reached the fake (its
        parameters parsed), including rejected ones: what Telegram's flood count sees."""
        with self._cond:
            return list(self._arrivals[method])

    # -- faults ---------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        *,
        status: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        hang: float | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail.

        status defaults to 429 with ``retry_after``, else 400; the description defaults to the
        text Telegram uses for that status. ``hang`` instead delays the answer by that many
        seconds and then handles the request normally — as when a client times out after
        Telegram has already acted.
        """
        if status is None:
            status = 429 if retry_after is not None else 400
        parameters: dict | None = None
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
        if migrate_to_chat_id is not None:
            parameters = {"migrate_to_chat_id": migrate_to_chat_id}
        with self._cond:
            self._faults.append(
                _Fault(
                    method,
                    status,
                    description or _default_description(status, retry_after),
                    parameters,
                    hang,
                    chat_id,
                    times,
                )
            )

    def clear_faults(self) -> None:
        """Telegram recovers: every injected fault still waiting is dropped."""
        with self._cond:
            self._faults.clear()

    # -- request handling (server threads) ------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        """Answer one API call; raises TelegramApiError for an error answer."""
        with self._cond:
            self._arrivals[method].append(time.monotonic())
            self._calls[method].append(params)
            fault = self._take_fault(method, params.get("chat_id"))
        if fault is not None and fault.hang is not None:
            time.sleep(fault.hang)
        elif fault is not None:
            raise TelegramApiError(fault.status, fault.description, fault.parameters)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            raise TelegramApiError(404, "Not Found")
        return handler(params)

    def _take_fault(self, method: str, chat_id: Any) -> _Fault | None:
        for fault in self._faults:
            if fault.method == method and fault.chat_id in (None, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _api_getme(self, params: dict) -> dict:
        return {
            **self._user(self.bot_id, self.bot_username, is_bot=True),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_getupdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        with self._cond:
            if self._webhook_url:
                raise TelegramApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._cond.wait_for(lambda: self._updates or self._stopping, timeout)
            return self._updates[:limit]

    def _api_sendmessage(self, params: dict) -> dict:
        chat_id = _chat_id(params)
        text = str(params.get("text") or "")
        visible_text(text, params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        with self._cond:
            member = self._bot_members.get(chat_id)
            if member is not None and not member.get("can_post_messages"):
                raise TelegramApiError(403, "Forbidden: bot is not a member of the channel chat")
            if self.enforce_limits:
                self._check_limits(chat_id)
            sent = SentMessage(
                chat_id=chat_id,
                message_id=self._take_message_id(chat_id),
                text=text,
                parse_mode=params.get("parse_mode"),
                reply_markup=params.get("reply_markup"),
                thread_id=params.get("message_thread_id"),
                silent=bool(params.get("disable_notification")),
            )
            self._sent[(chat_id, sent.message_id)] = sent
            self._cond.notify_all()
            return self._message_json(sent)

    def _api_getfile(self, params: dict) -> dict:
        file_id = str(params.get("file_id"))
        with self._cond:
            if file_id not in self._files:
                raise TelegramApiError(400, "Bad Request: invalid file_id")
            size = len(self._files[file_id])
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": size,
            "file_path": f"documents/{file_id}",
        }

    def file_content(self, file_path: str) -> bytes | None:
        """What the file URL of ``file_path`` (getFile's) serves; None for no such file."""
        with self._cond:
            return self._files.get(file_path.removeprefix("documents/"))

    def _api_senddocument(self, params: dict) -> dict:
        chat_id = _chat_id(params)
        caption = params.get("caption")
        if caption is not None:
            visible_text(str(caption), params.get("parse_mode"))
        upload = params.get("document")
        if not isinstance(upload, _Upload):
            raise TelegramApiError(400, "Bad Request: there is no document in the request")
        with self._cond:
            sent = SentDocument(
                chat_id, self._take_message_id(chat_id), upload.file_name, upload.content, caption
            )
            self._documents.append(sent)
            self._cond.notify_all()
            return {
                "message_id": sent.message_id,
                "date": int(time.time()),
                "chat": self._chat_json(chat_id),
                "document": {
                    "file_id": f"sent{sent.message_id}",
                    "file_unique_id": f"usent{sent.message_id}",
                    "file_name": upload.file_name,
                },
            }

    def _check_limits(self, chat_id: int) -> None:
        now = time.monotonic()
        try:
            self._limits.check(chat_id, now)
        except TelegramApiError:
            self.rate_limited += 1
            raise
        self._limits.record(chat_id, now)

    def _api_editmessagetext(self, params: dict) -> dict:
        text = str(params.get("text") or "")
        visible_text(text, params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        with self._cond:
            sent = self._find_sent(params)
            markup = params.get("reply_markup")
            if sent.text == text and sent.reply_markup == markup:
                raise TelegramApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            sent.text, sent.parse_mode, sent.reply_markup = text, params.get("parse_mode"), markup
            sent.edits.append(text)
            self._cond.notify_all()
            return self._message_json(sent)

    def _api_editmessagereplymarkup(self, params: dict) -> dict:
        check_reply_markup(params.get("reply_markup"))
        with self._cond:
            sent = self._find_sent(params)
            sent.reply_markup = params.get("reply_markup")
            return self._message_json(sent)

    def _api_answercallbackquery(self, params: dict) -> bool:
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise TelegramApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _api_answerinlinequery(self, params: dict) -> bool:
        results = params.get("results") or []
        if len(results) > MAX_INLINE_RESULTS:
            raise TelegramApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if len({result["id"] for result in results}) < len(results):
            raise TelegramApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            content = result.get("input_message_content") or {}
            visible_text(content.get("message_text", ""), content.get("parse_mode"))
        return True

    def _api_setmycommands(self, params: dict) -> bool:
        with self._cond:
            self._commands[_commands_key(params)] = list(params.get("commands") or [])
        return True

    def _api_getmycommands(self, params: dict) -> list[dict]:
        with self._cond:
            return self._commands.get(_commands_key(params), [])

    def _api_deletemycommands(self, params: dict) -> bool:
        with self._cond:
            self._commands.pop(_commands_key(params), None)
        return True

    def _api_setmydescription(self, params: dict) -> bool:
        return self._set_description("description", params, _MAX_DESCRIPTION)

    def _api_setmyshortdescription(self, params: dict) -> bool:
        return self._set_description("short_description", params, _MAX_SHORT_DESCRIPTION)

    def _set_description(self, kind: str, params: dict, limit: int) -> bool:
        text = params.get(kind) or ""
        if len(text) > limit:
            raise TelegramApiError(400, f"Bad Request: {kind} is too long")
        with self._cond:
            self._descriptions[(kind, params.get("language_code") or "")] = text
        return True

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """What the bot's empty chat (or, ``short``, its profile) says to users whose app is
        in ``language_code`` ("" for the list without one)."""
        kind = "short_description" if short else "description"
        with self._cond:
            return self._descriptions.get((kind, language_code), "")

    def commands(self, language_code: str = "", chat_id: int | None = None) -> list[str]:
        """The command menu as published for a language and, with ``chat_id``, a chat scope."""
        scope = {"type": "chat", "chat_id": chat_id} if chat_id is not None else None
        key = _commands_key({"scope": scope, "language_code": language_code})
        with self._cond:
            return [f"/{c['command']} {c['description']}" for c in self._commands.get(key, [])]

    def _api_deletewebhook(self, params: dict) -> bool:
        with self._cond:
            self._webhook_url, self._webhook_error = "", None
        return True

    def _api_setwebhook(self, params: dict) -> bool:
        self.webhook_registered(str(params.get("url") or ""))
        return True

    def _api_getwebhookinfo(self, params: dict) -> dict:
        with self._cond:
            info: dict[str, Any] = {
                "url": self._webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates) if self._webhook_url else 0,
            }
            if self._webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    def _api_close(self, params: dict) -> bool:
        return True

    def _api_logout(self, params: dict) -> bool:
        return True

    def _api_getchatmember(self, params: dict) -> dict:
        chat_id, user_id = _chat_id(params), int(params["user_id"])
        with self._cond:
            bot = self._bot_members.get(chat_id)
            if bot is not None and user_id == self.bot_id:
                return bot
            if bot is not None and bot["status"] != "administrator":
                # A channel shows its members to its administrators only.
                raise TelegramApiError(400, "Bad Request: member list is inaccessible")
            return self._member_json(chat_id, user_id)

    def _api_getchatadministrators(self, params: dict) -> list[dict]:
        chat_id = _chat_id(params)
        with self._cond:
            return [self._member_json(chat_id, u) for u in sorted(self._admins.get(chat_id, ()))]

    def _api_getchat(self, params: dict) -> dict:
        with self._cond:
            chat_id = self._named_chat_id(params)
            chat = self._chats.get(chat_id, {"id": chat_id, "type": _chat_type(chat_id)})
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
        )
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**gifts, "gifts_from_channels": False},
        }

    # -- helpers (call with the lock held) ------------------------------------------------

    def _named_chat_id(self, params: dict) -> int:
        """The chat ``chat_id`` names: a number, or the ``@username`` of a known chat."""
        name = str(params.get("chat_id") or "")
        if not name.startswith("@"):
            return _chat_id(params)
        for chat in self._chats.values():
            if chat.get("username", "").casefold() == name[1:].casefold():
                return int(chat["id"])
        raise TelegramApiError(400, "Bad Request: chat not found")

    def _bot_member_json(self, chat_id: int, status: str, can_post: bool) -> dict:
        """The bot as a member of a channel: an administrator with the rights a channel
        gives (``can_post_messages`` as told), else ``status`` alone."""
        if status != "administrator":
            bot = self._user(self.bot_id, self.bot_username, is_bot=True)
            return {"status": status, "user": bot} | (
                {"until_date": 0} if status == "kicked" else {}
            )
        member = self._member_json(chat_id, self.bot_id, admin=True)
        return member | {"can_post_messages": can_post, "can_edit_messages": can_post}

    def _count(self, chat_id: int) -> int:
        return sum(1 for m in self._sent.values() if m.chat_id == chat_id)

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] += 1
        return message_id

    def _push_update(self, payload: dict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **payload})
        self._cond.notify_all()
        return update_id

    def _find_sent(self, params: dict) -> SentMessage:
        key = (_chat_id(params), int(params.get("message_id") or 0))
        if key not in self._sent:
            raise TelegramApiError(400, "Bad Request: message to edit not found")
        return self._sent[key]

    def _chat_json(self, chat_id: int) -> dict:
        return self._chats.get(chat_id, {"id": chat_id, "type": _chat_type(chat_id)})

    def _message_json(self, sent: SentMessage) -> dict:
        message = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chat_json(sent.chat_id),
            "from": self._user(self.bot_id, self.bot_username, is_bot=True),
            "text": visible_text(sent.text, sent.parse_mode),
        }
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            # Telegram echoes only inline keyboards; ForceReply and reply keyboards are not
            # part of the returned Message.
            message["reply_markup"] = sent.reply_markup
        if sent.thread_id is not None:
            message.update({"message_thread_id": sent.thread_id, "is_topic_message": True})
        return message

    def _stub_message(self, chat_id: int, message_id: int) -> dict:
        return {"message_id": message_id, "date": 0, "chat": self._chat_json(chat_id)}

    def _member_json(self, chat_id: int, user_id: int, *, admin: bool = False) -> dict:
        user = self._user(user_id, f"user{user_id}", is_bot=user_id == self.bot_id)
        if not admin and user_id not in self._admins.get(chat_id, ()):
            return {"status": "member", "user": user}
        rights = (
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_change_info", "can_invite_users", "can_post_stories",
            "can_edit_stories", "can_delete_stories", "can_pin_messages",
        )  # fmt: skip
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_promote_members": False,
            **dict.fromkeys(rights, True),
        }

    def _user(self, user_id: int, username: str, *, is_bot: bool = False) -> dict:
        user = {
            "id": user_id,
            "is_bot": is_bot,
            "first_name": username.capitalize(),
            "username": username,
        }
        language = self._user_languages.get(user_id)
        return user | ({"language_code": language} if language else {})


def _default_description(status: int, retry_after: int | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    if status == 403:
        return "Forbidden: bot was blocked by the user"
    if status >= 500:
        return "Internal Server Error"
    return "Bad Request: injected"


def _chat_id(params: dict) -> int:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        raise TelegramApiError(400, "Bad Request: chat not found") from None


def _commands_key(params: dict) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


# ---------------------------------------------------------------------------------------------
# HTTP


def _decode_form_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    params: dict[str, Any] = {}
    uploads: dict[str, _Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        if name and filename is None:
            params[name] = _decode_form_value(name, part.get_content().strip("\r\n"))
        elif name:
            uploads[name] = _Upload(filename, part.get_payload(decode=True) or b"")
    # A file goes as a part of its own, named by an attach:// reference in the field.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = uploads.get(value.removeprefix("attach://"), value)
    for name, upload in uploads.items():
        params.setdefault(name, upload)
    return params


@dataclasses.dataclass(frozen=True)
class _Upload:
    """A file sent in a multipart request."""

    file_name: str
    content: bytes


def parse_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Request parameters from the query string plus a JSON, urlencoded or multipart body."""
    params = {k: _decode_form_value(k, v) for k, v in parse_qsl(query)}
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" and body:
        params.update(json.loads(body))
    elif media_type == "application/x-www-form-urlencoded":
        params.update({k: _decode_form_value(k, v) for k, v in parse_qsl(body.decode())})
    elif media_type == "multipart/form-data":
        params.update(_parse_multipart(content_type, body))
    return params


def _make_handler(api: FakeBotAPI) -> type[BaseHTTPRequestHandler]:
    prefix = f"/bot{api.token}/"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body go out in two writes; with Nagle's algorithm the body waits
        # for the client's delayed ACK of the headers, 40 ms on every request of a kept-alive
        # connection. Telegram answers at once, and so must the fake.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            files = f"/file/bot{api.token}/"
            path = unquote(urlsplit(self.path).path)  # the client quotes the token's colon
            if path.startswith(files):
                self._serve_file(path[len(files) :])
                return
            self._serve()

        def _serve_file(self, file_path: str) -> None:
            content = api.file_content(file_path)
            status = 200 if content is not None else 404
            payload = content if content is not None else b"Not Found"
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the per-request stderr line."""

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if not url.path.startswith(prefix):
                self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            try:
                params = parse_params(self.headers.get("Content-Type", ""), body, url.query)
                result = api.handle(url.path[len(prefix) :], params)
                if api.stopped:  # gone, as a server that went away: no answer, no connection
                    self.close_connection = True
                    return
            except TelegramApiError as exc:
                answer = {"ok": False, "error_code": exc.status, "description": exc.description}
                if exc.parameters:
                    answer["parameters"] = exc.parameters
                self._reply(exc.status, answer)
                return
            self._reply(200, {"ok": True, "result": result})

        def _reply(self, status: int, answer: dict) -> None:
            payload = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up first (a long poll cancelled at shutdown): nobody to tell.
                self.close_connection = True

    return Handler


@pytest.fixture
def botapi() -> Iterator[FakeBotAPI]:
    """A running FakeBotAPI, stopped after the test."""
    with FakeBotAPI() as api:
        yield api
